package dev.selfsup.eval;

import java.util.Objects;

/**
 * A {@code (rows, dim)} matrix of float features in row-major order, one row per sample.
 *
 * @param values {@code rows * dim} floats
 * @param rows number of samples
 * @param dim features per sample
 */
public record FeatureMatrix(float[] values, int rows, int dim) {
    public FeatureMatrix {
        Objects.requireNonNull(values, "values");
        if (rows < 0 || dim <= 0 || (long) rows * dim != values.length) {
            throw new IllegalArgumentException("values must hold rows*dim floats, found "
                    + values.length + " for " + rows + "x" + dim);
        }
    }

    /** A copy whose rows have unit l2 norm (rows of zeros stay zero). */
    public FeatureMatrix l2Normalized() {
        float[] out = values.clone();
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            int base = r * dim;
            for (int j = 0; j < dim; j++) {
                sum += (double) out[base + j] * out[base + j];
            }
            float inverse = sum > 0 ? (float) (1 / Math.sqrt(sum)) : 0f;
            for (int j = 0; j < dim; j++) {
                out[base + j] *= inverse;
            }
        }
        return new FeatureMatrix(out, rows, dim);
    }

    /**
     * The rows at {@code indices}, in that order: {@code (indices.length, dim)}.
     *
     * @throws IllegalArgumentException if an index is outside {@code [0, rows)}
     */
    public FeatureMatrix rows(int[] indices) {
        Objects.requireNonNull(indices, "indices");
        float[] out = new float[indices.length * dim];
        for (int i = 0; i < indices.length; i++) {
            int row = indices[i];
            if (row < 0 || row >= rows) {
                throw new IllegalArgumentException("row indices must be in [0, " + rows
                        + "), found " + row + " at position " + i);
            }
            System.arraycopy(values, row * dim, out, i * dim, dim);
        }
        return new FeatureMatrix(out, indices.length, dim);
    }

    /** Whether every value is finite. */
    public boolean isFinite() {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
        }
        return true;
    }
}
