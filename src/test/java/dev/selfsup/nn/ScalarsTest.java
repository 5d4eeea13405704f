package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    /**
     * The gradient of {@code op} at x = (1, 2, 3), with a garbage collection between forward and
     * backward and then many small direct buffers filled with 1e-30, which reuse memory the
     * collection freed: a scalar that autograd saved in freed memory reads back as 1e-30.
     */
    private static float[] gradientAcrossACollection(UnaryOperator<NDArray> op)
            throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1f, 2f, 3f});
            x.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray y = op.apply(x);
                System.gc();
                Thread.sleep(20); // the reference handler runs the direct buffers' cleaners
                List<ByteBuffer> junk = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer buffer = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                    buffer.putFloat(0, 1e-30f);
                    junk.add(buffer);
                }
                collector.backward(y.sum());
                assertThat(junk).hasSize(2000);
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        for (int trial = 0; trial < 3; trial++) {
            assertThat(gradientAcrossACollection(x -> Scalars.dividedBy(x, 4f)))
                    .containsExactly(0.25f, 0.25f, 0.25f);
            assertThat(gradientAcrossACollection(x -> Scalars.times(x, 3f)))
                    .containsExactly(3f, 3f, 3f);
            assertThat(gradientAcrossACollection(x -> Scalars.maximum(x, 2.5f)))
                    .containsExactly(0f, 0f, 1f);
        }
    }

    @Test
    void valuesEqualDjlsScalarOps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new ai.djl.ndarray.types.Shape(50));
            assertThat(Scalars.dividedBy(x, 0.3f).toFloatArray())
                    .containsExactly(x.div(0.3f).toFloatArray());
            assertThat(Scalars.times(x, -1.7f).toFloatArray())
                    .containsExactly(x.mul(-1.7f).toFloatArray());
            assertThat(Scalars.maximum(x, 0.1f).toFloatArray())
                    .containsExactly(x.maximum(0.1f).toFloatArray());
        }
    }
}
