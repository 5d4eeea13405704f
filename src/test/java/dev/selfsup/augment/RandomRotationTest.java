package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomRotationTest {
    private static float[] pattern(int channels, int side) {
        float[] data = new float[channels * side * side];
        for (int i = 0; i < data.length; i++) {
            data[i] = (i * 37 % 101) / 100f;
        }
        return data;
    }

    @Test
    void zeroDegreesIsTheIdentity() {
        float[] data = pattern(3, 7);
        float[] copy = data.clone();
        RandomRotation.rotate(data, 0, 3, 7, 7, 0);
        assertAllClose(data, copy, 0, 1e-6);
    }

    @Test
    void ninetyDegreesMovesEachPixelOnAQuarterTurn() {
        int side = 5;
        float[] data = pattern(2, side);
        float[] source = data.clone();
        RandomRotation.rotate(data, 0, 2, side, side, Math.PI / 2);
        float[] expected = new float[data.length];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    // a quarter turn: output (x, y) takes source column y, row side-1-x
                    expected[c * side * side + y * side + x] =
                            source[c * side * side + (side - 1 - x) * side + y];
                }
            }
        }
        assertAllClose(data, expected, 0, 1e-5);
    }

    @Test
    void keepsRangeUsesTheOffsetAndIsDeterministic() {
        float[] buffer = new float[10 + 3 * 8 * 8];
        float[] image = pattern(3, 8);
        System.arraycopy(image, 0, buffer, 10, image.length);
        float[] again = buffer.clone();
        RandomRotation rotation = new RandomRotation(45);
        rotation.applyInPlace(buffer, 10, 3, 8, 8, new SplittableRandom(3));
        rotation.applyInPlace(again, 10, 3, 8, 8, new SplittableRandom(3));
        assertThat(buffer).containsExactly(again);
        for (int i = 0; i < 10; i++) {
            assertThat(buffer[i]).isZero();
        }
        for (int i = 10; i < buffer.length; i++) {
            assertThat(buffer[i]).isBetween(0f, 1f);
        }
    }

    @Test
    void rejectsAnglesOutsideTheRange() {
        assertThatThrownBy(() -> new RandomRotation(-1)).hasMessageContaining("found -1.0");
        assertThatThrownBy(() -> new RandomRotation(181)).hasMessageContaining("found 181.0");
        assertThat(ViewRecipes.byName("simclr", 32, 0.5, 30.0).transforms())
                .anySatisfy(t -> assertThat(t).isInstanceOf(RandomRotation.class));
        assertThatThrownBy(() -> ViewRecipes.byName("tutorial", 32, 0.5, null))
                .hasMessageContaining("simclr recipe");
    }
}
