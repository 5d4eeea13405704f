package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MomentumEncoderTest {
    private static Block initialised(NDManager manager, int seed) {
        ai.djl.engine.Engine.getInstance().setRandomSeed(seed);
        Block head = ProjectionHead.mlp(6, 3);
        head.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
        return head;
    }

    /** Values of the parameters of {@code block}; with trainableOnly, those of the gamma/beta/weight/bias kind. */
    private static List<float[]> values(Block block, boolean trainableOnly) {
        List<float[]> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!trainableOnly || !isRunningStatistic(p.getValue())) {
                out.add(p.getValue().getArray().toFloatArray());
            }
        }
        return out;
    }

    private static boolean isRunningStatistic(Parameter parameter) {
        return parameter.getType() == Parameter.Type.RUNNING_MEAN
                || parameter.getType() == Parameter.Type.RUNNING_VAR;
    }

    @Test
    void copyMakesTheTargetEqualAndFrozen() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block online = initialised(manager, 1);
            Block target = initialised(manager, 2);
            MomentumEncoder encoder = new MomentumEncoder().track(online, target);
            encoder.copyOnlineToTarget();
            List<float[]> a = values(online, false);
            List<float[]> b = values(target, false);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i)).containsExactly(a.get(i));
            }
            for (Pair<String, Parameter> p : target.getParameters()) {
                assertThat(p.getValue().requiresGradient()).as(p.getKey()).isFalse();
            }
        }
    }

    @Test
    void updateIsTheExactMovingAverageOfTrainableParameters() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block online = initialised(manager, 3);
            Block target = initialised(manager, 4);
            MomentumEncoder encoder = new MomentumEncoder().track(online, target);
            List<float[]> o = values(online, true);
            List<float[]> t = values(target, true);
            List<float[]> runningBefore = new ArrayList<>();
            for (Pair<String, Parameter> p : target.getParameters()) {
                if (isRunningStatistic(p.getValue())) {
                    runningBefore.add(p.getValue().getArray().toFloatArray());
                }
            }
            assertThat(runningBefore).isNotEmpty();
            double m = 0.9;
            encoder.update(m);
            List<float[]> after = values(target, true);
            for (int i = 0; i < o.size(); i++) {
                float[] expected = new float[o.get(i).length];
                for (int j = 0; j < expected.length; j++) {
                    // the same fp32 operations in the same order: exact
                    expected[j] = t.get(i)[j] * (float) m + o.get(i)[j] * (float) (1 - m);
                }
                assertThat(after.get(i)).containsExactly(expected);
            }
            // batch-norm running statistics are the target's own
            int r = 0;
            for (Pair<String, Parameter> p : target.getParameters()) {
                if (isRunningStatistic(p.getValue())) {
                    assertThat(p.getValue().getArray().toFloatArray()).containsExactly(runningBefore.get(r++));
                }
            }
            // m = 1 keeps the target, m = 0 copies the online network
            encoder.update(1);
            List<float[]> kept = values(target, true);
            for (int i = 0; i < kept.size(); i++) {
                assertThat(kept.get(i)).containsExactly(after.get(i));
            }
            encoder.update(0);
            List<float[]> copied = values(target, true);
            for (int i = 0; i < copied.size(); i++) {
                assertThat(copied.get(i)).containsExactly(o.get(i));
            }
        }
    }

    @Test
    void cosineScheduleGoesFromBaseToEnd() {
        assertThat(MomentumEncoder.cosineMomentum(0.99, 1, 0, 100)).isEqualTo(0.99);
        assertThat(MomentumEncoder.cosineMomentum(0.99, 1, 50, 100)).isCloseTo(0.995, within(1e-12));
        assertThat(MomentumEncoder.cosineMomentum(0.99, 1, 100, 100)).isCloseTo(1.0, within(1e-12));
        assertThat(MomentumEncoder.cosineMomentum(0.99, 1, 25, 100))
                .isCloseTo(1 - 0.01 * (Math.cos(Math.PI / 4) + 1) / 2, within(1e-12));
        assertThat(MomentumEncoder.cosineMomentum(0.99, 1, 7, Long.MAX_VALUE)).isCloseTo(0.99, within(1e-12));
        assertThatThrownBy(() -> MomentumEncoder.cosineMomentum(0.99, 1, 1, 0))
                .hasMessageContaining("totalSteps > 0");
    }

    @Test
    void rejectsBadMomentumAndMismatchedBlocks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block online = initialised(manager, 5);
            MomentumEncoder encoder = new MomentumEncoder().track(online, initialised(manager, 6));
            assertThatThrownBy(() -> encoder.update(1.5)).hasMessageContaining("found 1.5");
            assertThatThrownBy(() -> new MomentumEncoder().track(online, online))
                    .hasMessageContaining("different blocks");
            Block other = ProjectionHead.mlp(7, 3);
            other.initialize(manager, DataType.FLOAT32, new Shape(2, 4));
            MomentumEncoder mismatched = new MomentumEncoder().track(online, other);
            assertThatThrownBy(mismatched::copyOnlineToTarget)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("shape");
        }
    }
}
