package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.sun.jna.Function;

/**
 * libtorch's CPU autocast in bfloat16, as {@code torch.autocast("cpu", dtype=torch.bfloat16)}:
 * while it is on, the calling thread's matrix products and convolutions run in bfloat16 (their
 * float32 inputs, the weights included, are cast for the operation; autograd casts the gradients
 * back, so the weights and the optimiser stay float32), and the operations libtorch keeps in
 * float32 stay there. It is libtorch's own mixed-precision policy, the one PyTorch users get.
 *
 * <p>DJL 0.36 cannot make a bfloat16 array (its data-type mapping ends at complex64), but it can
 * hold one that libtorch made: DJL reports its type as {@code UNKNOWN}, and
 * {@code toType(FLOAT32, false)} turns it back. DJL offers no call for autocast, so this class
 * calls libtorch's C++ functions ({@code at::autocast::set_autocast_enabled(DeviceType, bool)},
 * {@code at::autocast::clear_cache()}) by their symbols through JNA, in the {@code libtorch_cpu}
 * that DJL loaded. The state is per thread: {@link #on()} affects only the calling thread.
 */
public final class Bf16Autocast implements AutoCloseable {
    /** {@code c10::DeviceType::CPU}. */
    private static final int CPU = 0;
    private static final Binding BINDING = Binding.load();

    private Bf16Autocast() {
        BINDING.setEnabled.invokeVoid(new Object[] {CPU, 1});
    }

    /**
     * Whether bf16 autocast can run here: the CPU has bf16 instructions ({@link CpuFeatures#BF16})
     * and libtorch's autocast functions were found.
     */
    public static boolean available() {
        return CpuFeatures.BF16 && BINDING.error == null;
    }

    /**
     * Why bf16 cannot run here, or null where it can.
     *
     * @return one line for an error message
     */
    public static String unavailableReason() {
        if (!CpuFeatures.BF16) {
            return "this CPU has no bf16 instructions (avx512_bf16 or amx_bf16 in /proc/cpuinfo)";
        }
        return BINDING.error;
    }

    /**
     * Refuses a bf16 run where it cannot run, before anything is built or written.
     *
     * @throws IllegalArgumentException where {@link #available()} is false: "precision bf16
     *     cannot run here: " and the reason
     */
    public static void requireAvailable() {
        if (!available()) {
            throw new IllegalArgumentException("precision bf16 cannot run here: "
                    + unavailableReason());
        }
    }

    /**
     * Turns autocast on for this thread until {@link #close()}, which turns it off and drops the
     * cached bfloat16 copies of the weights (they change with every optimiser step).
     *
     * @throws IllegalStateException where {@link #available()} is false, with the reason
     */
    public static Bf16Autocast on() {
        if (!available()) {
            throw new IllegalStateException("bf16 autocast is not available: "
                    + unavailableReason());
        }
        return new Bf16Autocast();
    }

    /** Whether autocast is on for this thread. */
    public static boolean isOn() {
        return BINDING.error == null
                && (BINDING.isEnabled.invokeInt(new Object[] {CPU}) & 0xff) != 0;
    }

    @Override
    public void close() {
        BINDING.setEnabled.invokeVoid(new Object[] {CPU, 0});
        BINDING.clearCache.invokeVoid(new Object[0]);
    }

    /** The three libtorch functions, or why they could not be bound. */
    private record Binding(Function setEnabled, Function isEnabled, Function clearCache,
            String error) {
        static Binding load() {
            try {
                return new Binding(
                        LibTorchSymbols.function(
                                "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb"),
                        LibTorchSymbols.function(
                                "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE"),
                        LibTorchSymbols.function("_ZN2at8autocast11clear_cacheEv"), null);
            } catch (UnsatisfiedLinkError e) {
                return failed("libtorch's autocast functions were not found: " + e.getMessage());
            }
        }

        private static Binding failed(String error) {
            return new Binding(null, null, null, error);
        }
    }

    /**
     * {@code x} in float32: {@code x} itself when it is float32 already, else (a bfloat16 result
     * of autocast) promoted by adding a float32 zero of shape (1). DJL's {@code toType} runs under
     * a no-grad guard, so it would cut what made {@code x} out of the backward pass; and DJL
     * cannot name bfloat16, so an operation that passes the array's type to libtorch (softmax)
     * must get float32.
     */
    public static NDArray float32(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32) {
            return x;
        }
        return x.add(x.getManager().zeros(new Shape(1), DataType.FLOAT32));
    }
}
