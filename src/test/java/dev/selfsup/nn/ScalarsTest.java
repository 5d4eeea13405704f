package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.testing.Autograd;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    private static float[] gradientAcrossACollection(UnaryOperator<NDArray> op)
            throws InterruptedException {
        return Autograd.gradient(new float[] {1f, 2f, 3f}, new Shape(3), op, true);
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
