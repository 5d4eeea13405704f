package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * A batch of augmented views in one array, view-major: rows {@code [v*batch, (v+1)*batch)} hold
 * view {@code v} of the batch's samples, in the same sample order for every view. Multi-crop
 * methods also get smaller local views, view-major in an array of their own.
 *
 * @param images {@code (viewCount * batchSize, channels, height, width)}
 * @param batchSize samples in the batch
 * @param viewCount views per sample in {@code images}
 * @param localImages the local views {@code (localViewCount * batchSize, channels, h, w)}, or
 *     null when there are none
 * @param localViewCount local views per sample (0 without local views)
 * @param masks patch masks drawn with the first views by the loader for a method that asks for
 *     them ({@link Method#patchMask()}), {@code (maskedViews * batchSize, patches)} view-major, 1
 *     where the student hides a patch; null when there are none
 */
public record ViewBatch(NDArray images, int batchSize, int viewCount, NDArray localImages,
        int localViewCount, NDArray masks) {
    public ViewBatch {
        if (images.getShape().get(0) != (long) batchSize * viewCount) {
            throw new IllegalArgumentException("images must have batchSize*viewCount = "
                    + (long) batchSize * viewCount + " rows, found " + images.getShape());
        }
        if ((localImages == null) != (localViewCount == 0) || (localImages != null
                && localImages.getShape().get(0) != (long) batchSize * localViewCount)) {
            throw new IllegalArgumentException("local images must have batchSize*localViewCount = "
                    + (long) batchSize * localViewCount + " rows, found "
                    + (localImages == null ? "none" : localImages.getShape()));
        }
        if (masks != null && (masks.getShape().dimension() != 2
                || masks.getShape().get(0) % batchSize != 0
                || masks.getShape().get(0) > (long) batchSize * viewCount)) {
            throw new IllegalArgumentException("masks must be (maskedViews * batchSize, patches) "
                    + "with at most " + viewCount + " masked views of " + batchSize
                    + " samples, found " + masks.getShape());
        }
    }

    /** A batch without local views or masks. */
    public ViewBatch(NDArray images, int batchSize, int viewCount) {
        this(images, batchSize, viewCount, null, 0, null);
    }

    /** A batch without masks. */
    public ViewBatch(NDArray images, int batchSize, int viewCount, NDArray localImages,
            int localViewCount) {
        this(images, batchSize, viewCount, localImages, localViewCount, null);
    }

    /** Rows of view {@code v} of an array laid out like {@link #images()}, {@code (batch, ...)}. */
    public NDArray view(NDArray viewMajor, int v) {
        return viewMajor.get(new NDIndex("{}:{}", (long) v * batchSize, (long) (v + 1) * batchSize));
    }
}
