package dev.selfsup.augment;

import dev.selfsup.data.ImageSet;
import java.util.random.RandomGenerator;

/**
 * Crops a random rectangle and resizes it bilinearly to {@code (channels, outputSize,
 * outputSize)}, with the semantics of torchvision's {@code RandomResizedCrop}.
 *
 * <p>The box is drawn as in torchvision's {@code RandomResizedCrop.get_params}: up to 10 attempts
 * of an area fraction uniform in {@code [minScale, maxScale]} and an aspect ratio (width/height)
 * log-uniform in {@code [minRatio, maxRatio]}, giving {@code w = round(sqrt(area * ratio))} and
 * {@code h = round(sqrt(area / ratio))} (round half to even, as Python's {@code round}); the first
 * box that fits is placed uniformly at random. If none fits, the fallback is a centre crop of the
 * whole image clipped to the ratio range. The box is then resized with a bilinear (triangle)
 * filter that antialiases when shrinking, as torchvision's {@code BILINEAR, antialias=True}; a
 * box equal to the whole image at the output size is an exact identity. Weights are non-negative
 * and sum to at most 1, so inputs in [0, 1] give outputs in [0, 1]; nothing is clamped.
 *
 * <p>Defaults, as torchvision and SimCLR (<a href="https://arxiv.org/abs/2002.05709">Chen et al.
 * 2020</a>): scale {@code [0.08, 1]}, ratio {@code [3/4, 4/3]}.
 *
 * <p>{@link #apply} returns a new image; {@link #render} crops an {@link ImageSet}'s bytes straight
 * into a caller's buffer, which is what {@link TransformRecipe} uses. Thread-safe.
 */
public record RandomResizedCrop(
        int outputSize, double minScale, double maxScale, double minRatio, double maxRatio)
        implements ImageTransform {
    /** torchvision's default smallest area fraction. */
    public static final double DEFAULT_MIN_SCALE = 0.08;
    /** torchvision's default largest area fraction. */
    public static final double DEFAULT_MAX_SCALE = 1.0;
    /** torchvision's default smallest aspect ratio (width/height). */
    public static final double DEFAULT_MIN_RATIO = 3.0 / 4.0;
    /** torchvision's default largest aspect ratio (width/height). */
    public static final double DEFAULT_MAX_RATIO = 4.0 / 3.0;

    private static final int ATTEMPTS = 10;

    /** A crop with torchvision's default scale {@code [0.08, 1]} and ratio {@code [3/4, 4/3]}. */
    public RandomResizedCrop(int outputSize) {
        this(outputSize, DEFAULT_MIN_SCALE, DEFAULT_MAX_SCALE);
    }

    /** A crop with area fraction in {@code [minScale, maxScale]} and ratio {@code [3/4, 4/3]}. */
    public RandomResizedCrop(int outputSize, double minScale, double maxScale) {
        this(outputSize, minScale, maxScale, DEFAULT_MIN_RATIO, DEFAULT_MAX_RATIO);
    }

    /**
     * A crop with every parameter given.
     *
     * @param outputSize side of the square output, {@code > 0}
     * @param minScale smallest area fraction, in {@code (0, 1]}
     * @param maxScale largest area fraction, in {@code [minScale, 1]}
     * @param minRatio smallest aspect ratio width/height, {@code > 0}
     * @param maxRatio largest aspect ratio, {@code >= minRatio}
     */
    public RandomResizedCrop {
        Checks.positive("outputSize", outputSize);
        if (!(minScale > 0.0 && minScale <= 1.0)) {
            throw new IllegalArgumentException("minScale must be in (0, 1], found " + minScale);
        }
        if (!(maxScale >= minScale && maxScale <= 1.0)) {
            throw new IllegalArgumentException(
                    "maxScale must be in [minScale=" + minScale + ", 1], found " + maxScale);
        }
        Checks.positive("minRatio", minRatio);
        Checks.positive("maxRatio", maxRatio);
        if (maxRatio < minRatio) {
            throw new IllegalArgumentException(
                    "maxRatio must be >= minRatio=" + minRatio + ", found " + maxRatio);
        }
    }

    /**
     * Draws a crop box of a {@code height x width} image, as torchvision's {@code get_params}.
     * Consumes two doubles per attempt and two ints for the placement of a fitting box.
     */
    public CropBox sampleBox(int height, int width, RandomGenerator random) {
        double area = (double) height * width;
        double logMinRatio = Math.log(minRatio);
        double logMaxRatio = Math.log(maxRatio);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double aspect =
                    Math.exp(logMinRatio + (logMaxRatio - logMinRatio) * random.nextDouble());
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < minRatio) {
            w = width;
            h = Math.max(1, Math.min(height, (int) Math.rint(w / minRatio)));
        } else if (inRatio > maxRatio) {
            h = height;
            w = Math.max(1, Math.min(width, (int) Math.rint(h * maxRatio)));
        } else {
            w = width;
            h = height;
        }
        return new CropBox((height - h) / 2, (width - w) / 2, h, w);
    }

    /** A new {@code (channels, outputSize, outputSize)} image cropped from {@code image}. */
    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        CropBox box = sampleBox(image.height(), image.width(), random);
        FloatImage out = FloatImage.zeros(image.channels(), outputSize, outputSize);
        Resampler.resample(image.data(), 0, image.channels(), image.height(), image.width(), box,
                outputSize, false, out.data(), 0);
        return out;
    }

    /**
     * Writes a random crop of image {@code index} of {@code set}, scaled to [0, 1], into
     * {@code out[offset..]} as {@code (set.channels(), outputSize, outputSize)}. Draws the same
     * random numbers as {@link #apply} and gives the same values as {@code apply(FloatImage.of(set,
     * index), random)}.
     */
    public void render(ImageSet set, int index, RandomGenerator random, float[] out, int offset) {
        CropBox box = sampleBox(set.height(), set.width(), random);
        render(set, index, box, false, out, offset);
    }

    /** Writes {@code box} of image {@code index}, optionally mirrored, into {@code out}. */
    void render(ImageSet set, int index, CropBox box, boolean mirror, float[] out, int offset) {
        Resampler.resample(set.pixels(), set.offsetOf(index), set.channels(), set.height(),
                set.width(), box, outputSize, mirror, out, offset);
    }

    /**
     * Writes {@code box} of image {@code index}, optionally mirrored, into {@code planes}: channel
     * {@code c} to {@code planes[c]} from index 0, {@code (outputSize, outputSize)}.
     */
    void renderToPlanes(ImageSet set, int index, CropBox box, boolean mirror, float[][] planes) {
        Resampler.resampleToPlanes(set.pixels(), set.offsetOf(index), set.channels(),
                set.height(), set.width(), box, outputSize, mirror, planes);
    }

    @Override
    public String toString() {
        return "RandomResizedCrop(outputSize=" + outputSize + ", scale=[" + minScale + ", "
                + maxScale + "], ratio=[" + minRatio + ", " + maxRatio + "])";
    }
}
