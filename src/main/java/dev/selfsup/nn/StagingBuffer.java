package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moves a step's Java arrays (a batch of views, token ids, labels) into libtorch through one
 * reused direct buffer.
 *
 * <p>DJL copies a heap array into a fresh direct buffer on every {@code manager.create}, and only
 * a garbage collection frees it, so a training loop that makes its inputs that way leaves a
 * backlog of native garbage between libtorch's activations. Here the data is copied once, into a
 * buffer that the next step reuses. libtorch reads the buffer in place, so the arrays made since
 * the last {@link #reset()} share it: call {@code reset()} only once they are all closed (a
 * training step's arrays are, with its manager). Should a step need more room than the buffer
 * has, a larger one replaces it; the arrays already made keep the old one alive.
 *
 * <p>Not thread-safe: one per training loop.
 */
public final class StagingBuffer {
    /** Each array starts at a multiple of this many bytes (a cache line, AVX-512's width). */
    private static final int ALIGNMENT = 64;

    private ByteBuffer buffer;
    private int position;

    /** Makes the whole buffer free again: every array made from it must be closed by now. */
    public void reset() {
        position = 0;
    }

    /**
     * {@code values[offset .. offset + count)} as a float32 array of {@code shape}.
     *
     * @throws IllegalArgumentException if {@code shape} does not hold {@code count} values
     */
    public NDArray floats(NDManager manager, float[] values, int offset, int count, Shape shape) {
        ByteBuffer slice = slice(count, shape, Float.BYTES);
        slice.asFloatBuffer().put(values, offset, count);
        return manager.create(slice, shape, DataType.FLOAT32);
    }

    /** {@code values} as a float32 array of {@code shape}. */
    public NDArray floats(NDManager manager, float[] values, Shape shape) {
        return floats(manager, values, 0, values.length, shape);
    }

    /** {@code values} as an int32 array of {@code shape}. */
    public NDArray ints(NDManager manager, int[] values, Shape shape) {
        ByteBuffer slice = slice(values.length, shape, Integer.BYTES);
        slice.asIntBuffer().put(values);
        return manager.create(slice, shape, DataType.INT32);
    }

    /** {@code values} widened to an int64 array of {@code shape} (indices, class labels). */
    public NDArray longs(NDManager manager, int[] values, Shape shape) {
        ByteBuffer slice = slice(values.length, shape, Long.BYTES);
        for (int i = 0; i < values.length; i++) {
            slice.putLong(i * Long.BYTES, values[i]);
        }
        return manager.create(slice, shape, DataType.INT64);
    }

    /** Room for {@code count} values of {@code width} bytes, aligned, in native byte order. */
    private ByteBuffer slice(int count, Shape shape, int width) {
        if (shape.size() != count) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.size()
                    + " values, found " + count);
        }
        int bytes = Math.multiplyExact(count, width);
        int start = align(position);
        if (buffer == null || start + bytes > buffer.capacity()) {
            // a multiple of the alignment: the aligned slice rounds its end down to one
            int capacity = align(Math.max(bytes, buffer == null ? 0 : 2 * buffer.capacity()));
            buffer = ByteBuffer.allocateDirect(capacity + ALIGNMENT).alignedSlice(ALIGNMENT);
            start = 0;
        }
        position = start + bytes;
        return buffer.slice(start, bytes).order(ByteOrder.nativeOrder());
    }

    private static int align(int offset) {
        return Math.addExact(offset, ALIGNMENT - 1) & -ALIGNMENT;
    }
}
