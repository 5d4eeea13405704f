package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.CheckpointState;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.TorchRuntime;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackbonesTest {
    private static NDArray forward(Backbone backbone, NDManager manager, long batch, boolean training) {
        NDArray input = manager.randomNormal(backbone.batchShape(batch));
        return backbone.block().forward(new ParameterStore(manager, false), new NDList(input), training)
                .singletonOrThrow();
    }

    @Test
    void outputShapesOverSizesAndChannels() {
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String name : Backbones.NAMES) {
                for (int channels : new int[] {1, 3}) {
                    for (int side : new int[] {16, 28, 32}) {
                        if (name.equals("resnet18") && side != 32) {
                            continue; // the big one once is enough
                        }
                        Backbone backbone = Backbones.byName(name, channels, side, side);
                        backbone.block().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32,
                                backbone.batchShape(2));
                        NDArray out = forward(backbone, manager, 3, false);
                        assertThat(out.getShape()).as("%s %dx%dx%d", name, channels, side, side)
                                .isEqualTo(new Shape(3, backbone.featureDim()));
                    }
                }
            }
            assertThat(Backbones.byName("resnet18", 3, 32, 32).featureDim()).isEqualTo(512);
            assertThat(Backbones.byName("small-resnet", 3, 32, 32).featureDim()).isEqualTo(128);
            assertThat(Backbones.byName("mlp", 3, 32, 32).featureDim()).isEqualTo(128);
        }
    }

    @Test
    void resnet18HasTheCifarStemAndElevenMillionParameters() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbone backbone = Backbones.resnet18Cifar(3, 32, 32);
            backbone.block().initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, backbone.batchShape(2));
            long count = backbone.block().getParameters().stream()
                    .filter(p -> p.getValue().requiresGradient())
                    .mapToLong(p -> p.getValue().getArray().size()).sum();
            // torchvision resnet18 without fc, 3x3 stem: 11,168,832 trainable values
            assertThat(count).isEqualTo(11_168_832L);
        }
    }

    @Test
    void residualBlockAddsTheIdentity() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ResidualBlock block = new ResidualBlock(2, 2, 1);
            block.initialize(manager, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 2, 3, 3));
            // zero every residual weight: BN of a zero map is its bias (0), so out = relu(x)
            block.getParameters().forEach(p -> {
                if (p.getKey().contains("Conv2d")) {
                    p.getValue().getArray().muli(0f);
                }
            });
            NDArray x = manager.create(new float[] {-1, 2, -3, 4, -5, 6, -7, 8, -9,
                1, -2, 3, -4, 5, -6, 7, -8, 9}, new Shape(1, 2, 3, 3));
            NDArray out = block.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            assertThat(out.toFloatArray()).containsExactly(x.maximum(0f).toFloatArray());
            assertThatThrownBy(() -> new ResidualBlock(2, 2, 3)).hasMessageContaining("found 3");
        }
    }

    @Test
    void weightsSurviveACheckpointRoundTrip(@TempDir Path dir) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(3);
            Method trained = Methods.build("simclr", "small-resnet", 3, 16, 16, 0.5);
            trained.model().initialize(manager, 4);
            TorchRuntime.setSeed(4);
            Method fresh = Methods.build("simclr", "small-resnet", 3, 16, 16, 0.5);
            fresh.model().initialize(manager, 4);
            NDArray input = manager.randomNormal(new Shape(4, 3, 16, 16));
            float[] expected = trained.model().forward(new ParameterStore(manager, false),
                    new NDList(input), false).singletonOrThrow().toFloatArray();
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                Path saved = Checkpoints.save(dir, trained.model(), optimizer,
                        new CheckpointState(1, 1, 0, "simclr", "small-resnet", 3, 16, 16, 0.5,
                                new float[] {0, 0, 0}, new float[] {1, 1, 1}, null), 1);
                Checkpoints.loadModel(saved, fresh.model(), manager);
            }
            float[] actual = fresh.model().forward(new ParameterStore(manager, false),
                    new NDList(input), false).singletonOrThrow().toFloatArray();
            assertThat(actual).containsExactly(expected);
            assertThat(expected[0]).isNotCloseTo(0f, within(0f));
        }
    }

    @Test
    void rejectsUnknownNamesAndBadShapes() {
        assertThatThrownBy(() -> Backbones.byName("vit", 3, 32, 32)).hasMessageContaining("'vit'");
        assertThatThrownBy(() -> Backbones.resNet("x", 3, 32, 32, new int[0], 1))
                .hasMessageContaining("0 stages");
        assertThatThrownBy(() -> ProjectionHead.mlp(0, 5)).hasMessageContaining("hidden=0");
    }
}
