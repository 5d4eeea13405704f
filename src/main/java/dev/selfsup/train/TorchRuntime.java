package dev.selfsup.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** libtorch settings: compute threads, the random seed, a thread's grad mode. */
public final class TorchRuntime {
    private TorchRuntime() {}

    /** Uses {@code threads} intra-op threads for libtorch's kernels. */
    public static void setThreads(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, found " + threads);
        }
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(threads);
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
