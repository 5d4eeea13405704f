package dev.selfsup.augment;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Blurs the image with a separable Gaussian kernel with a given probability, as
 * {@code RandomApply([GaussianBlur(kernelSize, sigma=(minSigma, maxSigma))], p=probability)} in
 * torchvision: {@code sigma} uniform in {@code [minSigma, maxSigma]}, a 1-D kernel of
 * {@code kernelSize} taps {@code exp(-x^2 / (2 sigma^2))} at {@code x = -(k-1)/2 .. (k-1)/2},
 * normalised to sum 1, applied along rows then columns with reflect padding (the edge value not
 * repeated; mirrored again for kernels wider than the image). The kernel's float sum is capped at
 * 1, so inputs in [0, 1] give outputs in [0, 1] without clamping.
 *
 * <p>Defaults {@code sigma in [0.1, 2.0]} are SimCLR's (<a href="https://arxiv.org/abs/2002.05709"
 * >Chen et al. 2020</a>, appendix A: probability 0.5, kernel 10% of the image side), which drops
 * blur for CIFAR-10. Shape {@code (channels, height, width)} is kept. Thread-safe: per-thread
 * scratch buffers.
 */
public record GaussianBlur(double probability, int kernelSize, double minSigma, double maxSigma)
        implements InPlaceTransform {
    /** SimCLR's smallest sigma. */
    public static final double DEFAULT_MIN_SIGMA = 0.1;
    /** SimCLR's largest sigma. */
    public static final double DEFAULT_MAX_SIGMA = 2.0;

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** A blur with sigma in {@code [0.1, 2.0]}. */
    public GaussianBlur(double probability, int kernelSize) {
        this(probability, kernelSize, DEFAULT_MIN_SIGMA, DEFAULT_MAX_SIGMA);
    }

    /**
     * A blur with every parameter given.
     *
     * @param probability in {@code [0, 1]}
     * @param kernelSize odd, {@code >= 1}
     * @param minSigma {@code > 0}
     * @param maxSigma {@code >= minSigma}
     */
    public GaussianBlur {
        Checks.probability("probability", probability);
        if (kernelSize < 1 || kernelSize % 2 == 0) {
            throw new IllegalArgumentException(
                    "kernelSize must be odd and >= 1, found " + kernelSize);
        }
        Checks.positive("minSigma", minSigma);
        Checks.positive("maxSigma", maxSigma);
        if (maxSigma < minSigma) {
            throw new IllegalArgumentException(
                    "maxSigma must be >= minSigma=" + minSigma + ", found " + maxSigma);
        }
    }

    /** One thread's kernel, padded line and intermediate plane. */
    private static final class Scratch {
        float[] kernel = new float[0];
        float[] line = new float[0];
        float[] plane = new float[0];
        float[] row = new float[0];
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        if (!(random.nextDouble() < probability)) {
            return;
        }
        double sigma = minSigma + (maxSigma - minSigma) * random.nextDouble();
        Scratch scratch = SCRATCH.get();
        if (scratch.kernel.length < kernelSize) {
            scratch.kernel = new float[kernelSize];
        }
        kernel(kernelSize, sigma, scratch.kernel);
        blur(data, offset, channels, height, width, scratch.kernel, kernelSize, scratch);
    }

    /** Fills {@code out[0..size)} with the normalised 1-D Gaussian kernel of {@code sigma}. */
    static void kernel(int size, double sigma, float[] out) {
        double half = (size - 1) * 0.5;
        double sum = 0;
        for (int i = 0; i < size; i++) {
            double x = (i - half) / sigma;
            sum += Math.exp(-0.5 * x * x);
        }
        for (int i = 0; i < size; i++) {
            double x = (i - half) / sigma;
            out[i] = (float) (Math.exp(-0.5 * x * x) / sum);
        }
        Resampler.capSum(out, 0, size);
    }

    /** Index {@code i} reflected into {@code [0, n)} without repeating the edge. */
    static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }

    private static void blur(float[] data, int offset, int channels, int height, int width,
            float[] kernel, int size, Scratch scratch) {
        int half = size / 2;
        int plane = height * width;
        if (scratch.line.length < width + 2 * half) {
            scratch.line = new float[width + 2 * half];
        }
        if (scratch.plane.length < plane) {
            scratch.plane = new float[plane];
        }
        if (scratch.row.length < width) {
            scratch.row = new float[width];
        }
        float[] line = scratch.line;
        float[] tmp = scratch.plane;
        float[] row = scratch.row;
        for (int c = 0; c < channels; c++) {
            int base = offset + c * plane;
            // rows: tmp[y][x] = sum_k kernel[k] * in[y][reflect(x + k - half)]
            for (int y = 0; y < height; y++) {
                int rowStart = base + y * width;
                for (int p = 0; p < width + 2 * half; p++) {
                    line[p] = data[rowStart + reflect(p - half, width)];
                }
                for (int x = 0; x < width; x++) {
                    float v = 0f;
                    for (int k = 0; k < size; k++) {
                        v += kernel[k] * line[x + k];
                    }
                    tmp[y * width + x] = v;
                }
            }
            // columns: out[y][x] = sum_k kernel[k] * tmp[reflect(y + k - half)][x]
            for (int y = 0; y < height; y++) {
                Arrays.fill(row, 0, width, 0f);
                for (int k = 0; k < size; k++) {
                    float w = kernel[k];
                    int source = reflect(y + k - half, height) * width;
                    for (int x = 0; x < width; x++) {
                        row[x] += w * tmp[source + x];
                    }
                }
                int rowStart = base + y * width;
                for (int x = 0; x < width; x++) {
                    data[rowStart + x] = row[x];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "GaussianBlur(probability=" + probability + ", kernelSize=" + kernelSize
                + ", sigma=[" + minSigma + ", " + maxSigma + "])";
    }
}
