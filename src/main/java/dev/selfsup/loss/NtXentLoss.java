package dev.selfsup.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.nn.Scalars;

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR
 * (https://arxiv.org/abs/2002.05709, eq. 1), also known as InfoNCE.
 *
 * <p>For a batch of N samples with two views each, the 2N embeddings are l2-normalised; every
 * embedding is an anchor whose positive is the other view of its sample and whose negatives are
 * the other 2N-2 embeddings:
 * <pre>  l(i) = -log( exp(sim(z_i, z_pos(i))/t) / sum_{k != i} exp(sim(z_i, z_k)/t) )</pre>
 * The loss is the mean of l(i) over all 2N anchors, computed with a log-sum-exp in fp32. When all
 * embeddings are identical it equals {@code log(2N - 1)}. Only out-of-place operations touch
 * tensors that autograd records.
 */
public final class NtXentLoss {
    /** Large enough that exp(-MASK) underflows to 0 in fp32, small enough to stay finite. */
    private static final float SELF_MASK = 1e9f;

    private final double temperature;

    /**
     * @param temperature the softmax temperature t; SimCLR's CIFAR runs use 0.5, MoCo v2 0.2
     */
    public NtXentLoss(double temperature) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException(
                    "temperature must be a finite number > 0, found " + temperature);
        }
        this.temperature = temperature;
    }

    public double temperature() {
        return temperature;
    }

    /**
     * The mean NT-Xent loss of two views.
     *
     * @param view1 embeddings of the first views, {@code (batch, dim)}
     * @param view2 embeddings of the second views, {@code (batch, dim)}, row i = same sample
     * @return the scalar loss
     */
    public NDArray compute(NDArray view1, NDArray view2) {
        Shape shape = view1.getShape();
        if (shape.dimension() != 2 || !shape.equals(view2.getShape())) {
            throw new IllegalArgumentException("views must both be (batch, dim), found "
                    + shape + " and " + view2.getShape());
        }
        int n = Math.toIntExact(shape.get(0));
        if (n < 2) {
            throw new IllegalArgumentException("NT-Xent needs a batch of at least 2, found " + n);
        }
        NDManager manager = view1.getManager();
        NDArray z = NDArrays.concat(new ai.djl.ndarray.NDList(
                view1.toType(DataType.FLOAT32, false), view2.toType(DataType.FLOAT32, false)), 0);
        z = z.normalize(2, 1, 1e-12); // (2N, dim), unit rows
        NDArray logits = Scalars.dividedBy(z.matMul(z.transpose()), (float) temperature); // (2N, 2N)
        logits = logits.sub(Scalars.times(manager.eye(2 * n), SELF_MASK)); // drop k == i
        NDArray logProbabilities = logits.logSoftmax(1); // (2N, 2N)
        NDArray positives = positiveMask(manager, n); // (2N, 2N), one 1 per row
        return Scalars.dividedBy(logProbabilities.mul(positives).sum(), -2f * n);
    }

    /**
     * InfoNCE against a set of negatives, as MoCo uses it (He et al. 2020,
     * https://arxiv.org/abs/1911.05722, eq. 1): for every query {@code q_i} the positive is key
     * {@code k_i} and the negatives are all rows of {@code negatives} (for MoCo, its queue):
     * <pre>  l(i) = -log( exp(q_i.k_i/t) / (exp(q_i.k_i/t) + sum_j exp(q_i.n_j/t)) )</pre>
     * with every row l2-normalised. Returns the mean over queries; when every query, key and
     * negative is the same vector it equals {@code log(1 + negatives)}.
     *
     * @param queries {@code (batch, dim)}
     * @param keys {@code (batch, dim)}, row i the positive of query i
     * @param negatives {@code (count, dim)}
     */
    public NDArray compute(NDArray queries, NDArray keys, NDArray negatives) {
        Shape shape = queries.getShape();
        if (shape.dimension() != 2 || !shape.equals(keys.getShape())) {
            throw new IllegalArgumentException("queries and keys must both be (batch, dim), found "
                    + shape + " and " + keys.getShape());
        }
        if (negatives.getShape().dimension() != 2 || negatives.getShape().get(1) != shape.get(1)
                || negatives.getShape().get(0) < 1) {
            throw new IllegalArgumentException("negatives must be (count >= 1, " + shape.get(1)
                    + "), found " + negatives.getShape());
        }
        NDArray q = queries.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray k = keys.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray n = negatives.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray positive = q.mul(k).sum(new int[] {1}, true); // (batch, 1)
        NDArray negative = q.matMul(n.transpose()); // (batch, count)
        NDArray logits = Scalars.dividedBy( // (batch, 1 + count); column 0 is the positive
                NDArrays.concat(new ai.djl.ndarray.NDList(positive, negative), 1),
                (float) temperature);
        NDArray logProbabilities = logits.logSoftmax(1);
        return logProbabilities.get(":, 0").mean().neg();
    }

    /**
     * The one-directional InfoNCE of NNCLR (Dwibedi et al. 2021, https://arxiv.org/abs/2104.14548,
     * eq. 2): anchor {@code a_i}'s positive is {@code b_i}, its negatives the other rows of
     * {@code b}:
     * <pre>  l(i) = -log( exp(a_i.b_i/t) / sum_k exp(a_i.b_k/t) )</pre>
     * with every row l2-normalised. Returns the mean over anchors; when every row is the same
     * vector it equals {@code log(batch)}.
     *
     * @param anchors {@code (batch, dim)}
     * @param positives {@code (batch, dim)}, row i the positive of anchor i
     */
    public NDArray crossView(NDArray anchors, NDArray positives) {
        Shape shape = anchors.getShape();
        if (shape.dimension() != 2 || !shape.equals(positives.getShape())) {
            throw new IllegalArgumentException("anchors and positives must both be (batch, dim), "
                    + "found " + shape + " and " + positives.getShape());
        }
        int n = Math.toIntExact(shape.get(0));
        if (n < 2) {
            throw new IllegalArgumentException("InfoNCE needs a batch of at least 2, found " + n);
        }
        NDArray a = anchors.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray b = positives.toType(DataType.FLOAT32, false).normalize(2, 1, 1e-12);
        NDArray logits = Scalars.dividedBy(a.matMul(b.transpose()), (float) temperature); // (N, N)
        NDArray logProbabilities = logits.logSoftmax(1);
        NDArray diagonal = anchors.getManager().eye(n); // (N, N), the positives
        return Scalars.dividedBy(logProbabilities.mul(diagonal).sum(), (float) -n);
    }

    /** Row i has a 1 at column (i + N) mod 2N: the other view of the same sample. */
    static NDArray positiveMask(NDManager manager, int n) {
        // [[0, I], [I, 0]] from libtorch's own eye and zeros: no Java buffer per step
        NDArray eye = manager.eye(n); // (N, N)
        NDArray zeros = manager.zeros(new Shape(n, n));
        return NDArrays.concat(new ai.djl.ndarray.NDList(
                NDArrays.concat(new ai.djl.ndarray.NDList(zeros, eye), 1),
                NDArrays.concat(new ai.djl.ndarray.NDList(eye, zeros), 1)), 0); // (2N, 2N)
    }
}
