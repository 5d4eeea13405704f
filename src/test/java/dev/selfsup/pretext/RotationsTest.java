package dev.selfsup.pretext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RotationsTest {
    /** Plain-Java counter-clockwise quarter turn of (channels, side, side) planes. */
    private static float[] turn(float[] image, int channels, int side) {
        float[] out = new float[image.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    // counter-clockwise: the right column becomes the top row
                    out[(c * side + y) * side + x] = image[(c * side + x) * side + (side - 1 - y)];
                }
            }
        }
        return out;
    }

    @Test
    void allFourMatchPlainJavaTurnsAndLabelsFollowTheRotation() {
        int batch = 2;
        int channels = 3;
        int side = 4;
        int volume = channels * side * side;
        float[] values = new float[batch * volume];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.create(values, new Shape(batch, channels, side, side));
            NDArray all = Rotations.allFour(images);
            assertThat(all.getShape()).isEqualTo(new Shape(4L * batch, channels, side, side));
            float[] rotated = all.toFloatArray();
            for (int n = 0; n < batch; n++) {
                float[] expected = java.util.Arrays.copyOfRange(values, n * volume, (n + 1) * volume);
                for (int k = 0; k < 4; k++) {
                    int row = k * batch + n;
                    assertThat(java.util.Arrays.copyOfRange(rotated, row * volume, (row + 1) * volume))
                            .as("image %d turned %d times", n, k).containsExactly(expected);
                    expected = turn(expected, channels, side);
                }
            }
            assertThat(Rotations.labels(manager, batch).toLongArray())
                    .containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
            // four quarter turns are the identity
            assertThat(Rotations.rotate(Rotations.rotate(images, 3), 1).toFloatArray())
                    .containsExactly(values);
            assertThatThrownBy(() -> Rotations.rotate(manager.zeros(new Shape(1, 1, 4, 5)), 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4x5");
        }
    }
}
