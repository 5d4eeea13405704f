package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Puts image batches into libtorch's channels-last memory layout: the array keeps its logical
 * shape {@code (batch, channels, height, width)}, but its values are stored in
 * {@code (batch, height, width, channels)} order. libtorch's CPU convolutions (oneDNN) run
 * faster on that layout and keep it: their outputs, and the batch norm, ReLU, addition and
 * pooling that follow, stay channels-last, as do the gradients. Values are unchanged up to
 * floating-point summation order.
 *
 * <p>DJL has no memory-format call, so the layout is made by permuting to
 * {@code (batch, height, width, channels)}, reshaping through a shape that forces a compact copy
 * in that order, and permuting the logical shape back (a view). An input already channels-last
 * costs nothing (the permuted view is already compact, so the reshapes are views). The
 * intermediate handles are closed; the returned view keeps the values alive.
 */
public final class ChannelsLast {
    /**
     * Whether the backbones use the layout: on unless the system property
     * {@code selfsup.channelsLast} is {@code false} (for measuring its effect; see BENCHMARKS.md).
     * Off, the convolutions fall back to libtorch's default layout, whose input gradients are
     * wrong for fewer than 16 channels on AVX-512 machines ({@code ConvolutionGradientTest}).
     */
    public static final boolean ENABLED =
            !"false".equalsIgnoreCase(System.getProperty("selfsup.channelsLast"));

    private ChannelsLast() {}

    /**
     * {@code x} {@code (batch, channels, height, width)} back in libtorch's default (contiguous
     * NCHW) layout: a reshape to {@code (batch, -1)} copies a channels-last array in logical
     * order, and the reshape back is a view of that copy.
     */
    public static NDArray toDefault(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException(
                    "the default layout needs (batch, channels, height, width), found " + shape);
        }
        NDArray flat = x.reshape(shape.get(0), -1);
        NDArray result = flat.reshape(shape);
        flat.close();
        return result;
    }

    /** {@code x} {@code (batch, channels, height, width)} in channels-last layout. */
    public static NDArray of(NDArray x) {
        Shape shape = x.getShape();
        if (shape.dimension() != 4) {
            throw new IllegalArgumentException(
                    "channels-last needs (batch, channels, height, width), found " + shape);
        }
        long batch = shape.get(0);
        // (B, C, H, W) -> (B, H, W, C) view -> (B, H*W*C) compact copy in that order
        NDArray permuted = x.transpose(0, 2, 3, 1);
        NDArray flat = permuted.reshape(batch, -1);
        // (B, H*W*C) -> (B, H, W, C) view -> (B, C, H, W) view with channels-last strides
        NDArray unflat = flat.reshape(batch, shape.get(2), shape.get(3), shape.get(1));
        NDArray result = unflat.transpose(0, 3, 1, 2);
        // the result view holds the storage; the intermediate handles are not needed
        permuted.close();
        flat.close();
        unflat.close();
        return result;
    }
}
