package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Crop-box statistics, bilinear values and the byte/float paths of {@link RandomResizedCrop}. */
class RandomResizedCropTest {

    @Test
    void fullBoxAtTheOutputSizeIsTheIdentity() {
        ImageSet set = TestImages.random(3, 3, 32, 32, 5);
        RandomResizedCrop crop = new RandomResizedCrop(32, 1.0, 1.0, 1.0, 1.0);
        for (int index = 0; index < set.size(); index++) {
            FloatImage image = FloatImage.of(set, index);
            float[] applied = crop.apply(image.copy(), Seeds.random(1, index)).data();
            assertThat(applied).containsExactly(image.data());
            float[] rendered = new float[3 * 32 * 32];
            crop.render(set, index, Seeds.random(1, index), rendered, 0);
            assertThat(rendered).containsExactly(image.data());
        }
    }

    @Test
    void renderFromBytesEqualsApplyOnTheFloatImage() {
        for (int[] shape : new int[][] {{3, 32, 32, 32}, {1, 28, 28, 28}, {3, 96, 64, 32},
                {1, 10, 14, 24}, {3, 5, 7, 3}}) {
            ImageSet set = TestImages.random(4, shape[0], shape[1], shape[2], shape[3]);
            RandomResizedCrop crop = new RandomResizedCrop(shape[3]);
            int volume = shape[0] * shape[3] * shape[3];
            for (int index = 0; index < set.size(); index++) {
                for (int view = 0; view < 10; view++) {
                    float[] rendered = new float[volume + 3];
                    crop.render(set, index, Seeds.random(2, index, view), rendered, 3);
                    float[] applied = crop.apply(FloatImage.of(set, index),
                            Seeds.random(2, index, view)).data();
                    float[] region = java.util.Arrays.copyOfRange(rendered, 3, 3 + volume);
                    assertThat(region).containsExactly(applied);
                }
            }
        }
    }

    @Test
    void areaFractionFollowsTorchvisionsDistribution() {
        // area fraction s ~ U[a, 1] and log-ratio u ~ U[-L, L] are accepted when s <= e^-|u|;
        // the first accepted draw has mean E[s | accept] = int (m^2 - a^2)/2 du / int (m - a) du
        double a = 0.08;
        double logRatio = Math.log(4.0 / 3.0);
        double numerator = (1 - Math.exp(-2 * logRatio) - 2 * logRatio * a * a) / 2;
        double denominator = 2 * (1 - Math.exp(-logRatio)) - 2 * logRatio * a;
        double expectedMean = numerator / denominator;
        assertThat(expectedMean).isCloseTo(0.4778, within(1e-3));

        RandomResizedCrop crop = new RandomResizedCrop(32);
        int size = 224;
        int draws = 20_000;
        double sum = 0;
        double smallest = 1;
        double largest = 0;
        for (int i = 0; i < draws; i++) {
            CropBox box = crop.sampleBox(size, size, Seeds.random(3, i));
            assertThat(box.fitsIn(size, size)).isTrue();
            double fraction = box.areaFraction(size, size);
            double ratio = (double) box.width() / box.height();
            assertThat(ratio).isBetween(0.75 * 0.97, 4.0 / 3.0 * 1.03);
            sum += fraction;
            smallest = Math.min(smallest, fraction);
            largest = Math.max(largest, fraction);
        }
        assertThat(sum / draws).isCloseTo(expectedMean, within(0.01));
        assertThat(smallest).isBetween(0.08 * 0.97, 0.09);
        assertThat(largest).isBetween(0.95, 1.0);
    }

    @Test
    void placementIsUniformOverValidOffsets() {
        RandomResizedCrop crop = new RandomResizedCrop(8, 0.25, 0.25, 1.0, 1.0);
        int[] counts = new int[17];
        for (int i = 0; i < 17_000; i++) {
            CropBox box = crop.sampleBox(32, 32, Seeds.random(4, i));
            assertThat(box.height()).isEqualTo(16);
            assertThat(box.width()).isEqualTo(16);
            counts[box.left()]++;
        }
        for (int count : counts) {
            assertThat(count).isBetween(800, 1200);
        }
    }

    @Test
    void fallsBackToACentreCropClippedToTheRatioRange() {
        // ratio range [2, 3] on a square image: every attempt is too wide, so the fallback
        // keeps the width and takes height = round(width / 2)
        RandomResizedCrop crop = new RandomResizedCrop(8, 1.0, 1.0, 2.0, 3.0);
        CropBox box = crop.sampleBox(20, 20, new SplittableRandom(1));
        assertThat(box).isEqualTo(new CropBox(5, 0, 10, 20));
        // a 10x40 image (ratio 4) with ratio range [3/4, 4/3]: height kept, width = round(10*4/3)
        RandomResizedCrop standard = new RandomResizedCrop(8, 1.0, 1.0);
        CropBox wide = standard.sampleBox(10, 40, new SplittableRandom(2));
        assertThat(wide).isEqualTo(new CropBox(0, 13, 10, 13));
    }

    @Test
    void bilinearEnlargingMatchesHandComputedValues() {
        // columns of a 1x2 row [0, 1] enlarged to 4: source positions -0.25, 0.25, 0.75, 1.25
        ImageSet set = TestImages.set(1, 2, 2, new byte[] {0, (byte) 255, 0, (byte) 255});
        float[] out = new float[16];
        new Resize(4).render(set, 0, out, 0);
        float[] row = {0f, 0.25f, 0.75f, 1f};
        for (int y = 0; y < 4; y++) {
            assertAllClose(java.util.Arrays.copyOfRange(out, 4 * y, 4 * y + 4), row, 0, 1e-6);
        }
    }

    @Test
    void shrinkingAntialiasesWithTheWidenedTriangleFilter() {
        // [0, 1/3, 2/3, 1] shrunk to 2 (PIL / torchvision antialias): taps (3/7, 3/7, 1/7) and
        // (1/7, 3/7, 3/7), giving 5/21 and 16/21
        byte[] pixels = new byte[16];
        for (int y = 0; y < 4; y++) {
            pixels[4 * y] = 0;
            pixels[4 * y + 1] = (byte) 85;
            pixels[4 * y + 2] = (byte) 170;
            pixels[4 * y + 3] = (byte) 255;
        }
        ImageSet set = TestImages.set(1, 4, 4, pixels);
        float[] out = new float[4];
        new Resize(2).render(set, 0, out, 0);
        float low = 5f / 21f;
        float high = 16f / 21f;
        assertAllClose(out, new float[] {low, high, low, high}, 0, 1e-6);
    }

    @Test
    void closedFormBilinearTablesEqualTheGeneralFilter() {
        Resampler.Axis fast = new Resampler.Axis();
        Resampler.Axis general = new Resampler.Axis();
        for (int out : new int[] {28, 32, 7}) {
            for (int box = 2; box <= out; box++) {
                fast.fillBilinear(3, box, out);
                general.fillGeneral(3, box, out);
                assertThat(general.taps).isEqualTo(2);
                for (int o = 0; o < out; o++) {
                    double fastValue = 0;
                    double generalValue = 0;
                    for (int k = 0; k < 2; k++) {
                        fastValue += fast.weights[2 * o + k] * (fast.start[o] + k);
                        generalValue += general.weights[2 * o + k] * (general.start[o] + k);
                    }
                    assertThat(fastValue).as("box %d to %d, output %d", box, out, o)
                            .isCloseTo(generalValue, within(1e-5));
                }
            }
        }
    }

    @Test
    void weightSumsNeverExceedOne() {
        Resampler.Axis axis = new Resampler.Axis();
        for (int out = 1; out <= 40; out++) {
            for (int box = 1; box <= 100; box++) {
                axis.fill(0, box, out);
                for (int o = 0; o < out; o++) {
                    float total = 0f;
                    for (int k = 0; k < axis.taps; k++) {
                        float w = axis.weights[o * axis.taps + k];
                        assertThat(w).isGreaterThanOrEqualTo(0f);
                        total += w;
                    }
                    assertThat(total).isBetween(1f - 1e-6f, 1f);
                    assertThat(axis.start[o]).isBetween(0, box - axis.taps);
                }
            }
        }
    }

    @Test
    void mirroredRenderIsTheFlipOfTheRender() {
        ImageSet set = TestImages.random(1, 3, 32, 32, 8);
        RandomResizedCrop crop = new RandomResizedCrop(24);
        for (int i = 0; i < 20; i++) {
            CropBox box = crop.sampleBox(32, 32, Seeds.random(9, i));
            float[] plain = new float[3 * 24 * 24];
            float[] mirrored = new float[3 * 24 * 24];
            crop.render(set, 0, box, false, plain, 0);
            crop.render(set, 0, box, true, mirrored, 0);
            HorizontalFlip.flip(plain, 0, 3 * 24, 24);
            assertThat(mirrored).containsExactly(plain);
        }
    }
}
