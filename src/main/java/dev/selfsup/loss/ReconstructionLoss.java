package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mean squared error between a reconstruction and its target, optionally over masked pixels
 * only: {@code sum(m * (p - t)^2) / sum(m)} with the mask {@code m} broadcast over channels, as
 * the context encoder (Pathak et al. 2016, https://arxiv.org/abs/1604.07379) and SimMIM (Xie et
 * al. 2021, https://arxiv.org/abs/2111.09886; it reports l1 and l2 alike) score only what was
 * hidden. The target receives no gradient.
 */
public final class ReconstructionLoss {
    /** {@code mean((p - t)^2)} over every element of {@code (batch, C, H, W)} (or any same shape). */
    public NDArray compute(NDArray prediction, NDArray target) {
        checkSameShape(prediction, target);
        NDArray difference = prediction.toType(DataType.FLOAT32, false)
                .sub(target.stopGradient().toType(DataType.FLOAT32, false));
        return difference.mul(difference).mean();
    }

    /**
     * The mean squared error over the masked elements.
     *
     * @param prediction {@code (batch, C, H, W)}
     * @param target the same shape
     * @param mask {@code (batch, 1, H, W)} or {@code (batch, C, H, W)}: 1 for pixels that count,
     *     0 for the others; an all-zero mask gives 0
     */
    public NDArray compute(NDArray prediction, NDArray target, NDArray mask) {
        checkSameShape(prediction, target);
        long[] p = prediction.getShape().getShape();
        long[] m = mask.getShape().getShape();
        if (m.length != p.length || m[0] != p[0] || (m[1] != 1 && m[1] != p[1])
                || m.length > 2 && !java.util.Arrays.equals(m, 2, m.length, p, 2, p.length)) {
            throw new IllegalArgumentException("mask must be (batch, 1, ...) or shaped like the "
                    + "prediction " + prediction.getShape() + ", found " + mask.getShape());
        }
        NDArray weights = mask.stopGradient().toType(DataType.FLOAT32, false)
                .broadcast(prediction.getShape());
        NDArray difference = prediction.toType(DataType.FLOAT32, false)
                .sub(target.stopGradient().toType(DataType.FLOAT32, false));
        return difference.mul(difference).mul(weights).sum()
                .div(weights.sum().maximum(1f));
    }

    private static void checkSameShape(NDArray prediction, NDArray target) {
        if (!prediction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("prediction and target shapes differ: "
                    + prediction.getShape() + " and " + target.getShape());
        }
    }
}
