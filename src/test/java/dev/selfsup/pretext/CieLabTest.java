package dev.selfsup.pretext;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CieLabTest {
    @Test
    void knownColours() {
        assertAllClose(CieLab.fromRgb(new float[] {1, 1, 1}), new float[] {100, 0, 0}, 0, 1e-3);
        assertAllClose(CieLab.fromRgb(new float[] {0, 0, 0}), new float[] {0, 0, 0}, 0, 1e-4);
        // sRGB primaries under D65 (Lindbloom's calculator)
        assertAllClose(CieLab.fromRgb(new float[] {1, 0, 0}),
                new float[] {53.2408f, 80.0925f, 67.2032f}, 0, 0.01);
        assertAllClose(CieLab.fromRgb(new float[] {0, 1, 0}),
                new float[] {87.7347f, -86.1827f, 83.1793f}, 0, 0.01);
        assertAllClose(CieLab.fromRgb(new float[] {0, 0, 1}),
                new float[] {32.2970f, 79.1875f, -107.8602f}, 0, 0.01);
        // a gray's L depends only on its level and a = b = 0
        float[] gray = CieLab.fromRgb(new float[] {0.5f, 0.5f, 0.5f});
        assertAllClose(gray, new float[] {53.3890f, 0, 0}, 0, 0.01);
    }

    @Test
    void roundTripsOverTheGamut() {
        for (int r = 0; r <= 10; r++) {
            for (int g = 0; g <= 10; g++) {
                for (int b = 0; b <= 10; b++) {
                    float[] rgb = {r / 10f, g / 10f, b / 10f};
                    assertAllClose(CieLab.toRgb(CieLab.fromRgb(rgb)), rgb, 0, 1e-4);
                }
            }
        }
        // the dark, linear part of both curves
        float[] dark = {0.01f, 0.002f, 0.03f};
        assertAllClose(CieLab.toRgb(CieLab.fromRgb(dark)), dark, 0, 1e-5);
    }

    @Test
    void batchConversionMatchesThePixelOne() {
        int batch = 3;
        int side = 5;
        int plane = side * side;
        float[] rgb = new float[batch * 3 * plane];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (float) random.nextDouble();
        }
        rgb[0] = 0.001f; // below the sRGB knee
        float[] expected = new float[rgb.length];
        for (int n = 0; n < batch; n++) {
            for (int p = 0; p < plane; p++) {
                float[] lab = CieLab.fromRgb(new float[] {rgb[(n * 3) * plane + p],
                    rgb[(n * 3 + 1) * plane + p], rgb[(n * 3 + 2) * plane + p]});
                for (int c = 0; c < 3; c++) {
                    expected[(n * 3 + c) * plane + p] = lab[c];
                }
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.create(rgb, new Shape(batch, 3, side, side));
            assertAllClose(CieLab.fromRgb(images).toFloatArray(), expected, 1e-4, 1e-3);
            assertThatThrownBy(() -> CieLab.fromRgb(manager.zeros(new Shape(2, 1, side, side))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(batch, 3");
        }
    }
}
