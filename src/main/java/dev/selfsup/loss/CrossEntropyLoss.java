package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Softmax cross-entropy of class logits against integer labels, averaged over the batch:
 * {@code -mean_i log softmax(z_i)[y_i]}. RotNet (Gidaris et al. 2018,
 * https://arxiv.org/abs/1803.07728) trains its 4-way rotation classifier with it; {@code ln K}
 * for uniform logits over {@code K} classes.
 */
public final class CrossEntropyLoss {
    /**
     * @param logits {@code (batch, classes)}
     * @param labels {@code (batch)} integer class indices in {@code [0, classes)}
     */
    public NDArray compute(NDArray logits, NDArray labels) {
        if (logits.getShape().dimension() != 2 || labels.getShape().dimension() != 1
                || labels.getShape().get(0) != logits.getShape().get(0)) {
            throw new IllegalArgumentException("logits must be (batch, classes) and labels (batch), "
                    + "found " + logits.getShape() + " and " + labels.getShape());
        }
        // the same per-row cross-entropy as the masked-token loss, over every row
        return MaskedTokenLoss.loss(logits.toType(DataType.FLOAT32, false),
                labels.toType(DataType.INT64, false));
    }
}
