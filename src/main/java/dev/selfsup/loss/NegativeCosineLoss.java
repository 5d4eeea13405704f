package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.selfsup.nn.Scalars;

/**
 * SimSiam's symmetric negative cosine (Chen and He 2021, https://arxiv.org/abs/2011.10566,
 * eq. 2): {@code L = D(p1, sg(z2)) / 2 + D(p2, sg(z1)) / 2} with
 * {@code D(p, z) = -mean cos(p, z)} and {@code sg} the stop-gradient, so the targets receive no
 * gradient. In [-1, 1]; -1 when every prediction points at its target.
 */
public final class NegativeCosineLoss {
    /** {@code -mean cos(p, z)} of paired rows, {@code (batch, dim)} each; no stop-gradient. */
    public NDArray distance(NDArray prediction, NDArray target) {
        if (prediction.getShape().dimension() != 2 || !prediction.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("inputs must both be (batch, dim), found "
                    + prediction.getShape() + " and " + target.getShape());
        }
        NDArray p = prediction.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray z = target.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        return p.mul(z).sum(new int[] {1}).mean().neg();
    }

    /** The symmetric loss with stop-gradient on the targets {@code z1}, {@code z2}. */
    public NDArray compute(NDArray prediction1, NDArray prediction2, NDArray target1, NDArray target2) {
        return Scalars.dividedBy(distance(prediction1, target2.stopGradient()).add(
                distance(prediction2, target1.stopGradient())), 2f);
    }
}
