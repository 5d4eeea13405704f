package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.selfsup.nn.Scalars;

/**
 * The VICReg loss (Bardes et al. 2022, https://arxiv.org/abs/2105.04906, section 3):
 * <ul>
 *   <li>invariance: mean squared error between the two views' embeddings;
 *   <li>variance: per view, the mean over dimensions of {@code max(0, 1 - sqrt(var_j + 1e-4))}
 *       (unbiased variance along the batch), averaged over the two views;
 *   <li>covariance: per view, the sum of squared off-diagonal covariances divided by the
 *       dimension, summed over the two views.
 * </ul>
 * {@code L = invarianceWeight * inv + varianceWeight * var + covarianceWeight * cov}; the paper's
 * weights are 25, 25 and 1.
 */
public final class VicRegLoss {
    private final double invarianceWeight;
    private final double varianceWeight;
    private final double covarianceWeight;

    /** The paper's weights: 25, 25, 1. */
    public VicRegLoss() {
        this(25, 25, 1);
    }

    public VicRegLoss(double invarianceWeight, double varianceWeight, double covarianceWeight) {
        for (double w : new double[] {invarianceWeight, varianceWeight, covarianceWeight}) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("VICReg weights must be finite and >= 0, found "
                        + invarianceWeight + ", " + varianceWeight + ", " + covarianceWeight);
            }
        }
        this.invarianceWeight = invarianceWeight;
        this.varianceWeight = varianceWeight;
        this.covarianceWeight = covarianceWeight;
    }

    /**
     * @param view1 {@code (batch, dim)} embeddings of the first views
     * @param view2 {@code (batch, dim)} embeddings of the second views
     * @return the scalar loss
     */
    public NDArray compute(NDArray view1, NDArray view2) {
        if (view1.getShape().dimension() != 2 || !view1.getShape().equals(view2.getShape())) {
            throw new IllegalArgumentException("views must both be (batch, dim), found "
                    + view1.getShape() + " and " + view2.getShape());
        }
        long n = view1.getShape().get(0);
        if (n < 2) {
            throw new IllegalArgumentException("VICReg needs a batch of at least 2, found " + n);
        }
        NDArray a = view1.toType(DataType.FLOAT32, false);
        NDArray b = view2.toType(DataType.FLOAT32, false);
        NDArray invariance = a.sub(b).square().mean();
        NDArray variance = Scalars.dividedBy(varianceTerm(a).add(varianceTerm(b)), 2f);
        NDArray covariance = covarianceTerm(a).add(covarianceTerm(b));
        return Scalars.times(invariance, (float) invarianceWeight)
                .add(Scalars.times(variance, (float) varianceWeight))
                .add(Scalars.times(covariance, (float) covarianceWeight));
    }

    /** Mean over dimensions of the hinge on the std: a scalar. */
    static NDArray varianceTerm(NDArray z) {
        long n = z.getShape().get(0);
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray std = Scalars.dividedBy(centred.square().sum(new int[] {0}), (float) (n - 1))
                .add(1e-4f).sqrt();
        return Scalars.maximum(std.neg().add(1f), 0f).mean();
    }

    /** Sum of squared off-diagonal covariances divided by the dimension: a scalar. */
    static NDArray covarianceTerm(NDArray z) {
        long n = z.getShape().get(0);
        long dim = z.getShape().get(1);
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray covariance = Scalars.dividedBy(centred.transpose().matMul(centred),
                (float) (n - 1)); // (dim, dim)
        NDArray offDiagonal = covariance.mul(z.getManager().eye((int) dim).neg().add(1f));
        return Scalars.dividedBy(offDiagonal.square().sum(), (float) dim);
    }
}
