package dev.selfsup.train;

import dev.selfsup.augment.PatchMask;
import dev.selfsup.method.Dino;
import dev.selfsup.method.Mae;
import dev.selfsup.method.Methods;
import dev.selfsup.nn.VisionTransformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pre-training settings suited to the data, for the settings a user leaves out: the crop scale
 * of the two-view recipe, the contrastive temperature, the batch size and the peak learning rate.
 * The data is sorted into a {@link Profile} by its shape; each pick carries the reason for it, so
 * that the CLI can print what it chose and why. Every pick is only a default: a value the user
 * gives wins, and the resolved value is written to {@code config.json}.
 *
 * <p>The figures behind the small-gray picks are in BENCHMARKS.md ("Defaults for small gray
 * images"): SimCLR on 20,000 Fashion-MNIST images for 3 epochs, kNN top-1 on 5,000 test images.
 */
public final class DataDefaults {
    /** Largest image side still treated as a small image (MNIST, Fashion-MNIST, CIFAR, STL at 48). */
    public static final int SMALL_SIDE = 48;
    /**
     * Colour jitter strength of the simclr recipe on small gray images: four times the CIFAR
     * recipe's, brightness and contrast factors drawn from {@code [0, 2.6]} (BENCHMARKS.md,
     * "Colour jitter on gray images").
     */
    public static final double SMALL_GRAY_JITTER_STRENGTH = 2.0;
    /** Peak Adam rate for Vision Transformer backbones. */
    public static final double VIT_LEARNING_RATE = 5e-4;

    /**
     * Warm-up, in epochs, of a one-epoch run on a Vision Transformer backbone (longer runs warm
     * up for one epoch). One epoch of MAE on Fashion-MNIST without a warm-up ended at kNN 0.6588,
     * beside 0.6516 for the random-init network; a tenth of the epoch's steps of warm-up gave
     * 0.6896, and three tenths 0.6841 (BENCHMARKS.md, "MAE's mask ratio on small images").
     */
    public static final double VIT_ONE_EPOCH_WARMUP = 0.1;
    /**
     * MAE's share of hidden patches on small images (a grid of at most 12x12 patches of 4 pixels):
     * MAE's 75% was chosen on 14x14 grids of ImageNet photos, and on Fashion-MNIST's 7x7 grid
     * it leaves 12 patches to see (BENCHMARKS.md, "MAE's mask ratio on small images").
     */
    public static final double SMALL_IMAGE_MAE_MASK_RATIO = 0.5;

    /** The kinds of image data the defaults tell apart. */
    public enum Profile {
        /** The built-in shapes: small coloured objects on textured backgrounds. */
        SHAPES("the built-in shapes"),
        /** One channel, side at most {@value DataDefaults#SMALL_SIDE} (MNIST, Fashion-MNIST). */
        SMALL_GRAY("small gray images"),
        /** Three channels, side at most {@value DataDefaults#SMALL_SIDE} (CIFAR-10). */
        SMALL_COLOUR("small colour images"),
        /** Anything larger (photos in folders). */
        PHOTOS("larger photos");

        private final String description;

        Profile(String description) {
            this.description = description;
        }

        /** Words for the profile, as printed. */
        public String description() {
            return description;
        }
    }

    /**
     * One default chosen for the data.
     *
     * @param setting the CLI option it stands for, without dashes ({@code min-crop-scale})
     * @param value the value chosen
     * @param reason why, in a few words
     */
    public record Pick(String setting, Object value, String reason) {
        @Override
        public String toString() {
            return setting + " " + value + " (" + reason + ")";
        }
    }

    /**
     * The defaults for one run.
     *
     * @param profile the kind of data
     * @param minCropScale smallest crop of the simclr recipe, or null: the recipe's own (0.08)
     * @param temperature the temperature of a method that has one, or null for its own default
     * @param colorJitterStrength strength of the simclr recipe's colour jitter, or null: the
     *     recipe's own (0.5)
     * @param batchSize samples per step
     * @param learningRate peak learning rate for adam/adamw
     * @param maskRatio MAE's share of hidden patches, iBOT's centre of its range, or null: the
     *     method's own
     * @param maskKind how iBOT places its hidden patches ({@code block}), or null: not iBOT
     * @param oneEpochWarmup the warm-up, in epochs, of a run of one epoch (longer runs warm up
     *     for one epoch)
     * @param picks every value chosen for this data, with its reason
     */
    public record Choice(Profile profile, Double minCropScale, Double temperature,
            Double colorJitterStrength, int batchSize, double learningRate, Double maskRatio,
            String maskKind, double oneEpochWarmup, List<Pick> picks) {
        public Choice {
            picks = List.copyOf(picks);
        }

        /**
         * One line: the profile and every pick with its reason, leaving out the settings in
         * {@code overridden} (given by the user, so not picked).
         */
        public String describe(java.util.Set<String> overridden) {
            StringBuilder text = new StringBuilder("defaults for " + profile.description() + ": ");
            int shown = 0;
            for (Pick pick : picks) {
                if (!overridden.contains(pick.setting())) {
                    text.append(shown++ == 0 ? "" : "; ").append(pick);
                }
            }
            if (shown == 0) {
                text.append("none picked (the methods' own, and the options given)");
            }
            return text.toString();
        }
    }

    /**
     * The setting of the one-epoch warm-up pick: it applies to runs of one epoch only, so a
     * longer run leaves it out of what it prints.
     */
    public static final String WARMUP_SETTING = "warmup-epochs";

    private DataDefaults() {}

    /**
     * The profile of a data set by its spec and image shape.
     *
     * @throws IllegalArgumentException if a dimension is not positive
     */
    public static Profile profile(String dataSpec, int channels, int height, int width) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, found " + channels
                    + "x" + height + "x" + width);
        }
        String spec = dataSpec == null ? "" : dataSpec.trim().toLowerCase(Locale.ROOT);
        if (spec.equals("shapes") || spec.startsWith("shapes:")) {
            return Profile.SHAPES;
        }
        if (Math.max(height, width) > SMALL_SIDE) {
            return Profile.PHOTOS;
        }
        return channels == 1 ? Profile.SMALL_GRAY : Profile.SMALL_COLOUR;
    }

    /**
     * The defaults for {@code method} on data of this spec and shape, for the adam/adamw
     * optimisers (SGD keeps its own rate rule).
     *
     * @throws IllegalArgumentException for an unknown method or a bad shape
     */
    public static Choice choose(String method, String dataSpec, int channels, int height,
            int width) {
        return choose(method, null, dataSpec, channels, height, width);
    }

    /**
     * As {@link #choose(String, String, int, int, int)} for a given backbone (null: the
     * method's): a Vision Transformer ({@code vit-*}) takes a lower rate than the batch-normed
     * CNNs, {@value #VIT_LEARNING_RATE}.
     */
    public static Choice choose(String method, String backbone, String dataSpec, int channels,
            int height, int width) {
        Choice choice = chooseForCnn(method, dataSpec, channels, height, width);
        String resolved = backbone != null ? backbone : Methods.defaultBackbone(method);
        if (!resolved.startsWith("vit-")) {
            return choice;
        }
        List<Pick> picks = new ArrayList<>();
        for (Pick pick : choice.picks()) {
            picks.add(pick.setting().equals("lr") ? new Pick("lr", VIT_LEARNING_RATE,
                    "a Transformer without batch norm; 2e-3 pulled vit-mini's kNN down in short "
                    + "runs") : pick);
        }
        if (picks.stream().noneMatch(pick -> pick.setting().equals("lr"))) {
            picks.add(new Pick("lr", VIT_LEARNING_RATE, "a Transformer without batch norm"));
        }
        Double maskRatio = null;
        if (Mae.NAME.equals(method) && Math.max(height, width) <= SMALL_SIDE) {
            maskRatio = SMALL_IMAGE_MAE_MASK_RATIO;
            int grid = VisionTransformer.named(resolved, channels, height, width).gridHeight();
            picks.add(new Pick("mask-ratio", maskRatio, "a grid of " + grid + "x" + grid
                    + " patches; hiding 75% leaves too few to see, and half learned more in one "
                    + "epoch on Fashion-MNIST"));
        }
        String maskKind = null;
        if (Dino.IBOT_NAME.equals(method)) {
            VisionTransformer.Config vit = VisionTransformer.named(resolved, channels, height,
                    width);
            PatchMask mask = PatchMask.ibot(PatchMask.Kind.BLOCK, vit.gridHeight(),
                    vit.gridWidth(), PatchMask.IBOT_RATIO);
            maskKind = mask.kind().toString();
            maskRatio = PatchMask.IBOT_RATIO;
            int block = mask.minBlockPatches();
            picks.add(new Pick("mask-kind", maskKind, "iBOT's and BEiT's blockwise masking: "
                    + "rectangles of " + block + (block == 1 ? " patch" : " patches")
                    + " or more on the " + vit.gridHeight() + "x" + vit.gridWidth() + " grid"));
            picks.add(new Pick("mask-ratio", maskRatio, "iBOT's centre: half the global views "
                    + "masked, each hiding a share drawn from "
                    + String.format(Locale.ROOT, "%.1f to %.1f", mask.minRatio(), mask.maxRatio())));
        }
        picks.add(new Pick(WARMUP_SETTING, VIT_ONE_EPOCH_WARMUP, "in a one-epoch run: a "
                + "Transformer at its peak rate from the first step learned less; MAE's kNN "
                + "after one epoch on Fashion-MNIST rose from 0.659 to 0.690"));
        return new Choice(choice.profile(), choice.minCropScale(), choice.temperature(),
                choice.colorJitterStrength(), choice.batchSize(), VIT_LEARNING_RATE, maskRatio,
                maskKind, VIT_ONE_EPOCH_WARMUP, picks);
    }

    private static Choice chooseForCnn(String method, String dataSpec, int channels, int height,
            int width) {
        if (!Methods.names().contains(method)) {
            throw new IllegalArgumentException("method must be one of " + Methods.names()
                    + ", found '" + method + "'");
        }
        Profile profile = profile(dataSpec, channels, height, width);
        boolean twoView = "simclr".equals(Methods.defaultRecipe(method));
        boolean temperature = Methods.usesTemperature(method);
        List<Pick> picks = new ArrayList<>();
        Double minCropScale = null;
        Double chosenTemperature = null;
        Double colorJitterStrength = null;
        int batchSize = 256;
        double learningRate = 1e-3;
        switch (profile) {
            case SHAPES -> {
                if (twoView) {
                    minCropScale = 0.8;
                    picks.add(new Pick("min-crop-scale", minCropScale,
                            "a shape fills a small part of the image; smaller crops often miss it"));
                }
                if (temperature) {
                    chosenTemperature = 0.2;
                    picks.add(new Pick("temperature", chosenTemperature,
                            "the demo's, which beats 0.5 on shapes"));
                }
                batchSize = 128;
                learningRate = 5e-3;
                picks.add(new Pick("batch-size", batchSize, "more steps per epoch on 10,000 images"));
                picks.add(new Pick("lr", learningRate, "the demo's rate with batch 128"));
            }
            case SMALL_GRAY -> {
                if (twoView) {
                    minCropScale = 0.2;
                    picks.add(new Pick("min-crop-scale", minCropScale, "a crop of 8% of a "
                            + height + "x" + width + " image is a few pixels wide"));
                    colorJitterStrength = SMALL_GRAY_JITTER_STRENGTH;
                    picks.add(new Pick("color-jitter", colorJitterStrength, "brightness and "
                            + "contrast are all a gray view has to hide its image's intensities"));
                }
                if (temperature && Methods.defaultTemperature(method) > 0.1) {
                    chosenTemperature = 0.1;
                    picks.add(new Pick("temperature", chosenTemperature, "sharper than " + method
                            + "'s own " + Methods.defaultTemperature(method)
                            + "; learns faster in short runs"));
                }
                batchSize = 128;
                learningRate = 2e-3;
                picks.add(new Pick("batch-size", batchSize,
                        "twice the updates per epoch at the same cost per image"));
                picks.add(new Pick("lr", learningRate, "Adam with batch norm at batch 128"));
            }
            case SMALL_COLOUR -> {
                if (temperature) {
                    chosenTemperature = 0.2;
                    picks.add(new Pick("temperature", chosenTemperature,
                            "solo-learn's CIFAR setting; 0.5 learns more slowly"));
                }
            }
            case PHOTOS -> {
                // the methods' own: SimCLR's ImageNet recipe was made for photos
            }
            default -> throw new IllegalStateException("unhandled profile " + profile);
        }
        return new Choice(profile, minCropScale, chosenTemperature, colorJitterStrength,
                batchSize, learningRate, null, null, 0, picks);
    }
}
