package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.selfsup.nn.Scalars;

/**
 * The Barlow Twins loss (Zbontar et al. 2021, https://arxiv.org/abs/2103.03230, eq. 1): each
 * view's embeddings are standardised along the batch, their cross-correlation matrix
 * {@code C = z1n^T z2n / N} is pushed toward the identity:
 * <pre>  L = sum_i (1 - C_ii)^2 + lambda * sum_{i != j} C_ij^2</pre>
 * The paper uses lambda = 5e-3 (with 8192-d embeddings); the standardisation uses the batch std
 * (biased), as the paper's batch norm without affine parameters.
 */
public final class BarlowTwinsLoss {
    /** The paper's weight of the off-diagonal (redundancy-reduction) term. */
    public static final double DEFAULT_LAMBDA = 5e-3;

    private final double lambda;

    public BarlowTwinsLoss(double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("lambda must be a finite number >= 0, found " + lambda);
        }
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
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
        long dim = view1.getShape().get(1);
        if (n < 2) {
            throw new IllegalArgumentException("Barlow Twins needs a batch of at least 2, found " + n);
        }
        NDArray a = standardize(view1.toType(DataType.FLOAT32, false));
        NDArray b = standardize(view2.toType(DataType.FLOAT32, false));
        NDArray c = Scalars.dividedBy(a.transpose().matMul(b), (float) n); // (dim, dim)
        NDManager manager = view1.getManager();
        NDArray eye = manager.eye((int) dim);
        NDArray diagonal = c.mul(eye).sum(new int[] {1}); // (dim,)
        NDArray onDiagonal = diagonal.sub(1f).square().sum();
        NDArray offDiagonal = c.mul(eye.neg().add(1f)).square().sum();
        return onDiagonal.add(Scalars.times(offDiagonal, (float) lambda));
    }

    /** Zero mean, unit (biased) std per column: {@code (batch, dim)}. */
    static NDArray standardize(NDArray z) {
        NDArray centred = z.sub(z.mean(new int[] {0}, true));
        NDArray std = centred.square().mean(new int[] {0}, true).add(1e-5f).sqrt();
        return centred.div(std);
    }
}
