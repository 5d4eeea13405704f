package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Mirrors the image left-right with a given probability, as torchvision's
 * {@code RandomHorizontalFlip(p=0.5)}: one {@code nextDouble()} per call, flipped when it is below
 * the probability. Shape {@code (channels, height, width)} is kept. Thread-safe.
 */
public final class HorizontalFlip implements PlanarTransform {
    /** torchvision's and SimCLR's default probability. */
    public static final double DEFAULT_PROBABILITY = 0.5;

    private final double probability;

    /** A flip with probability 0.5. */
    public HorizontalFlip() {
        this(DEFAULT_PROBABILITY);
    }

    /** A flip with the given probability in [0, 1]. */
    public HorizontalFlip(double probability) {
        this.probability = Checks.probability("probability", probability);
    }

    public double probability() {
        return probability;
    }

    /** Draws whether this call flips (one {@code nextDouble()}). */
    boolean draw(RandomGenerator random) {
        return random.nextDouble() < probability;
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        if (draw(random)) {
            flip(data, offset, channels * height, width);
        }
    }

    @Override
    public void applyToPlanes(Planes planes, int channels, int height, int width,
            RandomGenerator random) {
        if (draw(random)) {
            for (int c = 0; c < channels; c++) {
                flip(planes.channel[c], 0, height, width);
            }
        }
    }

    /** Reverses each of {@code rows} rows of {@code width} values starting at {@code offset}. */
    static void flip(float[] data, int offset, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int left = offset + r * width;
            int right = left + width - 1;
            while (left < right) {
                float t = data[left];
                data[left++] = data[right];
                data[right--] = t;
            }
        }
    }

    @Override
    public String toString() {
        return "HorizontalFlip(probability=" + probability + ")";
    }
}
