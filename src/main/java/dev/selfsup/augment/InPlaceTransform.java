package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * An {@link ImageTransform} that keeps the image's shape and can work in place on a region of a
 * raw float buffer, so that a {@link ViewRecipe} can run it directly on its output without
 * allocating. The buffer region holds one {@code (channels, height, width)} image in channel-major
 * order.
 *
 * <p>Implementations must be thread-safe: several threads may call {@link #applyInPlace} on one
 * instance at once (each on its own buffer), so per-call scratch space lives in thread-local
 * storage or on the stack, never in shared fields.
 */
public interface InPlaceTransform extends ImageTransform {
    /**
     * Transforms the image stored at {@code data[offset .. offset + channels*height*width)} in
     * place.
     *
     * @param data the buffer
     * @param offset index of the first value of the image, {@code (channels, height, width)}
     * @param channels 1 (gray) or 3 (RGB)
     * @param height image height
     * @param width image width
     * @param random the source of all randomness
     */
    void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random);

    /** Applies {@link #applyInPlace} to {@code image}'s backing array and returns {@code image}. */
    @Override
    default FloatImage apply(FloatImage image, RandomGenerator random) {
        applyInPlace(image.data(), 0, image.channels(), image.height(), image.width(), random);
        return image;
    }
}
