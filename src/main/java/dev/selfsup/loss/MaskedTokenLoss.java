package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;

/**
 * Cross-entropy over chosen positions only, as BERT's masked-LM loss
 * (https://arxiv.org/abs/1810.04805): {@code -mean_i log softmax(logits_i)[target_i]}, where the
 * rows are the positions that were chosen for prediction (masked pieces, the pieces an autoencoder
 * rebuilds, or one [CLS] row per pair for next-sentence prediction).
 */
public final class MaskedTokenLoss {
    private MaskedTokenLoss() {}

    /**
     * Mean cross-entropy.
     *
     * @param logits {@code (count, classes)}
     * @param targets {@code (count)}, integer class ids
     * @return a scalar
     */
    public static NDArray loss(NDArray logits, NDArray targets) {
        return perRow(logits, targets).mean();
    }

    /**
     * Cross-entropy of each row.
     *
     * @param logits {@code (count, classes)}
     * @param targets {@code (count)}, integer class ids
     * @return {@code (count)}
     */
    public static NDArray perRow(NDArray logits, NDArray targets) {
        if (logits.getShape().dimension() != 2 || targets.getShape().dimension() != 1
                || logits.getShape().get(0) != targets.getShape().get(0)) {
            throw new IllegalArgumentException("logits must be (count, classes) and targets (count), "
                    + "found " + logits.getShape() + " and " + targets.getShape());
        }
        int classes = (int) logits.getShape().get(1);
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray oneHot = targets.oneHot(classes, ai.djl.ndarray.types.DataType.FLOAT32); // (count, classes)
        return logProbabilities.mul(oneHot).sum(new int[] {1}).neg();
    }

    /** How many rows' highest logit is the target. */
    public static int correct(NDArray logits, NDArray targets) {
        return (int) logits.argMax(1).toType(ai.djl.ndarray.types.DataType.INT64, false)
                .eq(targets.toType(ai.djl.ndarray.types.DataType.INT64, false))
                .sum().toType(ai.djl.ndarray.types.DataType.INT64, false).getLong();
    }
}
