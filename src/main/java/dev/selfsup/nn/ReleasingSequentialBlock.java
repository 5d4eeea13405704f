package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

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
 * <p>The block's own inputs and the final output are never closed. With
 * {@link #setReturnIntermediate(boolean) returnIntermediate} on, it runs as a plain
 * {@code SequentialBlock}: nothing is closed and {@link #prepareInput} is not called.
 */
public class ReleasingSequentialBlock extends SequentialBlock {

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
        NDList current = inputs;
        int index = 0;
        for (Block child : getChildren().values()) {
            NDList prepared = prepareInput(index++, current);
            if (prepared != current && current != inputs) {
                release(current, prepared, inputs);
            }
            NDList next = child.forward(parameterStore, prepared, training);
            if (prepared != inputs) {
                release(prepared, next, inputs);
            }
            current = next;
        }
        return current;
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
