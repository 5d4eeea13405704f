package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Rotates the image about its centre by an angle drawn uniformly from
 * {@code [-maxDegrees, maxDegrees]}, as torchvision's {@code RandomRotation}, with bilinear
 * sampling; points that come from outside the frame take the nearest edge pixel's value (so no
 * black corners appear that would tell views apart). Shape {@code (channels, height, width)} is
 * kept. Not part of SimCLR's recipe (the paper found rotation a weak augmentation on ImageNet);
 * useful where class identity does not depend on orientation, as for the built-in shapes.
 * Thread-safe.
 */
public final class RandomRotation implements InPlaceTransform {
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private final double maxDegrees;

    /** @param maxDegrees the largest rotation either way, in [0, 180] */
    public RandomRotation(double maxDegrees) {
        this.maxDegrees = Checks.inRange("maxDegrees", maxDegrees, 0, 180);
    }

    public double maxDegrees() {
        return maxDegrees;
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        double degrees = (2 * random.nextDouble() - 1) * maxDegrees;
        rotate(data, offset, channels, height, width, Math.toRadians(degrees));
    }

    /**
     * Rotates by {@code radians} in place (inverse mapping, bilinear): output pixel (x, y) takes
     * the source point (x', y') with x' - cx = cos * (x - cx) + sin * (y - cy) and
     * y' - cy = -sin * (x - cx) + cos * (y - cy), about the centre (cx, cy).
     */
    static void rotate(float[] data, int offset, int channels, int height, int width, double radians) {
        int plane = height * width;
        int volume = channels * plane;
        float[] source = SCRATCH.get();
        if (source.length < volume) {
            source = new float[volume];
            SCRATCH.set(source);
        }
        System.arraycopy(data, offset, source, 0, volume);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double centreX = (width - 1) / 2.0;
        double centreY = (height - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            double dy = y - centreY;
            for (int x = 0; x < width; x++) {
                double dx = x - centreX;
                // the source point that lands on (x, y)
                double sx = Math.min(width - 1, Math.max(0, cos * dx + sin * dy + centreX));
                double sy = Math.min(height - 1, Math.max(0, -sin * dx + cos * dy + centreY));
                int x0 = (int) sx;
                int y0 = (int) sy;
                int x1 = Math.min(x0 + 1, width - 1);
                int y1 = Math.min(y0 + 1, height - 1);
                float fx = (float) (sx - x0);
                float fy = (float) (sy - y0);
                float w00 = (1 - fx) * (1 - fy);
                float w01 = fx * (1 - fy);
                float w10 = (1 - fx) * fy;
                float w11 = fx * fy;
                int i00 = y0 * width + x0;
                int i01 = y0 * width + x1;
                int i10 = y1 * width + x0;
                int i11 = y1 * width + x1;
                for (int c = 0; c < channels; c++) {
                    int base = c * plane;
                    data[offset + base + y * width + x] = w00 * source[base + i00]
                            + w01 * source[base + i01] + w10 * source[base + i10]
                            + w11 * source[base + i11];
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RandomRotation(maxDegrees=" + maxDegrees + ")";
    }
}
