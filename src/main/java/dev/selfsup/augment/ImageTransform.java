package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * One random image transform (crop, flip, colour jitter, ...). All randomness comes from the
 * {@code random} argument, so a transform is deterministic for a given generator state.
 */
@FunctionalInterface
public interface ImageTransform {
    /**
     * Applies the transform.
     *
     * @param image the input, {@code (channels, height, width)}; may be modified in place
     * @param random the source of all randomness
     * @return the transformed image (possibly {@code image} itself)
     */
    FloatImage apply(FloatImage image, RandomGenerator random);
}
