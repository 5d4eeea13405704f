package dev.selfsup.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * libtorch settings: compute threads (and a preloaded OpenBLAS's), the random seed, a thread's
 * grad mode.
 */
public final class TorchRuntime {
    private TorchRuntime() {}

    /**
     * Uses {@code threads} intra-op threads for libtorch's kernels, and as many for OpenBLAS's
     * products where one is loaded ({@link #blas}).
     */
    public static void setThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, found " + threads);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
        Function blasThreads = openBlasFunction("openblas_set_num_threads");
        if (blasThreads != null) {
            blasThreads.invokeVoid(new Object[] {threads});
        }
    }

    /**
     * The BLAS that libtorch's float32 matrix products run on: {@code OpenBLAS <version> <kernels>}
     * where one is loaded ahead of libtorch (the launcher preloads it where installed: libtorch
     * calls {@code sgemm_} through its dynamic symbol, so the first one loaded serves it), else
     * {@code MKL (in libtorch)}.
     */
    public static String blas() {
        Function config = openBlasFunction("openblas_get_config");
        Function core = openBlasFunction("openblas_get_corename");
        if (config == null || core == null) {
            return "MKL (in libtorch)";
        }
        String description = config.invokeString(new Object[0], false);
        String kernels = core.invokeString(new Object[0], false);
        // the config names the build's default kernels; the core name, the ones running
        String[] words = description.split(" ");
        return (words.length >= 2 ? words[0] + " " + words[1] : description) + " " + kernels;
    }

    /** An OpenBLAS function from the libraries this process has loaded, or null. */
    private static Function openBlasFunction(String name) {
        try {
            return NativeLibrary.getProcess().getFunction(name);
        } catch (UnsatisfiedLinkError e) {
            return null;
        }
    }

    /** {@code threads}, or one per core where it is null (the CLI's default). */
    public static int threadsOrAllCores(Integer threads) {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    /** Seeds libtorch's generator (weight initialisation). */
    public static void setSeed(long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) (seed ^ (seed >>> 32)));
    }

    /**
     * Turns off gradient recording on the calling thread. libtorch's grad mode is per thread and
     * DJL turns it off only on the thread that starts the engine, so a thread of another pool
     * (a Spark task, a server's worker) calls this before it loads a checkpoint or embeds:
     * otherwise loading fails ("a leaf Variable that requires grad is being used in an in-place
     * operation") and every forward pass records a graph it never frees before the batch ends.
     */
    public static void inferenceOnThisThread() {
        Engine.getEngine("PyTorch");
        JniUtils.setGradMode(false);
    }

    /**
     * Starts libtorch's profiler for this thread's operators (with their input shapes); stop it
     * with {@link #stopProfiler}.
     */
    public static void startProfiler() {
        Engine.getEngine("PyTorch");
        JniUtils.startProfile(false, true, false);
    }

    /**
     * Stops the profiler and writes what it recorded to {@code trace} as a Chrome trace
     * (JSON; open it in {@code chrome://tracing} or Perfetto, or sum it by operator name).
     */
    public static void stopProfiler(java.nio.file.Path trace) {
        JniUtils.stopProfile(trace.toAbsolutePath().toString());
    }

    /** DJL's version. */
    public static String djlVersion() {
        return Engine.getDjlVersion();
    }

    /** libtorch's version. */
    public static String torchVersion() {
        return Engine.getEngine("PyTorch").getVersion();
    }
}
