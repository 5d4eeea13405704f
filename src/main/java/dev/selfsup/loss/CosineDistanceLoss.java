package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;

/**
 * Mean cosine distance {@code 1 - cos(a_i, b_i)} between paired rows, in [0, 2]. With no
 * negatives it is minimised by any constant embedding: the tutorial method uses it to show
 * collapse, and BYOL/SimSiam (with a predictor and a stop-gradient) use it without collapsing.
 */
public final class CosineDistanceLoss {
    private static final NegativeCosineLoss NEGATIVE_COSINE = new NegativeCosineLoss();

    /** The loss of two {@code (batch, dim)} arrays, as a scalar. */
    public NDArray compute(NDArray a, NDArray b) {
        return NEGATIVE_COSINE.distance(a, b).add(1f); // 1 - mean cos(a_i, b_i)
    }
}
