package dev.selfsup.train;

import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.selfsup.nn.LibTorchSymbols;

/**
 * Drops a parameter's gradient after the optimiser has used it, as PyTorch's
 * {@code zero_grad(set_to_none=True)}: the next backward pass then hands its gradient over instead
 * of adding it to a zero-filled one, which saves a fill and an addition pass over every parameter
 * each step. A parameter the next step does not reach reads as zeros ({@code getGradient} makes
 * them), as it did when gradients were zero-filled.
 *
 * <p>DJL exposes only the zero-fill, so this calls {@code c10::TensorImpl::set_autograd_meta} with
 * an empty {@code std::unique_ptr} through JNA (the pointer passed by reference, as the C++ ABI
 * passes a class with a destructor): libtorch frees the parameter's autograd record, and with it
 * the gradient, then DJL marks the parameter as requiring gradients again, which makes a fresh,
 * empty record. A leaf parameter's record holds nothing else that lasts across steps: no gradient
 * function, and its gradient accumulator is rebuilt by the next forward pass.
 */
final class GradientRelease {
    private static final Function SET_AUTOGRAD_META = LibTorchSymbols.functionOrNull(
            "_ZN3c1010TensorImpl17set_autograd_metaESt10unique_ptrINS_21AutogradMetaInterfaceESt14"
                    + "default_deleteIS2_EE");
    /** An empty {@code std::unique_ptr<c10::AutogradMetaInterface>}, which the callee moves from. */
    private static final Memory EMPTY = LibTorchSymbols.zeroed(8);

    private GradientRelease() {}

    /** Whether the libtorch function was found. */
    static boolean available() {
        return SET_AUTOGRAD_META != null;
    }

    /**
     * Drops {@code weight}'s gradient; it still requires gradients.
     *
     * @throws IllegalStateException where the function was not found
     */
    static void release(PtNDArray weight) {
        if (SET_AUTOGRAD_META == null) {
            throw new IllegalStateException("libtorch's set_autograd_meta was not found");
        }
        Pointer impl = new Pointer(LibTorchSymbols.tensorImpl(weight));
        SET_AUTOGRAD_META.invokeVoid(new Object[] {impl, EMPTY});
        weight.setRequiresGradient(true);
    }
}
