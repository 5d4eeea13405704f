package dev.selfsup.augment;

import dev.selfsup.data.ImageSet;
import java.util.random.RandomGenerator;

/**
 * Resizes the whole image bilinearly to {@code (channels, outputSize, outputSize)}, as
 * torchvision's {@code Resize((outputSize, outputSize), BILINEAR, antialias=True)}: the aspect
 * ratio is not kept, shrinking antialiases with a widened triangle filter, and an image already at
 * the output size is returned unchanged (a copy). Deterministic: draws no random numbers. Inputs
 * in [0, 1] give outputs in [0, 1]. Thread-safe.
 */
public record Resize(int outputSize) implements ImageTransform {
    /** A resize to {@code outputSize x outputSize}, {@code outputSize > 0}. */
    public Resize {
        Checks.positive("outputSize", outputSize);
    }

    /** A new {@code (channels, outputSize, outputSize)} image. */
    @Override
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        FloatImage out = FloatImage.zeros(image.channels(), outputSize, outputSize);
        Resampler.resample(image.data(), 0, image.channels(), image.height(), image.width(),
                CropBox.full(image.height(), image.width()), outputSize, false, out.data(), 0);
        return out;
    }

    /**
     * Writes image {@code index} of {@code set}, scaled to [0, 1] and resized, into
     * {@code out[offset..]} as {@code (set.channels(), outputSize, outputSize)}.
     */
    public void render(ImageSet set, int index, float[] out, int offset) {
        Resampler.resample(set.pixels(), set.offsetOf(index), set.channels(), set.height(),
                set.width(), CropBox.full(set.height(), set.width()), outputSize, false, out,
                offset);
    }

    @Override
    public String toString() {
        return "Resize(outputSize=" + outputSize + ")";
    }
}
