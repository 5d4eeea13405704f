package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * A batch of augmented views in one array, view-major: rows {@code [v*batch, (v+1)*batch)} hold
 * view {@code v} of the batch's samples, in the same sample order for every view.
 *
 * @param images {@code (viewCount * batchSize, channels, height, width)}
 * @param batchSize samples in the batch
 * @param viewCount views per sample
 */
public record ViewBatch(NDArray images, int batchSize, int viewCount) {
    public ViewBatch {
        if (images.getShape().get(0) != (long) batchSize * viewCount) {
            throw new IllegalArgumentException("images must have batchSize*viewCount = "
                    + (long) batchSize * viewCount + " rows, found " + images.getShape());
        }
    }

    /** Rows of view {@code v} of an array laid out like {@link #images()}, {@code (batch, ...)}. */
    public NDArray view(NDArray viewMajor, int v) {
        return viewMajor.get(new NDIndex("{}:{}", (long) v * batchSize, (long) (v + 1) * batchSize));
    }
}
