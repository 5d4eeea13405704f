package dev.selfsup.pretext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/**
 * Conversion between sRGB in [0, 1] and CIE L*a*b* (D65 white), the colour space of
 * colorization (Zhang et al. 2016, https://arxiv.org/abs/1603.08511): {@code L} in [0, 100] is
 * the lightness the network sees, {@code a} and {@code b} (about [-86, 98] and [-108, 95] over
 * the sRGB gamut) the colour it predicts.
 *
 * <p>sRGB values are linearised with the sRGB transfer curve, mapped to XYZ by the sRGB/D65
 * matrix, divided by the white point (the matrix's image of RGB white, so white maps to
 * {@code a = b = 0} exactly) and put through the CIE {@code f} with its linear toe below
 * {@code (6/29)^3}. Plain-Java {@link #fromRgb(float[])}/{@link #toRgb(float[])} for single
 * pixels and {@link #fromRgb(NDArray)} for batches {@code (batch, 3, height, width)} compute the
 * same function.
 */
public final class CieLab {
    /** The linear-sRGB to XYZ matrix (D65), rows X, Y, Z. */
    private static final double[][] RGB_TO_XYZ = {
        {0.4124564, 0.3575761, 0.1804375},
        {0.2126729, 0.7151522, 0.0721750},
        {0.0193339, 0.1191920, 0.9503041}};
    private static final double[][] XYZ_TO_RGB = invert(RGB_TO_XYZ);
    /** XYZ of RGB white, the reference white. */
    private static final double[] WHITE = {
        RGB_TO_XYZ[0][0] + RGB_TO_XYZ[0][1] + RGB_TO_XYZ[0][2],
        RGB_TO_XYZ[1][0] + RGB_TO_XYZ[1][1] + RGB_TO_XYZ[1][2],
        RGB_TO_XYZ[2][0] + RGB_TO_XYZ[2][1] + RGB_TO_XYZ[2][2]};
    private static final double DELTA = 6.0 / 29.0;

    private CieLab() {}

    /** One pixel {@code (r, g, b)} in [0, 1] (values outside are clamped) to {@code (L, a, b)}. */
    public static float[] fromRgb(float[] rgb) {
        double[] linear = new double[3];
        for (int c = 0; c < 3; c++) {
            linear[c] = linearize(Math.max(0, Math.min(1, rgb[c])));
        }
        double[] f = new double[3];
        for (int row = 0; row < 3; row++) {
            double xyz = RGB_TO_XYZ[row][0] * linear[0] + RGB_TO_XYZ[row][1] * linear[1]
                    + RGB_TO_XYZ[row][2] * linear[2];
            f[row] = labF(xyz / WHITE[row]);
        }
        return new float[] {
            (float) (116 * f[1] - 16), (float) (500 * (f[0] - f[1])), (float) (200 * (f[1] - f[2]))};
    }

    /** One pixel {@code (L, a, b)} to {@code (r, g, b)}, clamped to [0, 1] (out-of-gamut colours). */
    public static float[] toRgb(float[] lab) {
        double fy = (lab[0] + 16) / 116.0;
        double[] f = {fy + lab[1] / 500.0, fy, fy - lab[2] / 200.0};
        double[] xyz = new double[3];
        for (int c = 0; c < 3; c++) {
            xyz[c] = WHITE[c] * labFInverse(f[c]);
        }
        float[] rgb = new float[3];
        for (int row = 0; row < 3; row++) {
            double linear = XYZ_TO_RGB[row][0] * xyz[0] + XYZ_TO_RGB[row][1] * xyz[1]
                    + XYZ_TO_RGB[row][2] * xyz[2];
            rgb[row] = (float) Math.max(0, Math.min(1, delinearize(Math.max(0, linear))));
        }
        return rgb;
    }

    /**
     * A batch of sRGB images {@code (batch, 3, height, width)} in [0, 1] (clamped) to L*a*b*,
     * same shape, channels {@code (L, a, b)}. No gradient is meant to flow through it.
     */
    public static NDArray fromRgb(NDArray rgb) {
        if (rgb.getShape().dimension() != 4 || rgb.getShape().get(1) != 3) {
            throw new IllegalArgumentException("images must be (batch, 3, height, width), found "
                    + rgb.getShape());
        }
        NDArray c = rgb.clip(0f, 1f);
        NDArray linear = NDArrays.where(c.lte(0.04045f), c.div(12.92f),
                c.add(0.055f).div(1.055f).pow(2.4f));
        NDArray[] channel = new NDArray[3];
        for (int k = 0; k < 3; k++) {
            channel[k] = linear.get(new NDIndex(":, {}:{}", k, k + 1)); // (batch, 1, H, W)
        }
        NDArray[] f = new NDArray[3];
        for (int row = 0; row < 3; row++) {
            NDArray xyz = channel[0].mul((float) (RGB_TO_XYZ[row][0] / WHITE[row]))
                    .add(channel[1].mul((float) (RGB_TO_XYZ[row][1] / WHITE[row])))
                    .add(channel[2].mul((float) (RGB_TO_XYZ[row][2] / WHITE[row])));
            f[row] = NDArrays.where(xyz.gt((float) (DELTA * DELTA * DELTA)),
                    xyz.clip(1e-12f, Float.MAX_VALUE).pow(1f / 3f),
                    xyz.div((float) (3 * DELTA * DELTA)).add(4f / 29f));
        }
        NDArray l = f[1].mul(116f).sub(16f);
        NDArray a = f[0].sub(f[1]).mul(500f);
        NDArray b = f[1].sub(f[2]).mul(200f);
        return NDArrays.concat(new NDList(l, a, b), 1); // (batch, 3, H, W)
    }

    /** The sRGB transfer curve's inverse: encoded value in [0, 1] to linear light. */
    static double linearize(double c) {
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    /** The sRGB transfer curve: linear light to encoded value. */
    static double delinearize(double linear) {
        return linear <= 0.0031308 ? 12.92 * linear : 1.055 * Math.pow(linear, 1 / 2.4) - 0.055;
    }

    private static double labF(double t) {
        return t > DELTA * DELTA * DELTA ? Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4.0 / 29.0;
    }

    private static double labFInverse(double f) {
        return f > DELTA ? f * f * f : 3 * DELTA * DELTA * (f - 4.0 / 29.0);
    }

    private static double[][] invert(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double[][] inverse = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                // cofactor of m[j][i] (transposed), by cyclic indices
                int r1 = (j + 1) % 3;
                int r2 = (j + 2) % 3;
                int c1 = (i + 1) % 3;
                int c2 = (i + 2) % 3;
                inverse[i][j] = (m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1]) / det;
            }
        }
        return inverse;
    }
}
