package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A constant float table (a position table, a channel mean) copied once into native memory and
 * handed to every step as an array over that same memory.
 *
 * <p>Why not {@code manager.create(float[])} each step: DJL copies Java data into a fresh direct
 * buffer that only a garbage collection frees, so a table made per step is native garbage whose
 * backlog grows with the run until the collector happens to run (BENCHMARKS.md, "Native memory").
 * Here the one buffer lives as long as this object. The arrays {@link #in} returns share it: they
 * must only be read (every use here is out of place: {@code x.add(table)}).
 */
public final class ConstantArray {
    private final ByteBuffer data;
    private final Shape shape;

    /**
     * @param values the table, row-major
     * @param shape its shape; {@code shape.size()} must equal {@code values.length}
     */
    public ConstantArray(float[] values, Shape shape) {
        if (shape.size() != values.length) {
            throw new IllegalArgumentException("a table of " + values.length
                    + " values cannot have shape " + shape + " (" + shape.size() + " values)");
        }
        this.shape = shape;
        this.data = ByteBuffer.allocateDirect(Math.multiplyExact(values.length, Float.BYTES))
                .order(ByteOrder.nativeOrder());
        data.asFloatBuffer().put(values);
    }

    /** The table's shape. */
    public Shape shape() {
        return shape;
    }

    /** The table as an array of {@code manager} (e.g. the step's), over this object's memory. */
    public NDArray in(NDManager manager) {
        return manager.create(data.duplicate().order(ByteOrder.nativeOrder()), shape,
                DataType.FLOAT32);
    }
}
