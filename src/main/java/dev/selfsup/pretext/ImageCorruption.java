package dev.selfsup.pretext;

import ai.djl.ndarray.NDArray;

/**
 * Corrupts a batch of standardised images {@code (batch, C, H, W)} for a reconstruction pretext
 * task: the corrupted input the encoder sees and, where pixels were hidden, the mask of hidden
 * pixels the loss is restricted to. Random draws come from libtorch's generator (seeded per step
 * by the training loop), so a run repeats exactly under the same seed.
 *
 * <p>Hidden pixels are set to 0, which in standardised units is the training set's mean colour,
 * as Pathak et al. fill the dropped region with the mean.
 */
@FunctionalInterface
public interface ImageCorruption {
    /**
     * A corrupted batch.
     *
     * @param input what the encoder sees, {@code (batch, C, H, W)}
     * @param mask 1 where a pixel was hidden and 0 elsewhere, {@code (batch, 1, H, W)}; null when
     *     the loss should cover every pixel
     */
    record Corrupted(NDArray input, NDArray mask) {}

    /** Corrupts {@code images}; the result's arrays live in the images' manager. */
    Corrupted apply(NDArray images);

    /** No corruption: the plain autoencoder. */
    static ImageCorruption none() {
        return images -> new Corrupted(images, null);
    }

    /** Hides the pixels of {@code mask} {@code (batch, 1, H, W)}: sets them to 0 (the mean). */
    static NDArray hide(NDArray images, NDArray mask) {
        return images.mul(mask.neg().add(1f));
    }
}
