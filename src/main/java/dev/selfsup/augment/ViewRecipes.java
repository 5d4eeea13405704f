package dev.selfsup.augment;

import java.util.List;
import java.util.Locale;

/**
 * The built-in {@link ViewRecipe}s, by name: {@code simclr}, {@code tutorial} and
 * {@code crop-flip}. Each returns a
 * {@link TransformRecipe}; views are {@code (channels, outputSize, outputSize)} with the source
 * set's channel count.
 */
public final class ViewRecipes {
    /** Name of {@link #simclr}. */
    public static final String SIMCLR = "simclr";
    /** Name of {@link #tutorial}. */
    public static final String TUTORIAL = "tutorial";
    /** Name of {@link #cropFlip}. */
    public static final String CROP_FLIP = "crop-flip";
    /** Smallest crop area fraction of {@link #cropFlip(int)}. */
    public static final double CROP_FLIP_MIN_SCALE = 0.5;
    /** Colour jitter strength of SimCLR's CIFAR-10 recipe. */
    public static final double SIMCLR_JITTER_STRENGTH = 0.5;
    /** Standard deviation of the tutorial recipe's noise. */
    public static final double TUTORIAL_NOISE_STD = 0.05;

    private static final List<String> NAMES = List.of(SIMCLR, TUTORIAL, CROP_FLIP);

    private ViewRecipes() {}

    /** The known recipe names. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The recipe called {@code name} (case-insensitive) at the given output size.
     *
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static TransformRecipe byName(String name, int outputSize) {
        return byName(name, outputSize, null, null);
    }

    /**
     * The recipe called {@code name} with the simclr recipe's settings changed: the crop's
     * smallest area fraction {@code minCropScale} and a {@link RandomRotation} of up to
     * {@code rotationDegrees} (null: the recipe's default, 0.08 and no rotation). The crop-flip
     * recipe takes {@code minCropScale} too; other recipes reject a value.
     */
    public static TransformRecipe byName(String name, int outputSize, Double minCropScale,
            Double rotationDegrees) {
        return byName(name, outputSize, minCropScale, rotationDegrees, null);
    }

    /**
     * As {@link #byName(String, int, Double, Double)}, with the simclr recipe's colour jitter of
     * strength {@code colorJitterStrength} (null: {@value #SIMCLR_JITTER_STRENGTH}); other
     * recipes reject a strength.
     */
    public static TransformRecipe byName(String name, int outputSize, Double minCropScale,
            Double rotationDegrees, Double colorJitterStrength) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (key.equals(CROP_FLIP) && minCropScale != null && rotationDegrees == null
                && colorJitterStrength == null) {
            return cropFlip(outputSize, minCropScale);
        }
        if (minCropScale != null || rotationDegrees != null || colorJitterStrength != null) {
            if (!key.equals(SIMCLR)) {
                throw new IllegalArgumentException("min crop scale applies to the crop-flip and "
                        + "simclr recipes, rotation to the simclr recipe only (as does a colour "
                        + "jitter strength), not to '" + name + "'");
            }
            return simclr(outputSize,
                    minCropScale != null ? minCropScale : RandomResizedCrop.DEFAULT_MIN_SCALE,
                    rotationDegrees != null ? rotationDegrees : 0,
                    colorJitterStrength != null ? colorJitterStrength : SIMCLR_JITTER_STRENGTH);
        }
        switch (key) {
            case SIMCLR:
                return simclr(outputSize);
            case TUTORIAL:
                return tutorial(outputSize);
            case CROP_FLIP:
                return cropFlip(outputSize);
            default:
                throw new IllegalArgumentException(
                        "unknown view recipe '" + name + "', known: " + String.join(", ", NAMES));
        }
    }

    /**
     * SimCLR's CIFAR-10 views (<a href="https://arxiv.org/abs/2002.05709">Chen et al. 2020</a>,
     * appendix B.9): {@link RandomResizedCrop}{@code (outputSize)} with scale {@code [0.08, 1]}
     * and ratio {@code [3/4, 4/3]}, {@link HorizontalFlip}{@code (0.5)},
     * {@link ColorJitter}{@code (0.4, 0.4, 0.4, 0.1)} with probability 0.8 (strength 0.5) and
     * {@link RandomGrayscale}{@code (0.2)}; no Gaussian blur, which the paper drops on CIFAR-10.
     * On 1-channel sets the jitter changes only brightness and contrast and grayscale is a no-op.
     */
    public static TransformRecipe simclr(int outputSize) {
        return simclr(outputSize, RandomResizedCrop.DEFAULT_MIN_SCALE, 0);
    }

    /**
     * {@link #simclr(int)} with crops of at least {@code minCropScale} of the image's area (on
     * small images with small objects, crops of 8% often miss the object) and, when
     * {@code rotationDegrees > 0}, a {@link RandomRotation} after the flip (for data whose classes
     * do not depend on orientation).
     */
    public static TransformRecipe simclr(int outputSize, double minCropScale,
            double rotationDegrees) {
        return simclr(outputSize, minCropScale, rotationDegrees, SIMCLR_JITTER_STRENGTH);
    }

    /** Multi-crop's smallest local crop, as a share of the image's area (DINO's 0.05). */
    public static final double LOCAL_CROP_MIN_SCALE = 0.05;
    /** Multi-crop's largest local crop, as a share of the image's area (DINO's 0.4). */
    public static final double LOCAL_CROP_MAX_SCALE = 0.4;

    /**
     * Multi-crop's local views (SwAV, https://arxiv.org/abs/2006.09882; DINO): crops of 5% to
     * 40% of the image resized to a small {@code outputSize}, then the simclr recipe's flip,
     * colour jitter of {@code colorJitterStrength} and grayscale.
     */
    public static TransformRecipe localCrops(int outputSize, double colorJitterStrength) {
        return new TransformRecipe("local-crops", outputSize, List.of(
                new RandomResizedCrop(outputSize, LOCAL_CROP_MIN_SCALE, LOCAL_CROP_MAX_SCALE),
                new HorizontalFlip(0.5), ColorJitter.simClr(colorJitterStrength),
                new RandomGrayscale(0.2)));
    }

    /**
     * {@link #simclr(int, double, double)} with a colour jitter of strength
     * {@code colorJitterStrength} ({@link ColorJitter#simClr}). On one-channel images the jitter
     * (brightness and contrast) is the only thing that stops views of one image from being matched
     * by their intensities alone: on Fashion-MNIST, strength 0 gives kNN 0.670 after 3 epochs on
     * 20,000 images, 0.5 gives 0.767, 1.0 0.783, 1.5 0.784 and 2.0 0.789 (BENCHMARKS.md, "Colour
     * jitter on gray images").
     */
    public static TransformRecipe simclr(int outputSize, double minCropScale,
            double rotationDegrees, double colorJitterStrength) {
        List<ImageTransform> steps = new java.util.ArrayList<>(List.of(
                new RandomResizedCrop(outputSize, minCropScale, RandomResizedCrop.DEFAULT_MAX_SCALE),
                new HorizontalFlip(0.5)));
        if (rotationDegrees > 0) {
            steps.add(new RandomRotation(rotationDegrees));
        }
        steps.add(ColorJitter.simClr(colorJitterStrength));
        steps.add(new RandomGrayscale(0.2));
        return new TransformRecipe(SIMCLR, outputSize, steps);
    }

    /**
     * The tutorial's light views: the image, resized bilinearly to {@code outputSize} if needed,
     * plus {@code 0.05 * N(0, 1)} per value ({@link GaussianNoise}, unclamped).
     */
    public static TransformRecipe tutorial(int outputSize) {
        return new TransformRecipe(TUTORIAL, outputSize,
                List.of(new GaussianNoise(TUTORIAL_NOISE_STD)));
    }

    /**
     * Light views for the image pretext tasks, whose targets come from the image itself: a
     * {@link RandomResizedCrop} of at least {@value #CROP_FLIP_MIN_SCALE} of the area and a
     * {@link HorizontalFlip}{@code (0.5)}, as RotNet trains; no colour changes, which would
     * corrupt colorization's targets and add nothing a reconstruction can use.
     */
    public static TransformRecipe cropFlip(int outputSize) {
        return cropFlip(outputSize, CROP_FLIP_MIN_SCALE);
    }

    /** {@link #cropFlip(int)} with crops of at least {@code minCropScale} of the area. */
    public static TransformRecipe cropFlip(int outputSize, double minCropScale) {
        return new TransformRecipe(CROP_FLIP, outputSize, List.of(
                new RandomResizedCrop(outputSize, minCropScale, RandomResizedCrop.DEFAULT_MAX_SCALE),
                new HorizontalFlip(0.5)));
    }
}
