package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Adds {@code std * N(0, 1)} to every value, one {@code nextGaussian()} per value in CHW order;
 * results are not clamped, so they may leave [0, 1]. The tutorial recipe uses {@code std = 0.05}.
 * Shape {@code (channels, height, width)} is kept. Thread-safe.
 */
public record GaussianNoise(double std) implements InPlaceTransform {
    /** Noise with standard deviation {@code std >= 0}. */
    public GaussianNoise {
        Checks.nonNegative("std", std);
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        if (std == 0.0) {
            return;
        }
        int end = offset + channels * height * width;
        for (int i = offset; i < end; i++) {
            data[i] += (float) (std * random.nextGaussian());
        }
    }

    @Override
    public String toString() {
        return "GaussianNoise(std=" + std + ")";
    }
}
