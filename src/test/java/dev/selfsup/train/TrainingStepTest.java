package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
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

    private static int countArrays(NDManager manager) {
        int count = manager.getManagedArrays().size();
        return count;
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
