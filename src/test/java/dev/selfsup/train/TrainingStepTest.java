package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.method.ViewBatch;
import dev.selfsup.nn.Bf16Autocast;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrainingStepTest {
    private static Method initialised(String method, String backbone, NDManager manager, int rows) {
        TorchRuntime.setSeed(1);
        Method m = Methods.build(method, backbone, 1, 8, 8, method.equals("simclr") ? 0.5 : null);
        m.model().initialize(manager, rows);
        for (Pair<String, Parameter> p : m.model().getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
        return m;
    }

    @Test
    void noArrayOutlivesItsStep() {
        long[] shape = {32, 1, 8, 8}; // 16 samples x 2 views
        float[] batch = new float[32 * 64];
        SplittableRandom random = new SplittableRandom(4);
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = initialised("simclr", "small-resnet", manager, 32);
            try (Optimizer optimizer = Optimizer.create("adam", manager, 1e-4)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                int[] counts = new int[301];
                for (int i = 0; i <= 300; i++) {
                    for (int j = 0; j < batch.length; j++) {
                        batch[j] = (float) random.nextGaussian();
                    }
                    assertThat(step.run(batch, shape, 1e-3)).isFinite();
                    counts[i] = countArrays(manager);
                }
                // after the first step created the optimiser state, the count never changes
                int[] afterFirst = Arrays.copyOfRange(counts, 1, counts.length);
                assertThat(afterFirst).containsOnly(counts[1]);
            }
        }
    }

    /**
     * A bf16 step whose backbone never ran under autocast is refused on its first step; the same
     * method through its own forward pass trains.
     */
    @Test
    void bf16StepThatBypassesAutocastIsRefused() {
        assumeTrue(Bf16Autocast.available(), "needs a CPU with bf16 instructions");
        long[] shape = {8, 1, 8, 8}; // 4 samples x 2 views
        float[] batch = new float[8 * 64];
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = initialised("simclr", "mlp", manager, 8);
            method.model().setBf16(true);
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep bypassing = new TrainingStep(method.model(), optimizer, manager,
                        (step, total) -> { });
                TrainingStep.Batch direct = new TrainingStep.Batch() {
                    @Override
                    public NDArray loss(ParameterStore store, NDManager step) {
                        NDArray x = step.randomNormal(new Shape(8, 1, 8, 8));
                        // the backbone's block, called directly: no autocast
                        return method.model().backbone().block()
                                .forward(store, new NDList(x), true).singletonOrThrow()
                                .square().mean();
                    }

                    @Override
                    public long rows() {
                        return 8;
                    }
                };
                assertThatThrownBy(() -> bypassing.run(direct, 1e-3, 0, 10))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("inBackbonePrecision");
                TrainingStep proper = new TrainingStep(method, optimizer, manager);
                long before = method.model().autocastCalls();
                assertThat(proper.run(batch, shape, 1e-3)).isFinite();
                assertThat(method.model().autocastCalls()).isGreaterThan(before);
            }
        }
    }

    private static int countArrays(NDManager manager) {
        int count = manager.getManagedArrays().size();
        return count;
    }

    /** The same step with the batch copied in by DJL's own {@code create(FloatBuffer)}. */
    private static float referenceStep(Method method, Optimizer optimizer, NDManager manager,
            float[] batch, long[] shape) {
        try (NDManager step = manager.newSubManager()) {
            NDArray images = step.create(FloatBuffer.wrap(batch), new Shape(shape));
            ViewBatch views = new ViewBatch(images, (int) (shape[0] / 2), 2);
            float loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                NDArray value = method.loss(new ParameterStore(step, false), views, true);
                loss = value.getFloat();
                collector.backward(value);
            }
            optimizer.step(method.model().getParameters(), 1e-3, step);
            return loss;
        }
    }

    @Test
    void theReusedInputBufferGivesTheSameStepsAsFreshCopies() {
        // batch sizes change (the buffer grows, and a smaller batch leaves stale floats behind)
        long[][] shapes = {{16, 1, 8, 8}, {32, 1, 8, 8}, {16, 1, 8, 8}, {32, 1, 8, 8}};
        SplittableRandom random = new SplittableRandom(9);
        float[][] batches = new float[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            batches[i] = new float[(int) (shapes[i][0] * 64)];
            for (int j = 0; j < batches[i].length; j++) {
                batches[i][j] = (float) random.nextGaussian();
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = initialised("simclr", "small-resnet", manager, 16);
            Method reference = initialised("simclr", "small-resnet", manager, 16);
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0);
                    Optimizer referenceOptimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                for (int i = 0; i < shapes.length; i++) {
                    float expected = referenceStep(reference, referenceOptimizer, manager,
                            batches[i], shapes[i]);
                    assertThat(step.run(batches[i], shapes[i], 1e-3)).as("step %d", i)
                            .isEqualTo(expected);
                }
            }
            assertThat(method.model().getParameters().get(0).getValue().getArray().toFloatArray())
                    .containsExactly(reference.model().getParameters().get(0).getValue().getArray()
                            .toFloatArray());
        }
    }

    @Test
    void aNonFiniteLossStopsBeforeAnyUpdate() {
        long[] shape = {8, 1, 8, 8};
        float[] batch = new float[8 * 64];
        Arrays.fill(batch, Float.NaN);
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = initialised("simclr", "mlp", manager, 8);
            float[] before = method.model().getParameters().get(0).getValue().getArray().toFloatArray();
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                assertThatThrownBy(() -> step.run(batch, shape, 1e-3))
                        .isInstanceOf(TrainingDivergedException.class).hasMessageContaining("NaN");
                assertThat(optimizer.updateCount()).isZero();
            }
            assertThat(method.model().getParameters().get(0).getValue().getArray().toFloatArray())
                    .isEqualTo(before);
        }
    }
}
