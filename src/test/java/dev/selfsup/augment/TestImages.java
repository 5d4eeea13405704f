package dev.selfsup.augment;

import dev.selfsup.data.ImageSet;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Small synthetic image sets and images for the augment tests. */
final class TestImages {
    private TestImages() {}

    /** {@code count} images of uniformly random bytes, unlabelled. */
    static ImageSet random(int count, int channels, int height, int width, long seed) {
        byte[] pixels = new byte[count * channels * height * width];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) random.nextInt(256);
        }
        return set(channels, height, width, pixels);
    }

    /** One image whose every byte is {@code value}. */
    static ImageSet constant(int channels, int height, int width, int value) {
        byte[] pixels = new byte[channels * height * width];
        Arrays.fill(pixels, (byte) value);
        return set(channels, height, width, pixels);
    }

    /** A set of images from their bytes, CHW per image. */
    static ImageSet set(int channels, int height, int width, byte[] pixels) {
        int count = pixels.length / (channels * height * width);
        int[] labels = new int[count];
        Arrays.fill(labels, ImageSet.UNLABELLED);
        return new ImageSet("test", channels, height, width, pixels, labels, List.of());
    }

    /** A random float image with values in [0, 1]. */
    static FloatImage randomImage(int channels, int height, int width, long seed) {
        return FloatImage.of(random(1, channels, height, width, seed), 0);
    }

    /** A 1-pixel-high RGB image from (r, g, b) triples. */
    static FloatImage pixels(float[]... rgb) {
        FloatImage image = FloatImage.zeros(3, 1, rgb.length);
        for (int x = 0; x < rgb.length; x++) {
            for (int c = 0; c < 3; c++) {
                image.set(c, 0, x, rgb[x][c]);
            }
        }
        return image;
    }
}
