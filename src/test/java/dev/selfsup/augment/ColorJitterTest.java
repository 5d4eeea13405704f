package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.util.Seeds;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hand-computed values and statistics of {@link ColorJitter}. */
class ColorJitterTest {
    private static float[][] work(int length) {
        return new float[][] {new float[length], new float[length], new float[length]};
    }

    @Test
    void brightnessScalesAndClamps() {
        float[] plane = {0.4f, 0.4f, 0.4f};
        ColorJitter.adjustBrightness(plane, 3, 1.5f);
        assertAllClose(plane, new float[] {0.6f, 0.6f, 0.6f}, 0, 1e-6);
        ColorJitter.adjustBrightness(plane, 3, 3f);
        assertThat(plane).containsExactly(1f, 1f, 1f);
    }

    @Test
    void brightnessFactorOnAConstantImageIsUniformAroundOne() {
        ColorJitter jitter = new ColorJitter(0.5, 0, 0, 0);
        double sum = 0;
        double smallest = 2;
        double largest = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            FloatImage image = FloatImage.zeros(3, 4, 4);
            Arrays.fill(image.data(), 0.4f);
            float[] out = jitter.apply(image, Seeds.random(11, i)).data();
            double factor = out[0] / 0.4;
            for (float v : out) {
                assertThat(v).isEqualTo(out[0]);
            }
            assertThat(factor).isBetween(0.5 - 1e-6, 1.5 + 1e-6);
            sum += factor;
            smallest = Math.min(smallest, factor);
            largest = Math.max(largest, factor);
        }
        assertThat(sum / draws).isCloseTo(1.0, within(0.02));
        assertThat(smallest).isLessThan(0.52);
        assertThat(largest).isGreaterThan(1.48);
    }

    @Test
    void contrastBlendsTowardsTheMean() {
        float[] gray = {0.2f, 0.6f};
        ColorJitter.adjustContrast(gray, 2, 0.5f, work(2));
        assertAllClose(gray, new float[] {0.3f, 0.5f}, 0, 1e-6);

        // RGB: factor 0 gives the mean luma everywhere
        FloatImage image = TestImages.pixels(new float[] {1f, 0f, 0f}, new float[] {0f, 0f, 1f});
        float[] d = image.data();
        float[] red = {d[0], d[1]};
        float[] green = {d[2], d[3]};
        float[] blue = {d[4], d[5]};
        ColorJitter.adjustContrast(red, green, blue, 2, 0f, work(2));
        float mean = (0.299f + 0.114f) / 2;
        for (float[] plane : new float[][] {red, green, blue}) {
            assertAllClose(plane, new float[] {mean, mean}, 0, 1e-6);
        }
    }

    @Test
    void destructiveSumMatchesADoubleSum() {
        SplittableRandom random = new SplittableRandom(3);
        for (int length : new int[] {1, 2, 31, 32, 33, 65, 784, 1000, 1024, 9216}) {
            float[] values = new float[length];
            double expected = 0;
            for (int i = 0; i < length; i++) {
                values[i] = (float) random.nextDouble();
                expected += values[i];
            }
            float sum = ColorJitter.destructiveSum(values, length, new float[length]);
            assertThat((double) sum).isCloseTo(expected, within(1e-5 * length));
        }
    }

    @Test
    void saturationZeroIsGrayscaleAndOneIsIdentity() {
        float[] red = {0.2f, 0.9f};
        float[] green = {0.4f, 0.1f};
        float[] blue = {0.6f, 0.5f};
        float[][] copy = {red.clone(), green.clone(), blue.clone()};
        ColorJitter.adjustSaturation(copy[0], copy[1], copy[2], 2, 1f);
        assertThat(copy[0]).containsExactly(red);
        assertThat(copy[1]).containsExactly(green);
        assertThat(copy[2]).containsExactly(blue);
        ColorJitter.adjustSaturation(red, green, blue, 2, 0f);
        float luma0 = 0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f;
        float luma1 = 0.299f * 0.9f + 0.587f * 0.1f + 0.114f * 0.5f;
        for (float[] plane : new float[][] {red, green, blue}) {
            assertAllClose(plane, new float[] {luma0, luma1}, 0, 1e-6);
        }
    }

    @Test
    void hueShiftOfOneThirdMapsRedToGreen() {
        float[] red = {1f, 0f, 0f};
        float[] green = {0f, 1f, 0f};
        float[] blue = {0f, 0f, 1f};
        ColorJitter.adjustHue(red, green, blue, 3, 1f / 3f, work(3));
        // red -> green, green -> blue, blue -> red
        assertAllClose(red, new float[] {0f, 0f, 1f}, 0, 1e-6);
        assertAllClose(green, new float[] {1f, 0f, 0f}, 0, 1e-6);
        assertAllClose(blue, new float[] {0f, 1f, 0f}, 0, 1e-6);
    }

    @Test
    void hueShiftOfAHalfMapsToTheOppositeHue() {
        // (0.2, 0.4, 0.6): h = 3.5 sixths; + 3 -> 0.5: (max, min + c/2, min) = (0.6, 0.4, 0.2)
        float[] red = {0.2f};
        float[] green = {0.4f};
        float[] blue = {0.6f};
        ColorJitter.adjustHue(red, green, blue, 1, 0.5f, work(1));
        assertAllClose(new float[] {red[0], green[0], blue[0]}, new float[] {0.6f, 0.4f, 0.2f},
                0, 1e-6);
    }

    @Test
    void hueMatchesTorchvisionsHsvRoundTrip() {
        SplittableRandom random = new SplittableRandom(5);
        int length = 4096;
        for (int trial = 0; trial < 20; trial++) {
            float[][] planes = new float[3][length];
            for (float[] plane : planes) {
                for (int i = 0; i < length; i++) {
                    // include exact ties and gray pixels
                    plane[i] = random.nextInt(10) == 0 ? 0.5f : (float) random.nextDouble();
                }
            }
            float shift = (float) (random.nextDouble() - 0.5);
            float[] expected = new float[3 * length];
            for (int i = 0; i < length; i++) {
                double[] rgb = torchvisionAdjustHue(planes[0][i], planes[1][i], planes[2][i],
                        shift);
                for (int c = 0; c < 3; c++) {
                    expected[c * length + i] = (float) rgb[c];
                }
            }
            ColorJitter.adjustHue(planes[0], planes[1], planes[2], length, shift, work(length));
            float[] actual = new float[3 * length];
            for (int c = 0; c < 3; c++) {
                System.arraycopy(planes[c], 0, actual, c * length, length);
            }
            assertAllClose(actual, expected, 0, 2e-6);
        }
    }

    /** torchvision's {@code _rgb2hsv}, {@code (h + shift) % 1}, {@code _hsv2rgb}, in double. */
    private static double[] torchvisionAdjustHue(double r, double g, double b, double shift) {
        double maxc = Math.max(r, Math.max(g, b));
        double minc = Math.min(r, Math.min(g, b));
        boolean eqc = maxc == minc;
        double cr = maxc - minc;
        double s = cr / (eqc ? 1.0 : maxc);
        double divisor = eqc ? 1.0 : cr;
        double rc = (maxc - r) / divisor;
        double gc = (maxc - g) / divisor;
        double bc = (maxc - b) / divisor;
        double hr = maxc == r ? bc - gc : 0.0;
        double hg = maxc == g && maxc != r ? 2.0 + rc - bc : 0.0;
        double hb = maxc != g && maxc != r ? 4.0 + gc - rc : 0.0;
        double h = ((hr + hg + hb) / 6.0 + 1.0) % 1.0;
        h = ((h + shift) % 1.0 + 1.0) % 1.0;
        double v = maxc;
        double i = Math.floor(h * 6.0);
        double f = h * 6.0 - i;
        double p = clamp(v * (1.0 - s));
        double q = clamp(v * (1.0 - s * f));
        double t = clamp(v * (1.0 - s * (1.0 - f)));
        switch (((int) i) % 6) {
            case 0: return new double[] {v, t, p};
            case 1: return new double[] {q, v, p};
            case 2: return new double[] {p, v, t};
            case 3: return new double[] {p, q, v};
            case 4: return new double[] {t, p, v};
            default: return new double[] {v, p, q};
        }
    }

    private static double clamp(double x) {
        return Math.min(1.0, Math.max(0.0, x));
    }

    @Test
    void hueLeavesGrayPixelsAlone() {
        float[] red = {0f, 0.5f, 1f};
        float[] green = red.clone();
        float[] blue = red.clone();
        ColorJitter.adjustHue(red, green, blue, 3, 0.37f, work(3));
        assertThat(red).containsExactly(0f, 0.5f, 1f);
        assertThat(green).containsExactly(0f, 0.5f, 1f);
        assertThat(blue).containsExactly(0f, 0.5f, 1f);
    }

    @Test
    void onGrayImagesSaturationAndHueAreNoOps() {
        ColorJitter jitter = new ColorJitter(0, 0, 0.9, 0.5);
        for (int i = 0; i < 50; i++) {
            FloatImage image = TestImages.randomImage(1, 6, 6, i);
            float[] before = image.data().clone();
            assertThat(jitter.apply(image, Seeds.random(i)).data()).containsExactly(before);
        }
    }

    @Test
    void appliedWithTheGivenProbability() {
        ColorJitter jitter = new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8);
        FloatImage image = TestImages.randomImage(3, 8, 8, 1);
        int applied = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            float[] out = jitter.apply(image.copy(), Seeds.random(12, i)).data();
            if (!Arrays.equals(out, image.data())) {
                applied++;
            }
        }
        assertThat((double) applied / draws).isCloseTo(0.8, within(0.03));
    }

    @Test
    void operationOrderIsAUniformPermutation() {
        Map<Integer, Integer> counts = new HashMap<>();
        int draws = 24_000;
        for (int i = 0; i < draws; i++) {
            int order = ColorJitter.drawOrder(Seeds.random(13, i));
            boolean[] seen = new boolean[4];
            for (int position = 0; position < 4; position++) {
                seen[ColorJitter.operationAt(order, position)] = true;
            }
            assertThat(seen).containsOnly(true);
            counts.merge(order, 1, Integer::sum);
        }
        assertThat(counts).hasSize(24);
        for (int count : counts.values()) {
            assertThat(count).isBetween(800, 1200);
        }
    }

    @Test
    void simClrStrengthHalfIsTheCifarJitter() {
        ColorJitter jitter = ColorJitter.simClr(0.5);
        assertThat(jitter.brightness()).isCloseTo(0.4, within(1e-12));
        assertThat(jitter.contrast()).isCloseTo(0.4, within(1e-12));
        assertThat(jitter.saturation()).isCloseTo(0.4, within(1e-12));
        assertThat(jitter.hue()).isCloseTo(0.1, within(1e-12));
        assertThat(jitter.probability()).isEqualTo(0.8);
    }
}
