package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Function;
import com.sun.jna.Pointer;

/**
 * ReLU and the residual sum computed in the array that holds their input, as torchvision's ResNet
 * does ({@code nn.ReLU(inplace=True)}, {@code out += identity}): no new activation is allocated
 * and written (small-resnet's step about 2% faster; the peak memory does not move, since the
 * allocating ReLU's input was freed as soon as it had been read: BENCHMARKS.md, "In-place ReLU").
 *
 * <p>Only for an input that nothing else reads afterwards and whose producer did not save it for
 * its backward pass: the output of a batch norm, a linear layer or a convolution (each saves its
 * input, not its output). The network's own blocks are the only callers; a caller holding the
 * input sees it overwritten.
 *
 * <p>DJL 0.36 has no in-place ReLU, so {@link #relu} calls libtorch's dispatcher entry
 * {@code at::_ops::relu_::call(at::Tensor&)} by its symbol through JNA (DJL's handle points at the
 * {@code at::Tensor}); autograd records it as PyTorch's {@code relu_}. libtorch refuses an
 * in-place operation on a leaf that requires gradients, or on a view of one, by throwing, which
 * through JNA would end the process; and on any other view autograd would copy the whole array
 * back into the view's base in the backward pass (DJL's own batch norm returns a view: see
 * {@link ChannelBatchNorm}). So only an array that autograd recorded and that is not a view
 * (checked with {@code at::TensorBase::is_leaf()} and {@code is_view()}) is overwritten; any other
 * gets the ordinary ReLU, as does any input where the symbols are missing.
 */
final class InPlace {
    private static final Function RELU_ = LibTorchSymbols.functionOrNull(
            "_ZN2at4_ops5relu_4callERNS_6TensorE");
    private static final Function IS_LEAF = LibTorchSymbols.functionOrNull(
            "_ZNK2at10TensorBase7is_leafEv");
    private static final Function IS_VIEW = LibTorchSymbols.functionOrNull(
            "_ZNK2at10TensorBase7is_viewEv");

    private InPlace() {}

    /** Whether the libtorch functions were found (otherwise {@link #relu} allocates). */
    static boolean available() {
        return RELU_ != null && IS_LEAF != null && IS_VIEW != null;
    }

    /** {@link #relu(NDArray)} of a single-array list, for a sequential block. */
    static NDList relu(NDList inputs) {
        return new NDList(relu(inputs.singletonOrThrow()));
    }

    /**
     * {@code max(x, 0)}, written into {@code x} and returned where that is safe, otherwise a new
     * array ({@link Activation#relu}).
     */
    static NDArray relu(NDArray x) {
        if (!canOverwrite(x)) {
            return Activation.relu(x);
        }
        RELU_.invokePointer(new Object[] {new Pointer(((PtNDArray) x).getHandle())});
        return x;
    }

    /**
     * {@code branch + shortcut}, written into {@code branch} where that is safe (same type, same
     * shape), otherwise a new array. {@code branch} must not be read afterwards.
     */
    static NDArray addInto(NDArray branch, NDArray shortcut) {
        if (canOverwrite(branch) && branch.getDataType() == shortcut.getDataType()
                && branch.getShape().equals(shortcut.getShape())) {
            return branch.addi(shortcut);
        }
        return branch.add(shortcut);
    }

    /**
     * Whether an in-place operation on {@code x} is accepted by libtorch and cheap for autograd: a
     * libtorch array made by an operation autograd recorded (so not a leaf: a parameter, an input,
     * or any array made with gradients off) that is not a view. Leaves are left alone even where
     * they require no gradient, because DJL 0.36's {@code requiresGrad} cannot be trusted to tell
     * (it answered false for the result of a recorded multiplication), and a wrong answer would
     * end the process; a pass with gradients off therefore allocates, as before.
     */
    static boolean canOverwrite(NDArray x) {
        if (!available() || !(x instanceof PtNDArray pt)) {
            return false;
        }
        Object[] self = {new Pointer(pt.getHandle())};
        // a C++ bool comes back in the low byte of the return register
        return (IS_LEAF.invokeInt(self) & 0xff) == 0 && (IS_VIEW.invokeInt(self) & 0xff) == 0;
    }
}
