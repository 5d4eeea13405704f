package dev.selfsup.method;

import dev.selfsup.augment.PatchMask;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.loss.BarlowTwinsLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.MemoryBank;
import dev.selfsup.util.NameRegistry;
import java.util.List;
import java.util.Objects;

/**
 * The registry of methods by the names the CLI and {@code config.json} use: the built-in ones,
 * each with its defaults, and any a user {@linkplain #register registers}. A registered method
 * trains, checkpoints, resumes and loads for evaluation ({@code Encoder.load}) like a built-in
 * one, in any JVM that registered it.
 */
public final class Methods {
    /** The built-in names {@link #create} accepts; {@link #names()} adds the registered ones. */
    public static final List<String> NAMES =
            List.of("simclr", "tutorial", "moco", "byol", "simsiam", "barlow-twins", "vicreg",
                    Nnclr.NAME, Dino.NAME, Dino.IBOT_NAME, RotationPrediction.NAME,
                    Colorization.NAME, Inpainting.NAME,
                    MaskedImageModeling.NAME, Autoencoder.NAME, DenoisingAutoencoder.NAME, Mae.NAME);

    /** The image pretext tasks among {@link #NAMES}: one view each, the crop-flip recipe. */
    public static final List<String> PRETEXT_TASKS = List.of(RotationPrediction.NAME,
            Colorization.NAME, Inpainting.NAME, MaskedImageModeling.NAME, Autoencoder.NAME,
            DenoisingAutoencoder.NAME, Mae.NAME);

    /** The tasks that take a mask ratio: the share of the image they hide. */
    public static final List<String> MASKING_TASKS = List.of(Inpainting.NAME,
            MaskedImageModeling.NAME, DenoisingAutoencoder.NAME, Mae.NAME, Dino.IBOT_NAME);

    /** Builds a method on a backbone. */
    @FunctionalInterface
    public interface Factory {
        /**
         * @param backbone a fresh backbone for the run's input shape
         * @param options the run's method settings (null values: the method's defaults)
         */
        Method create(Backbone backbone, Options options);
    }

    /**
     * A user's method.
     *
     * @param recipe the view recipe it trains with by default ({@link ViewRecipes#byName})
     * @param factory builds it
     */
    private record Registration(String recipe, Factory factory) {}

    private static final NameRegistry<Registration> REGISTERED =
            new NameRegistry<>("method", NAMES);

    private Methods() {}

    /**
     * Registers a method of the user's own under {@code name}, so that a {@code PretrainConfig}
     * naming it trains it and {@code Encoder.load} rebuilds it from its checkpoints.
     *
     * @param name lower-case letters, digits and {@code -}, not a built-in name
     * @param recipe the view recipe it trains with by default, e.g. {@code simclr} for two views
     * @throws IllegalArgumentException for a malformed, built-in or already registered name, or
     *     an unknown recipe
     */
    public static void register(String name, String recipe, Factory factory) {
        Objects.requireNonNull(factory, "factory");
        if (!ViewRecipes.names().contains(recipe)) {
            throw new IllegalArgumentException("recipe must be one of " + ViewRecipes.names()
                    + ", found '" + recipe + "'");
        }
        REGISTERED.register(name, new Registration(recipe, factory));
    }

    /** Forgets a method {@link #register registered} under {@code name}; built-ins stay. */
    public static void unregister(String name) {
        REGISTERED.unregister(name);
    }

    /** Every name {@link #create} accepts: the built-in ones, then the registered ones, sorted. */
    public static List<String> names() {
        return REGISTERED.names();
    }

    /** Whether {@code name} is a method {@link #register registered} by a user. */
    public static boolean isRegistered(String name) {
        return REGISTERED.get(name) != null;
    }

    /**
     * Settings shared by the method factories; a {@code null} value means "the method's default".
     *
     * @param temperature the contrastive temperature (methods with an NT-Xent loss)
     * @param queueSize keys in MoCo's memory bank
     * @param inputStats the standardisation of the training images (colorization needs it to
     *     recover colours; the others ignore it)
     * @param maskRatio the share of the image hidden by the methods of {@link #MASKING_TASKS}
     *     (for {@code ibot} the centre of the range its masked views draw from)
     * @param maskKind how {@code ibot} places its hidden patches (null: blocks)
     */
    public record Options(Double temperature, Integer queueSize, ChannelStats inputStats,
            Double maskRatio, PatchMask.Kind maskKind) {
        public Options {
            if (queueSize != null && queueSize < 1) {
                throw new IllegalArgumentException("queue size must be >= 1, found " + queueSize);
            }
        }

        /** Options with the method's own mask kind. */
        public Options(Double temperature, Integer queueSize, ChannelStats inputStats,
                Double maskRatio) {
            this(temperature, queueSize, inputStats, maskRatio, null);
        }

        public static Options defaults() {
            return new Options(null, null, null, null);
        }

        /** Only a temperature (null: the method's default). */
        public static Options ofTemperature(Double temperature) {
            return new Options(temperature, null, null, null);
        }
    }

    /**
     * The method called {@code name} on {@code backbone}.
     *
     * @throws IllegalArgumentException for a name neither built in nor registered
     */
    public static Method create(String name, Backbone backbone, Options options) {
        Registration registration = REGISTERED.get(name);
        if (registration != null) {
            return registration.factory().create(backbone, options);
        }
        Double maskRatio = options.maskRatio();
        if (maskRatio != null && !MASKING_TASKS.contains(name)) {
            throw new IllegalArgumentException("a mask ratio applies to " + MASKING_TASKS
                    + ", not to '" + name + "'");
        }
        if (options.maskKind() != null && !name.equals(Dino.IBOT_NAME)) {
            throw new IllegalArgumentException("a mask kind applies to " + Dino.IBOT_NAME
                    + ", not to '" + name + "'");
        }
        return switch (name) {
            case "simclr" -> SimClr.builder()
                    .setBackbone(backbone)
                    .optTemperature(options.temperature() != null
                            ? options.temperature() : SimClr.DEFAULT_TEMPERATURE)
                    .build();
            case "tutorial" -> new Tutorial(backbone);
            case "moco" -> MoCo.builder()
                    .setBackbone(backbone)
                    .optTemperature(options.temperature() != null
                            ? options.temperature() : MoCo.DEFAULT_TEMPERATURE)
                    .optQueueSize(options.queueSize() != null
                            ? options.queueSize() : MemoryBank.DEFAULT_SIZE)
                    .build();
            case "byol" -> Byol.builder().setBackbone(backbone).build();
            case "simsiam" -> new SimSiam(backbone);
            case "barlow-twins" -> new BarlowTwins(backbone, BarlowTwinsLoss.DEFAULT_LAMBDA);
            case "vicreg" -> new VicReg(backbone);
            case Nnclr.NAME -> new Nnclr(backbone, options.temperature() != null
                    ? options.temperature() : Nnclr.DEFAULT_TEMPERATURE,
                    options.queueSize() != null ? options.queueSize() : MemoryBank.DEFAULT_SIZE);
            case Dino.NAME -> Dino.builder().setBackbone(backbone)
                    .optLocalCrops(backbone.takesOtherSizes() ? Dino.DEFAULT_LOCAL_CROPS : 0)
                    .build();
            case Dino.IBOT_NAME -> Dino.builder().setBackbone(backbone)
                    .optLocalCrops(backbone.takesOtherSizes() ? Dino.DEFAULT_LOCAL_CROPS : 0)
                    .optMaskedPatches(options.maskKind() != null ? options.maskKind()
                            : PatchMask.Kind.BLOCK,
                            maskRatio != null ? maskRatio : Dino.DEFAULT_IBOT_MASK_RATIO)
                    .build();
            case RotationPrediction.NAME -> new RotationPrediction(backbone);
            case Colorization.NAME -> new Colorization(backbone, options.inputStats());
            case Inpainting.NAME -> new Inpainting(backbone,
                    maskRatio != null ? maskRatio : Inpainting.DEFAULT_AREA_FRACTION);
            case MaskedImageModeling.NAME -> new MaskedImageModeling(backbone,
                    MaskedImageModeling.defaultPatchSize((int) backbone.inputShape().get(1),
                            (int) backbone.inputShape().get(2)),
                    maskRatio != null ? maskRatio : MaskedImageModeling.DEFAULT_MASK_RATIO);
            case Autoencoder.NAME -> new Autoencoder(backbone);
            case DenoisingAutoencoder.NAME -> new DenoisingAutoencoder(backbone,
                    maskRatio != null ? maskRatio : DenoisingAutoencoder.DEFAULT_MASK_PROBABILITY,
                    DenoisingAutoencoder.DEFAULT_NOISE_STD);
            case Mae.NAME -> new Mae(backbone, maskRatio != null ? maskRatio : Mae.DEFAULT_MASK_RATIO);
            default -> throw new IllegalArgumentException(
                    "method must be one of " + names() + ", found '" + name + "'");
        };
    }

    /**
     * The method {@code method} on a fresh backbone {@code backbone} for inputs
     * {@code (channels, height, width)}.
     *
     * @param temperature the method's temperature, or null for its default
     */
    public static Method build(String method, String backbone, int channels, int height,
            int width, Double temperature) {
        return build(method, backbone, channels, height, width, Options.ofTemperature(temperature));
    }

    /** As {@link #build(String, String, int, int, int, Double)}, with all method options. */
    public static Method build(String method, String backbone, int channels, int height,
            int width, Options options) {
        return create(method, Backbones.byName(backbone, channels, height, width), options);
    }

    /** The backbone a method trains by default: a ViT for MAE, the tutorial's MLP, else a CNN. */
    public static String defaultBackbone(String method) {
        return switch (method) {
            case "tutorial" -> "mlp";
            case Mae.NAME, Dino.IBOT_NAME -> "vit-mini";
            default -> "small-resnet";
        };
    }

    /** The view recipe a method trains with by default. */
    public static String defaultRecipe(String method) {
        Registration registration = REGISTERED.get(method);
        if (registration != null) {
            return registration.recipe();
        }
        if (PRETEXT_TASKS.contains(method)) {
            return ViewRecipes.CROP_FLIP;
        }
        return "tutorial".equals(method) ? "tutorial" : "simclr";
    }

    /** The method's default temperature (methods that have one). */
    public static double defaultTemperature(String method) {
        return switch (method) {
            case "moco" -> MoCo.DEFAULT_TEMPERATURE;
            case Nnclr.NAME -> Nnclr.DEFAULT_TEMPERATURE;
            default -> SimClr.DEFAULT_TEMPERATURE;
        };
    }

    /** Whether the method uses a temperature. */
    public static boolean usesTemperature(String method) {
        return "simclr".equals(method) || "moco".equals(method) || Nnclr.NAME.equals(method);
    }

    /** Whether the method keeps a memory bank (and so takes a queue size). */
    public static boolean usesQueue(String method) {
        return "moco".equals(method) || Nnclr.NAME.equals(method);
    }
}
