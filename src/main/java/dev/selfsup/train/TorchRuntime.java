package dev.selfsup.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/** Process-wide libtorch settings: compute threads and the random seed. */
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

    /** Seeds libtorch's generator (weight initialisation). */
    public static void setSeed(long seed) {
        Engine.getEngine("PyTorch").setRandomSeed((int) (seed ^ (seed >>> 32)));
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
