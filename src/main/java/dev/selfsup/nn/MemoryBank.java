package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

/**
 * A first-in first-out queue of embeddings, MoCo's dictionary of negative keys (He et al. 2020,
 * https://arxiv.org/abs/1911.05722, section 3.2): each step enqueues the batch's keys over the
 * oldest ones, wrapping around the end when the size is not a multiple of the batch.
 *
 * <p>It is a block so that the queue and its write position are saved in checkpoints with the
 * model (a resumed run sees the same negatives). Both are frozen parameters: {@code keys}
 * {@code (size, dim)}, initialised to random unit vectors as in MoCo's code, and {@code position}
 * {@code (1)}, the row the next key goes to. Its forward pass returns the keys.
 */
public final class MemoryBank extends FrozenStateBlock {
    /** MoCo v2's queue length in its CIFAR-size set-ups. */
    public static final int DEFAULT_SIZE = 4096;

    private final int size;
    private final int dim;
    private final Parameter keys;
    private final Parameter position;

    /**
     * @param size keys held
     * @param dim width of a key
     */
    public MemoryBank(int size, int dim) {
        super("keys");
        if (size <= 0 || dim <= 0) {
            throw new IllegalArgumentException("memory bank size and dim must be > 0, found size="
                    + size + ", dim=" + dim);
        }
        this.size = size;
        this.dim = dim;
        keys = addFrozen("keys", new Shape(size, dim), MemoryBank::randomUnitRows);
        position = addFrozen("position", new Shape(1), Initializer.ZEROS);
    }

    private static NDArray randomUnitRows(NDManager manager, Shape shape, DataType dataType) {
        return manager.randomNormal(0, 1, shape, dataType).normalize(2, 1, 1e-12);
    }

    public int size() {
        return size;
    }

    public int dim() {
        return dim;
    }

    /** The queue, {@code (size, dim)}; row order is storage order, not age. */
    public NDArray keys() {
        return keys.getArray();
    }

    /** The row the next enqueued key is written to. */
    public int position() {
        return (int) position.getArray().getFloat(0);
    }

    /**
     * Keeps {@code batch} {@code (n, dim)} to be {@linkplain #enqueueStaged() enqueued} after the
     * optimiser's update: a training loss stages its keys, the method's after-step hook enqueues
     * them, so the queue the loss read is the one the update saw. A new stage replaces an older
     * one; {@code null} clears it (an evaluation pass stages nothing).
     */
    public void stage(NDArray batch) {
        putStaged(batch);
    }

    /**
     * Enqueues the keys last {@linkplain #stage staged}, then forgets them.
     *
     * @throws IllegalStateException when none are staged (no training loss since the last call)
     */
    public void enqueueStaged() {
        enqueue(takeStaged());
    }

    /**
     * Writes {@code batch} {@code (n, dim)} over the oldest {@code n} keys, from
     * {@link #position()} on and wrapping to row 0, in place; the batch is detached first.
     */
    public void enqueue(NDArray batch) {
        Shape shape = batch.getShape();
        if (shape.dimension() != 2 || shape.get(1) != dim || shape.get(0) > size || shape.get(0) < 1) {
            throw new IllegalArgumentException("keys to enqueue must be (n, " + dim + ") with 1 <= n <= "
                    + size + ", found " + shape);
        }
        int n = (int) shape.get(0);
        int start = position();
        NDArray queue = keys.getArray();
        try (NDManager scratch = NDManager.subManagerOf(queue)) {
            scratch.tempAttachAll(queue);
            NDArray incoming = batch.stopGradient().toType(queue.getDataType(), false);
            NDArray updated;
            if (start + n <= size) {
                // rows [0, start) kept, [start, start + n) new, [start + n, size) kept
                updated = NDArrays.concat(new NDList(rows(queue, 0, start), incoming,
                        rows(queue, start + n, size)), 0);
            } else {
                int tail = size - start; // keys written at the end; the rest wraps to row 0
                updated = NDArrays.concat(new NDList(rows(incoming, tail, n),
                        rows(queue, n - tail, start), rows(incoming, 0, tail)), 0);
            }
            Assign.values(queue, updated);
            Assign.values(position.getArray(),
                    scratch.full(new Shape(1), (start + n) % size, DataType.FLOAT32));
        }
    }

    private static NDArray rows(NDArray array, int from, int to) {
        return array.get(new NDIndex("{}:{}", from, to)); // (to - from, dim); empty when equal
    }

    @Override
    Parameter output() {
        return keys;
    }
}
