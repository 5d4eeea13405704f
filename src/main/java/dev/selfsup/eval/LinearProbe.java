package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.nio.FloatBuffer;

/**
 * The linear evaluation protocol: multinomial logistic regression trained on frozen features,
 * standardised with the training split's per-feature mean and std, scored by test top-1.
 *
 * <p>Training is mini-batch Adam on the softmax cross-entropy with an L2 penalty, a fixed number
 * of epochs and a cosine-decayed rate, the same for every feature set compared (raw pixels,
 * random init, trained), so the comparison is fair. The gradient is the closed form
 * {@code X^T (softmax(XW + b) - Y) / batch + l2 * W}.
 *
 * @param epochs passes over the training features
 * @param batchSize rows per update
 * @param learningRate Adam's peak rate
 * @param l2 weight of the L2 penalty on W
 * @param seed drives the shuffling
 */
public record LinearProbe(int epochs, int batchSize, double learningRate, double l2, long seed) {
    public LinearProbe {
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("epochs and batch size must be > 0, found "
                    + epochs + " and " + batchSize);
        }
        if (!(learningRate > 0) || !(l2 >= 0)) {
            throw new IllegalArgumentException("learning rate must be > 0 and l2 >= 0, found "
                    + learningRate + " and " + l2);
        }
    }

    /** The protocol selfsup reports: 30 epochs, batch 256, Adam 1e-2 → 0, l2 1e-4. */
    public static LinearProbe standard(long seed) {
        return new LinearProbe(30, 256, 1e-2, 1e-4, seed);
    }

    /** Trains on {@code train} and returns the test top-1 accuracy. */
    public double accuracy(FeatureMatrix train, int[] trainLabels, FeatureMatrix test,
            int[] testLabels, int classCount, NDManager parent) {
        return Metrics.accuracy(fitPredict(train, trainLabels, test, classCount, parent), testLabels);
    }

    /** Trains on {@code train} and predicts a label for every row of {@code test}. */
    public int[] fitPredict(FeatureMatrix train, int[] trainLabels, FeatureMatrix test,
            int classCount, NDManager parent) {
        if (train.dim() != test.dim()) {
            throw new IllegalArgumentException("train and test features differ in width: "
                    + train.dim() + " vs " + test.dim());
        }
        int dim = train.dim();
        float[][] standardization = meanAndStd(train);
        float[] x = standardize(train, standardization);
        float[] xTest = standardize(test, standardization);
        int n = train.rows();
        int batch = Math.min(batchSize, n);
        int stepsPerEpoch = Math.max(1, n / batch);
        long totalSteps = (long) stepsPerEpoch * epochs;
        try (NDManager manager = parent.newSubManager()) {
            NDArray w = manager.zeros(new Shape(dim, classCount)); // (dim, classes)
            NDArray b = manager.zeros(new Shape(classCount)); // (classes,)
            NDArray[] adam = {manager.zeros(w.getShape()), manager.zeros(w.getShape()),
                manager.zeros(b.getShape()), manager.zeros(b.getShape())};
            int[] order = new int[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            float[] xb = new float[batch * dim];
            float[] yb = new float[batch * classCount];
            long t = 0;
            for (int epoch = 0; epoch < epochs; epoch++) {
                Permutations.shuffle(order, Seeds.random(seed, epoch));
                for (int step = 0; step < stepsPerEpoch; step++, t++) {
                    java.util.Arrays.fill(yb, 0f);
                    for (int r = 0; r < batch; r++) {
                        int row = order[step * batch + r];
                        System.arraycopy(x, row * dim, xb, r * dim, dim);
                        yb[r * classCount + trainLabels[row]] = 1f;
                    }
                    double rate = learningRate * 0.5 * (1 + Math.cos(Math.PI * t / totalSteps));
                    try (NDManager scope = manager.newSubManager()) {
                        scope.tempAttachAll(w, b, adam[0], adam[1], adam[2], adam[3]);
                        NDArray xs = scope.create(FloatBuffer.wrap(xb), new Shape(batch, dim));
                        NDArray ys = scope.create(FloatBuffer.wrap(yb), new Shape(batch, classCount));
                        NDArray error = xs.matMul(w).addi(b).softmax(1).subi(ys).divi((float) batch);
                        NDArray gradW = xs.transpose().matMul(error).addi(w.mul((float) l2));
                        NDArray gradB = error.sum(new int[] {0});
                        adamUpdate(w, gradW, adam[0], adam[1], rate, t + 1);
                        adamUpdate(b, gradB, adam[2], adam[3], rate, t + 1);
                    }
                }
            }
            try (NDManager scope = manager.newSubManager()) {
                scope.tempAttachAll(w, b);
                NDArray xs = scope.create(FloatBuffer.wrap(xTest), new Shape(test.rows(), dim));
                long[] predicted = xs.matMul(w).addi(b).argMax(1).toLongArray();
                int[] labels = new int[predicted.length];
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = (int) predicted[i];
                }
                return labels;
            }
        }
    }

    private static void adamUpdate(NDArray weight, NDArray gradient, NDArray m, NDArray v,
            double rate, long t) {
        m.muli(0.9f).addi(gradient.mul(0.1f));
        v.muli(0.999f).addi(gradient.square().muli(0.001f));
        double c1 = 1 - Math.pow(0.9, t);
        double c2 = 1 - Math.pow(0.999, t);
        weight.subi(m.mul((float) (rate / c1)).divi(v.div((float) c2).sqrt().addi(1e-8f)));
    }

    /** Per-feature mean and std of {@code train} (std floored at 1e-6). */
    static float[][] meanAndStd(FeatureMatrix train) {
        int dim = train.dim();
        double[] sum = new double[dim];
        double[] sumSquares = new double[dim];
        float[] v = train.values();
        for (int r = 0; r < train.rows(); r++) {
            for (int j = 0; j < dim; j++) {
                double value = v[r * dim + j];
                sum[j] += value;
                sumSquares[j] += value * value;
            }
        }
        float[] mean = new float[dim];
        float[] std = new float[dim];
        for (int j = 0; j < dim; j++) {
            double m = sum[j] / train.rows();
            mean[j] = (float) m;
            std[j] = (float) Math.max(1e-6, Math.sqrt(Math.max(0, sumSquares[j] / train.rows() - m * m)));
        }
        return new float[][] {mean, std};
    }

    private static float[] standardize(FeatureMatrix features, float[][] meanAndStd) {
        int dim = features.dim();
        float[] out = features.values().clone();
        for (int r = 0; r < features.rows(); r++) {
            for (int j = 0; j < dim; j++) {
                out[r * dim + j] = (out[r * dim + j] - meanAndStd[0][j]) / meanAndStd[1][j];
            }
        }
        return out;
    }
}
