package dev.selfsup.augment;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import java.util.random.RandomGenerator;

/**
 * How one view of a sample is made: a chain of {@link ImageTransform}s ending at a fixed output
 * size. Methods draw two (or more) views per sample from one recipe.
 */
public interface ViewRecipe {
    /** The recipe's name as the CLI spells it (e.g. {@code simclr}, {@code tutorial}). */
    String name();

    /**
     * Writes one view of image {@code index} of {@code set} into {@code out} at {@code offset},
     * as {@code (channels, outputSize, outputSize)} floats in [0, 1] (noise may leave that range).
     *
     * @param random the generator for this (seed, epoch, sample, view); the only randomness used
     */
    void renderView(ImageSet set, int index, RandomGenerator random, float[] out, int offset);

    /**
     * As {@link #renderView(ImageSet, int, RandomGenerator, float[], int)}, then standardised by
     * {@code stats} ({@link ChannelStats#standardize}): the values a model is fed. Recipes may
     * fuse the two; the result must be the same.
     *
     * @param stats one mean and std per channel of {@code set}
     */
    default void renderView(ImageSet set, int index, RandomGenerator random, float[] out,
            int offset, ChannelStats stats) {
        renderView(set, index, random, out, offset);
        stats.standardize(out, offset, outputSize() * outputSize());
    }

    /** Side of the square output image. */
    int outputSize();
}
