package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import com.sun.jna.Function;
import com.sun.jna.Memory;
import dev.selfsup.nn.LibTorchSymbols;

/**
 * libtorch's fused CPU Adam kernel, the one behind {@code torch.optim.Adam(fused=True)}: one
 * vectorised pass per parameter that reads the weight, its gradient and the two moments and
 * writes the weight and the moments,
 * {@code g += weightDecay w; m = lerp(m, g, 1 - b1); v = b2 v + (1 - b2) g^2;
 * w -= (lr / c1) m / (sqrt(v) / sqrt(c2) + eps)}, {@code c1, c2} the bias corrections of step
 * {@code t}. DJL's {@code adamUpdate} makes the same update in about a dozen passes with six
 * temporaries.
 *
 * <p>DJL does not expose the kernel, so it is called by its symbol
 * ({@code at::native::_fused_adam_kernel_cpu_}) through JNA with the arguments laid out as the
 * C++ ABI passes them: each {@code at::TensorList} as a pointer to {@code at::Tensor}s (one
 * {@code TensorImpl*} each, read from DJL's handle, which points at an {@code at::Tensor}) and a
 * length, the two {@code std::optional<at::Tensor>} references as a pointer to an empty optional.
 * The kernel checks its arguments with C++ exceptions, which JNA cannot carry, so
 * {@link #update} checks them first.
 */
final class FusedAdamKernel {
    private static final String SYMBOL = "_ZN2at6native23_fused_adam_kernel_cpu_EN3c108ArrayRefINS_6"
            + "TensorEEES4_S4_S4_S4_S4_dddddbbRKSt8optionalIS3_ES8_";
    private static final Function KERNEL = LibTorchSymbols.functionOrNull(SYMBOL);
    /** Tensor lists: params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps. */
    private static final int LISTS = 6;
    private static final int MAX_EXP_AVG_SQS = 4;
    /** Each thread's tensor lists, reused: JNA frees its memory only when a GC collects it. */
    private static final ThreadLocal<Memory> TENSORS =
            ThreadLocal.withInitial(() -> new Memory(8L * LISTS));
    /** An empty {@code std::optional<at::Tensor>}: the payload, then "engaged" (false). */
    private static final Memory NONE = LibTorchSymbols.zeroed(16);

    private FusedAdamKernel() {}

    /** Whether the kernel was found in the libtorch DJL loaded. */
    static boolean available() {
        return KERNEL != null;
    }

    /**
     * The step count {@code t} (1-based) as the kernel reads it for its bias corrections: a
     * float32 scalar in {@code manager}, shared by every update of the step.
     */
    static NDArray stepCount(NDManager manager, long t) {
        return manager.full(new Shape(), (float) t);
    }

    /**
     * One Adam update of {@code weight} in place, as {@code torch.optim.Adam(fused=True)} with
     * L2 decay {@code weightDecay} ({@code 0} for none).
     *
     * <p>The kernel walks the four arrays as flat memory. That is sound because autograd keeps a
     * parameter's gradient in the parameter's own layout ({@code AccumulateGrad}'s layout
     * contract), the moments are made like the weight, and DJL's parameters are contiguous.
     *
     * @param weight float32 parameter
     * @param gradient its gradient
     * @param mean the first moment, the weight's shape
     * @param variance the second moment, the weight's shape
     * @param stepCount the step, from {@link #stepCount}
     * @throws IllegalStateException where the kernel is missing or an array's type or shape
     *     differs from the weight's
     */
    static void update(NDArray weight, NDArray gradient, NDArray mean, NDArray variance,
            NDArray stepCount, double learningRate, double beta1, double beta2, double weightDecay,
            double epsilon) {
        if (KERNEL == null) {
            throw new IllegalStateException("libtorch's fused Adam kernel was not found");
        }
        Shape shape = weight.getShape();
        for (NDArray array : new NDArray[] {weight, gradient, mean, variance}) {
            if (!(array instanceof PtNDArray) || array.getDataType() != DataType.FLOAT32
                    || !array.getShape().equals(shape)) {
                throw new IllegalStateException("fused Adam needs float32 libtorch arrays of the "
                        + "weight's shape " + shape + ", found " + array.getDataType() + " "
                        + array.getShape());
            }
        }
        NDArray[] lists = {weight, gradient, mean, variance, variance, stepCount};
        Memory tensors = TENSORS.get();
        for (int i = 0; i < LISTS; i++) {
            tensors.setLong(8L * i, LibTorchSymbols.tensorImpl(lists[i]));
        }
        Object[] arguments = new Object[2 * LISTS + 5 + 2 + 2];
        for (int i = 0; i < LISTS; i++) {
            arguments[2 * i] = tensors.share(8L * i);
            // max_exp_avg_sqs must be empty without amsgrad (the kernel checks it)
            arguments[2 * i + 1] = i == MAX_EXP_AVG_SQS ? 0L : 1L;
        }
        int next = 2 * LISTS;
        arguments[next++] = learningRate;
        arguments[next++] = beta1;
        arguments[next++] = beta2;
        arguments[next++] = weightDecay;
        arguments[next++] = epsilon;
        arguments[next++] = Boolean.FALSE; // amsgrad
        arguments[next++] = Boolean.FALSE; // maximize
        arguments[next++] = NONE; // grad_scale
        arguments[next] = NONE; // found_inf
        KERNEL.invokeVoid(arguments);
    }
}
