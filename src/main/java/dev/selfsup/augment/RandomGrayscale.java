package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Turns an RGB image to gray with a given probability, as torchvision's
 * {@code RandomGrayscale(p=0.1)} (SimCLR uses 0.2): the luma {@code 0.299 R + 0.587 G + 0.114 B}
 * (ITU-R BT.601, as PIL; torchvision's tensor path uses 0.2989 for R) is written to all three
 * channels, so the shape {@code (3, height, width)} is kept. A no-op on 1-channel images, which
 * still consume the one {@code nextDouble()} per call. Thread-safe.
 */
public record RandomGrayscale(double probability) implements PlanarTransform {
    /** Luma weight of red. */
    static final float LUMA_R = 0.299f;
    /** Luma weight of green. */
    static final float LUMA_G = 0.587f;
    /** Luma weight of blue. */
    static final float LUMA_B = 0.114f;

    /** Grayscale with the given probability in [0, 1]. */
    public RandomGrayscale {
        Checks.probability("probability", probability);
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        if (random.nextDouble() < probability && channels == 3) {
            toGray(data, offset, height * width);
        }
    }

    @Override
    public void applyToPlanes(Planes planes, int channels, int height, int width,
            RandomGenerator random) {
        if (random.nextDouble() < probability && channels == 3) {
            float[] gray = luma(planes);
            for (int c = 0; c < 3; c++) {
                System.arraycopy(gray, 0, planes.channel[c], 0, planes.plane);
            }
        }
    }

    /** Replaces the RGB image of {@code plane} pixels at {@code offset} by its luma, 3 times. */
    static void toGray(float[] data, int offset, int plane) {
        float[] gray = luma(Planes.load(data, offset, 3, plane));
        System.arraycopy(gray, 0, data, offset, plane);
        System.arraycopy(gray, 0, data, offset + plane, plane);
        System.arraycopy(gray, 0, data, offset + 2 * plane, plane);
    }

    /** The luma of the RGB image in {@code planes.channel}, capped at 1, in {@code work[0]}. */
    private static float[] luma(Planes planes) {
        float[] red = planes.channel[0];
        float[] green = planes.channel[1];
        float[] blue = planes.channel[2];
        float[] gray = planes.work[0];
        for (int i = 0; i < planes.plane; i++) {
            gray[i] = Math.min(1f, LUMA_R * red[i] + LUMA_G * green[i] + LUMA_B * blue[i]);
        }
        return gray;
    }

    @Override
    public String toString() {
        return "RandomGrayscale(probability=" + probability + ")";
    }
}
