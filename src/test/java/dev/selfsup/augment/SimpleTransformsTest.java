package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.util.Seeds;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Hand-computed values and rates of flip, grayscale, solarize, noise and blur. */
class SimpleTransformsTest {

    @Test
    void flipMirrorsEachRowOfAKnownPattern() {
        float[] data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        FloatImage image = new FloatImage(2, 2, 3, data.clone());
        new HorizontalFlip(1.0).apply(image, Seeds.random(1));
        assertThat(image.data()).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10);
        new HorizontalFlip(0.0).apply(image, Seeds.random(1));
        assertThat(image.data()).containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10);
    }

    @Test
    void flipRateMatchesTheProbability() {
        for (double p : new double[] {0.5, 0.2}) {
            HorizontalFlip flip = new HorizontalFlip(p);
            int flipped = 0;
            int draws = 10_000;
            for (int i = 0; i < draws; i++) {
                FloatImage image = new FloatImage(1, 1, 2, new float[] {0f, 1f});
                if (flip.apply(image, Seeds.random(21, i)).get(0, 0, 0) == 1f) {
                    flipped++;
                }
            }
            assertThat((double) flipped / draws).isCloseTo(p, within(0.02));
        }
    }

    @Test
    void grayscaleWritesTheLumaToAllChannels() {
        FloatImage image = TestImages.pixels(new float[] {0.2f, 0.4f, 0.6f});
        new RandomGrayscale(1.0).apply(image, Seeds.random(1));
        float luma = 0.299f * 0.2f + 0.587f * 0.4f + 0.114f * 0.6f;
        assertThat((double) luma).isCloseTo(0.363, within(1e-6));
        assertAllClose(image.data(), new float[] {luma, luma, luma}, 0, 1e-6);
    }

    @Test
    void grayscaleRateMatchesTheProbabilityAndSkipsGrayImages() {
        RandomGrayscale gray = new RandomGrayscale(0.2);
        int grayed = 0;
        int draws = 10_000;
        for (int i = 0; i < draws; i++) {
            FloatImage image = TestImages.pixels(new float[] {1f, 0f, 0f});
            if (gray.apply(image, Seeds.random(22, i)).get(1, 0, 0) > 0f) {
                grayed++;
            }
        }
        assertThat((double) grayed / draws).isCloseTo(0.2, within(0.02));

        FloatImage single = TestImages.randomImage(1, 5, 5, 3);
        float[] before = single.data().clone();
        new RandomGrayscale(1.0).apply(single, Seeds.random(1));
        assertThat(single.data()).containsExactly(before);
    }

    @Test
    void solarizeInvertsValuesAtOrAboveTheThreshold() {
        FloatImage image = new FloatImage(1, 1, 4, new float[] {0.1f, 0.5f, 0.6f, 0.7f});
        new Solarize(1.0, 0.6).apply(image, Seeds.random(1));
        assertAllClose(image.data(), new float[] {0.1f, 0.5f, 0.4f, 0.3f}, 0, 1e-6);
        FloatImage half = new FloatImage(1, 1, 2, new float[] {0.5f, 0.49f});
        new Solarize(1.0).apply(half, Seeds.random(1));
        assertAllClose(half.data(), new float[] {0.5f, 0.49f}, 0, 1e-6);
    }

    @Test
    void gaussianNoiseHasMeanZeroAndTheGivenStd() {
        GaussianNoise noise = new GaussianNoise(0.05);
        FloatImage image = FloatImage.zeros(3, 32, 32);
        Arrays.fill(image.data(), 0.5f);
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        for (int i = 0; i < 20; i++) {
            FloatImage out = noise.apply(image.copy(), Seeds.random(23, i));
            for (float v : out.data()) {
                double d = v - 0.5;
                sum += d;
                sumSquares += d * d;
                n++;
            }
        }
        double mean = sum / n;
        double std = Math.sqrt(sumSquares / n - mean * mean);
        assertThat(mean).isCloseTo(0.0, within(0.002));
        assertThat(std).isCloseTo(0.05, within(0.001));
    }

    @Test
    void blurKernelIsTheNormalisedGaussian() {
        float[] kernel = new float[3];
        GaussianBlur.kernel(3, 1.0, kernel);
        double edge = Math.exp(-0.5);
        double total = 1 + 2 * edge;
        assertAllClose(kernel, new float[] {(float) (edge / total), (float) (1 / total),
                (float) (edge / total)}, 0, 1e-7);
        assertThat((double) kernel[0]).isCloseTo(0.27407, within(1e-5));
    }

    @Test
    void blurKeepsConstantsAndSpreadsAnImpulseSymmetrically() {
        GaussianBlur blur = new GaussianBlur(1.0, 5, 1.0, 1.0);
        FloatImage constant = FloatImage.zeros(3, 9, 9);
        Arrays.fill(constant.data(), 0.7f);
        assertAllClose(blur.apply(constant, Seeds.random(1)).data(), filled(243, 0.7f), 0,
                1e-6);

        FloatImage impulse = FloatImage.zeros(1, 9, 9);
        impulse.set(0, 4, 4, 1f);
        float[] out = blur.apply(impulse, Seeds.random(1)).data();
        double total = 0;
        for (float v : out) {
            total += v;
        }
        assertThat(total).isCloseTo(1.0, within(1e-5));
        float[] kernel = new float[5];
        GaussianBlur.kernel(5, 1.0, kernel);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 9; x++) {
                float expected = Math.abs(y - 4) <= 2 && Math.abs(x - 4) <= 2
                        ? kernel[y - 2] * kernel[x - 2] : 0f;
                assertThat(out[y * 9 + x]).isCloseTo(expected, within(1e-7f));
                assertThat(out[y * 9 + x]).isEqualTo(out[x * 9 + y]);
            }
        }
    }

    @Test
    void blurReflectsWithoutRepeatingTheEdge() {
        assertThat(GaussianBlur.reflect(-1, 5)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(-2, 5)).isEqualTo(2);
        assertThat(GaussianBlur.reflect(5, 5)).isEqualTo(3);
        assertThat(GaussianBlur.reflect(9, 5)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(-7, 3)).isEqualTo(1);
        assertThat(GaussianBlur.reflect(4, 1)).isEqualTo(0);
    }

    @Test
    void blurRateMatchesTheProbability() {
        GaussianBlur blur = new GaussianBlur(0.5, 3);
        FloatImage image = TestImages.randomImage(1, 6, 6, 2);
        int blurred = 0;
        int draws = 4000;
        for (int i = 0; i < draws; i++) {
            if (!Arrays.equals(blur.apply(image.copy(), Seeds.random(24, i)).data(),
                    image.data())) {
                blurred++;
            }
        }
        assertThat((double) blurred / draws).isCloseTo(0.5, within(0.03));
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        Arrays.fill(values, value);
        return values;
    }
}
