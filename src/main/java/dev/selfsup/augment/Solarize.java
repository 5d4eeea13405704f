package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Inverts every value at or above a threshold ({@code x -> 1 - x}) with a given probability, as
 * torchvision's {@code RandomSolarize(threshold, p)} on float images; BYOL
 * (<a href="https://arxiv.org/abs/2006.07733">Grill et al. 2020</a>) uses threshold 0.5 with
 * probability 0.2 on its second view. Shape {@code (channels, height, width)} is kept; values in
 * [0, 1] stay in [0, 1]. Thread-safe.
 */
public record Solarize(double probability, double threshold) implements InPlaceTransform {
    /** BYOL's threshold for images in [0, 1]. */
    public static final double DEFAULT_THRESHOLD = 0.5;

    /** Solarize with the given probability and threshold 0.5. */
    public Solarize(double probability) {
        this(probability, DEFAULT_THRESHOLD);
    }

    /** Solarize with the given probability in [0, 1] and threshold in [0, 1]. */
    public Solarize {
        Checks.probability("probability", probability);
        Checks.inRange("threshold", threshold, 0.0, 1.0);
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        if (random.nextDouble() < probability) {
            int end = offset + channels * height * width;
            float t = (float) threshold;
            for (int i = offset; i < end; i++) {
                float v = data[i];
                data[i] = v >= t ? 1f - v : v;
            }
        }
    }

    @Override
    public String toString() {
        return "Solarize(probability=" + probability + ", threshold=" + threshold + ")";
    }
}
