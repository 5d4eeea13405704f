package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * An {@link InPlaceTransform} that can also work on a view held in this thread's {@link Planes}
 * (channel {@code c} in {@code planes.channel[c]}, {@code (height, width)} from index 0), so that
 * {@link TransformRecipe} can run a chain of them without copying the view in and out of its
 * batch buffer between steps.
 *
 * <p>{@link #applyToPlanes} must draw the same random numbers and compute the same values as
 * {@link #applyInPlace} on the same image: only where the image lives differs.
 */
interface PlanarTransform extends InPlaceTransform {
    /**
     * Transforms the {@code (channels, height, width)} image in {@code planes.channel} in place;
     * {@code planes.work} is free scratch space.
     *
     * @param planes this thread's planes, {@code planes.plane == height * width}
     * @param channels 1 (gray) or 3 (RGB)
     * @param height image height
     * @param width image width
     * @param random the source of all randomness
     */
    void applyToPlanes(Planes planes, int channels, int height, int width,
            RandomGenerator random);
}
