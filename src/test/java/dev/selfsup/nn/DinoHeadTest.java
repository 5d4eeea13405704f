package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.train.TorchRuntime;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DinoHead}: shapes, the cosine range, and what its batch norm is for. */
class DinoHeadTest {
    private static DinoHead initialised(DinoHead head, NDManager manager, int inputDim) {
        TorchRuntime.setSeed(5);
        head.initialize(manager, DataType.FLOAT32, new Shape(2, inputDim));
        return head;
    }

    private static NDArray forward(DinoHead head, NDManager manager, float[] inputs, int rows,
            int dim) {
        NDArray x = manager.create(inputs, new Shape(rows, dim));
        return head.forward(new ParameterStore(manager, false), new NDList(x), true).head();
    }

    /** Mean over outputs of the standard deviation across the batch. */
    private static double spreadAcrossImages(NDArray out) {
        return out.sub(out.mean(new int[] {0}, true)).square().mean(new int[] {0}).sqrt().mean()
                .getFloat();
    }

    /** Rows that share a large common component: post-ReLU, pooled-CNN-like features. */
    private static float[] commonComponentRows(int rows, int dim) {
        SplittableRandom random = new SplittableRandom(11);
        float[] common = new float[dim];
        for (int d = 0; d < dim; d++) {
            common[d] = 2f + (float) random.nextDouble();
        }
        float[] values = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                values[r * dim + d] = common[d] + 0.1f * (float) random.nextGaussian();
            }
        }
        return values;
    }

    @Test
    void outputsAreCosinesOfEveryShape() {
        for (boolean norm : new boolean[] {false, true}) {
            for (int[] size : new int[][] {{4, 8, 16, 4, 32}, {8, 24, 32, 8, 100}}) {
                int rows = size[0];
                int dim = size[1];
                try (NDManager manager = NDManager.newBaseManager()) {
                    DinoHead head = initialised(new DinoHead(size[2], size[3], size[4], norm),
                            manager, dim);
                    float[] inputs = commonComponentRows(rows, dim);
                    NDArray out = forward(head, manager, inputs, rows, dim);
                    assertThat(out.getShape()).isEqualTo(new Shape(rows, size[4]));
                    assertThat(head.getOutputShapes(new Shape[] {new Shape(rows, dim)})[0])
                            .isEqualTo(new Shape(rows, size[4]));
                    for (float v : out.toFloatArray()) {
                        assertThat(v).isBetween(-1.0001f, 1.0001f);
                    }
                    assertThat(head.batchNorm()).isEqualTo(norm);
                    List<String> names = head.getParameters().keys();
                    assertThat(names.stream().anyMatch(n -> n.contains("first_norm")))
                            .isEqualTo(norm);
                    assertThat(names.stream().anyMatch(n -> n.contains("second_norm")))
                            .isEqualTo(norm);
                }
            }
        }
    }

    @Test
    void batchNormMakesTheOutputsDifferFromImageToImageBehindACommonComponent() {
        int rows = 64;
        int dim = 32;
        float[] inputs = commonComponentRows(rows, dim);
        try (NDManager manager = NDManager.newBaseManager()) {
            double plain = spreadAcrossImages(forward(initialised(new DinoHead(64, 16, 256, false),
                    manager, dim), manager, inputs, rows, dim));
            double normed = spreadAcrossImages(forward(initialised(new DinoHead(64, 16, 256, true),
                    manager, dim), manager, inputs, rows, dim));
            // without it every image maps to nearly the same bottleneck direction, so after the
            // teacher's centering nothing is left to sharpen
            assertThat(normed).isGreaterThan(5 * plain);
        }
    }
}
