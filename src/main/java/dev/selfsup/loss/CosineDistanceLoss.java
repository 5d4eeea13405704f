package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Mean cosine distance {@code 1 - cos(a_i, b_i)} between paired rows, in [0, 2]. With no
 * negatives it is minimised by any constant embedding: the tutorial method uses it to show
 * collapse, and BYOL/SimSiam (with a predictor and a stop-gradient) use it without collapsing.
 */
public final class CosineDistanceLoss {
    /** The loss of two {@code (batch, dim)} arrays, as a scalar. */
    public NDArray compute(NDArray a, NDArray b) {
        if (a.getShape().dimension() != 2 || !a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException("inputs must both be (batch, dim), found "
                    + a.getShape() + " and " + b.getShape());
        }
        NDArray x = a.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray y = b.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray cosine = x.mul(y).sum(new int[] {1}); // (batch,)
        return cosine.mean().neg().add(1f);
    }
}
