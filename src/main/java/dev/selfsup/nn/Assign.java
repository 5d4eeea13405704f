package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;

/**
 * Copies values into an existing array in place. libtorch prints a deprecation warning for
 * DJL's {@code NDArray.set} and {@code copyTo} on every process start; plain in-place
 * arithmetic does the same work without it.
 */
public final class Assign {
    private Assign() {}

    /**
     * Overwrites {@code target}'s values with {@code source}'s (same shape). Call it outside
     * gradient recording. {@code target} must hold finite values (0 times NaN stays NaN), which
     * holds for freshly initialised parameters and optimiser slots, the only places it is used.
     */
    public static void values(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("shapes differ: target " + target.getShape()
                    + ", source " + source.getShape());
        }
        target.muli(0f).addi(source);
    }
}
