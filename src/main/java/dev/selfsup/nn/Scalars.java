package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant that is safe under autograd. Use it instead of DJL's
 * {@code mul(Number)}, {@code div(Number)} and {@code maximum(Number)} on arrays that are
 * recorded for a gradient.
 *
 * <p>Why: DJL's PyTorch engine turns the number into a zero-dimensional array whose values
 * libtorch reads in place from a Java direct buffer, runs the op, and closes that array at once.
 * Autograd has saved the scalar for the backward pass (the gradient of {@code x / c} is
 * {@code 1 / c}), but once the array is closed nothing in Java keeps the buffer alive, and a
 * garbage collection between forward and backward frees it: backward then reads freed memory.
 * We measured gradients of {@code x.div(4f)} of 1e30 and infinity instead of 0.25 in 18 of 20
 * trials with a collection in between, and training runs that stalled or turned NaN after the
 * first collection in a step. Here the scalar is made by libtorch in {@code x}'s manager (for a
 * training step's intermediates, the step's manager): its memory is libtorch's, held for as long
 * as autograd needs it, and no Java direct buffer is left for the collector.
 */
public final class Scalars {
    private Scalars() {}

    /**
     * {@code value} as a zero-dimensional float32 array of {@code x}'s manager, made by libtorch
     * ({@code torch.full}): no Java buffer behind it.
     */
    public static NDArray constant(NDArray x, float value) {
        return x.getManager().full(new Shape(), value, DataType.FLOAT32);
    }

    /** {@code x * value}, elementwise. */
    public static NDArray times(NDArray x, float value) {
        return x.mul(constant(x, value));
    }

    /** {@code x / value}, elementwise. */
    public static NDArray dividedBy(NDArray x, float value) {
        return x.div(constant(x, value));
    }

    /** {@code max(x, value)}, elementwise. */
    public static NDArray maximum(NDArray x, float value) {
        return x.maximum(constant(x, value));
    }
}
