package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * A {@link SequentialBlock} that closes each intermediate output as soon as the next child has
 * consumed it, instead of leaving it to the step's manager.
 *
 * <p>DJL keeps every array alive until its manager closes, so a plain sequential block holds all
 * of a step's activations until the step ends, including those autograd does not need (a batch
 * norm's output that only feeds a ReLU, say). Closing the Java handle frees nothing autograd
 * still needs: libtorch's graph holds its own references to the tensors it saved for backward,
 * and releases them as backward runs, as PyTorch does. Gradients are unchanged (tested).
 *
 * <p>In inference ({@code training} false) a {@link Conv2d} followed by a {@link ChannelBatchNorm}
 * runs as one convolution with the batch norm folded into its weights and bias
 * ({@link ChannelBatchNorm#afterConvolution}): the same values up to rounding, one pass over the
 * activation fewer. Training runs every child as it is.
 *
 * <p>The block's own inputs and the final output are never closed. With
 * {@link #setReturnIntermediate(boolean) returnIntermediate} on, it runs as a plain
 * {@code SequentialBlock}: nothing is closed and {@link #prepareInput} is not called.
 */
public class ReleasingSequentialBlock extends SequentialBlock {
    /**
     * Whether inference folds a batch norm into the convolution before it: on unless the system
     * property {@code selfsup.foldBatchNorm} is {@code false} (for measuring its effect).
     */
    public static final boolean FOLD_BATCH_NORM =
            !"false".equalsIgnoreCase(System.getProperty("selfsup.foldBatchNorm"));

    /**
     * Adds {@code block} as the last child, filed under its class's simple name as
     * {@code SequentialBlock} does, except a {@link ChannelBatchNorm}, filed as DJL's batch norm
     * (so parameter names, and the checkpoints that hold them, stay as they were).
     */
    @Override
    public SequentialBlock add(Block block) {
        if (block instanceof ChannelBatchNorm) {
            addChildBlock(ChannelBatchNorm.NAME, block);
            return this;
        }
        return super.add(block);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        if (isReturnIntermediate()) {
            return super.forwardInternal(parameterStore, inputs, training, params);
        }
        List<Block> children = getChildren().values();
        NDList current = inputs;
        for (int index = 0; index < children.size(); index++) {
            NDList prepared = prepare(index, current, inputs);
            Block child = children.get(index);
            ChannelBatchNorm folded = training ? null : batchNormAfter(children, index);
            // inference: a batch norm after a convolution folded into it, one pass instead of two
            NDList next = folded == null ? child.forward(parameterStore, prepared, training)
                    : new NDList(folded.afterConvolution(parameterStore, (Conv2d) child,
                            prepared.singletonOrThrow()));
            if (prepared != inputs) {
                release(prepared, next, inputs);
            }
            if (folded != null) {
                // the batch norm's own input preparation applies to the folded output (a layout
                // change commutes with a per-channel affine map)
                next = prepare(++index, next, inputs);
            }
            current = next;
        }
        return current;
    }

    /** The batch norm that follows a convolution at {@code index}, to fold into it; or null. */
    private static ChannelBatchNorm batchNormAfter(List<Block> children, int index) {
        if (FOLD_BATCH_NORM && children.get(index) instanceof Conv2d
                && index + 1 < children.size()
                && children.get(index + 1) instanceof ChannelBatchNorm batchNorm) {
            return batchNorm;
        }
        return null;
    }

    /** {@link #prepareInput} for the child at {@code index}, releasing what it replaced. */
    private NDList prepare(int index, NDList current, NDList inputs) {
        NDList prepared = prepareInput(index, current);
        if (prepared != current && current != inputs) {
            release(current, prepared, inputs);
        }
        return prepared;
    }

    /**
     * What the child at {@code index} receives, given the previous child's output (or the
     * block's inputs). The default passes {@code input} on; a subclass may return new arrays
     * (a layout change, say), and {@code input} is then released like any intermediate.
     */
    protected NDList prepareInput(int index, NDList input) {
        return input;
    }

    /** Closes the arrays of {@code consumed} that are neither passed on nor the block's inputs. */
    static void release(NDList consumed, NDList next, NDList inputs) {
        for (NDArray array : consumed) {
            if (!containsSame(next, array) && !containsSame(inputs, array)) {
                array.close();
            }
        }
    }

    private static boolean containsSame(NDList list, NDArray array) {
        for (NDArray candidate : list) {
            if (candidate == array) {
                return true;
            }
        }
        return false;
    }
}
