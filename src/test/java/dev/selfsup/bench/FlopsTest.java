package dev.selfsup.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import org.junit.jupiter.api.Test;

class FlopsTest {
    @Test
    void countsTheMultiplyAddsOfLinearLayers() {
        SequentialBlock mlp = new SequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(512).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(128).build());
        try (NDManager manager = NDManager.newBaseManager()) {
            mlp.initialize(manager, DataType.FLOAT32, new Shape(7, 1, 28, 28));
            assertThat(Flops.forwardMultiplyAddsPerSample(mlp)).isEqualTo(784L * 512 + 512L * 128);
            assertThat(Flops.trainingStepFlops(mlp, 10))
                    .isEqualTo(6.0 * (784L * 512 + 512L * 128) * 10);
        }
    }

    @Test
    void countsConvolutionsByTheirOutputAndKernel() {
        // 3 -> 8 channels, 3x3, padding 1 on 8x8: 8 * 8 * 8 outputs of 3 * 3 * 3 multiply-adds;
        // then 8 -> 4 channels, 1x1, stride 2: 4 * 4 * 4 outputs of 8; batch norm is not counted
        SequentialBlock net = new SequentialBlock()
                .add(Conv2d.builder().setKernelShape(new Shape(3, 3)).optPadding(new Shape(1, 1))
                        .setFilters(8).build())
                .add(BatchNorm.builder().build())
                .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).optStride(new Shape(2, 2))
                        .setFilters(4).build());
        try (NDManager manager = NDManager.newBaseManager()) {
            net.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 8, 8));
            assertThat(Flops.forwardMultiplyAddsPerSample(net))
                    .isEqualTo(8L * 8 * 8 * 27 + 4L * 4 * 4 * 8);
        }
    }

    @Test
    void refusesAnUninitialisedLayer() {
        assertThatThrownBy(() -> Flops.forwardMultiplyAddsPerSample(
                Linear.builder().setUnits(4).build()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theGemmBenchmarkChecksItsProductAndReportsARate() {
        GemmBenchmark.Result result = GemmBenchmark.run(64, 1, 3);
        assertThat(result.gflops()).isPositive();
        assertThat(result.medianMillis()).isPositive();
        assertThat(result.relativeError()).isLessThan(1e-5);
        assertThat(result.precision()).isEqualTo("fp32");
    }
}
