package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Reuses the batch-norm folds of inference ({@link ChannelBatchNorm#afterConvolution}) across
 * the forward passes of one scope, for the calling thread: each convolution's folded weights and
 * bias are computed once, at the first pass, instead of once per batch (about 7 small operations
 * per convolution; reusing them took a small-resnet batch of 256 from about 36 to 33 ms,
 * BENCHMARKS.md "Inference"). For passes whose weights do not change
 * while the scope is open and that need no gradients (embedding a data set): the folded arrays
 * are detached from autograd.
 *
 * <pre>{@code
 * try (InferenceFolding folding = InferenceFolding.open(manager)) {
 *     for (...) { backbone.forward(parameterStore, batch, false); }
 * }
 * }</pre>
 */
public final class InferenceFolding implements AutoCloseable {
    private static final ThreadLocal<InferenceFolding> ACTIVE = new ThreadLocal<>();

    private final NDManager manager;
    private final InferenceFolding previous;
    private final Map<ChannelBatchNorm, NDArray[]> folds = new IdentityHashMap<>();

    private InferenceFolding(NDManager manager, InferenceFolding previous) {
        this.manager = manager;
        this.previous = previous;
    }

    /**
     * Opens a scope on this thread until {@link #close()}; the folded arrays live in a manager
     * under {@code parent} and are freed at close.
     */
    public static InferenceFolding open(NDManager parent) {
        InferenceFolding scope = new InferenceFolding(parent.newSubManager(), ACTIVE.get());
        ACTIVE.set(scope);
        return scope;
    }

    /** The scope open on this thread, or null. */
    static InferenceFolding active() {
        return ACTIVE.get();
    }

    /**
     * The folded {@code [weight, bias]} of {@code batchNorm}: made by {@code fold} on the first
     * call (the arrays it returns become this scope's), the same arrays after.
     */
    NDArray[] folded(ChannelBatchNorm batchNorm, Supplier<NDArray[]> fold) {
        NDArray[] arrays = folds.get(batchNorm);
        if (arrays == null) {
            NDArray[] made = fold.get();
            arrays = new NDArray[made.length];
            for (int i = 0; i < made.length; i++) {
                arrays[i] = made[i].stopGradient(); // a detached handle in made[i]'s manager
                arrays[i].attach(manager);
                made[i].close();
            }
            folds.put(batchNorm, arrays);
        }
        return arrays;
    }

    /** How many folds this scope holds. */
    int size() {
        return folds.size();
    }

    /** Frees the folded arrays and reopens the scope that was open before, if any. */
    @Override
    public void close() {
        if (previous == null) {
            ACTIVE.remove();
        } else {
            ACTIVE.set(previous);
        }
        folds.clear();
        manager.close();
    }
}
