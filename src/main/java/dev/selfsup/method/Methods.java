package dev.selfsup.method;

import dev.selfsup.loss.BarlowTwinsLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.MemoryBank;
import java.util.List;

/** Builds methods by the names the CLI uses, with each method's defaults. */
public final class Methods {
    /** The names {@link #create} accepts. */
    public static final List<String> NAMES =
            List.of("simclr", "tutorial", "moco", "byol", "simsiam", "barlow-twins", "vicreg");

    private Methods() {}

    /**
     * Settings shared by the method factories; a {@code null} value means "the method's default".
     *
     * @param temperature the contrastive temperature (methods with an NT-Xent loss)
     * @param queueSize keys in MoCo's memory bank
     */
    public record Options(Double temperature, Integer queueSize) {
        public Options {
            if (queueSize != null && queueSize < 1) {
                throw new IllegalArgumentException("queue size must be >= 1, found " + queueSize);
            }
        }

        public static Options defaults() {
            return new Options(null, null);
        }
    }

    /** The method called {@code name} on {@code backbone}. */
    public static Method create(String name, Backbone backbone, Options options) {
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
            default -> throw new IllegalArgumentException(
                    "method must be one of " + NAMES + ", found '" + name + "'");
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
        return build(method, backbone, channels, height, width, new Options(temperature, null));
    }

    /** As {@link #build(String, String, int, int, int, Double)}, with all method options. */
    public static Method build(String method, String backbone, int channels, int height,
            int width, Options options) {
        return create(method, Backbones.byName(backbone, channels, height, width), options);
    }

    /** The backbone a method trains by default. */
    public static String defaultBackbone(String method) {
        return "tutorial".equals(method) ? "mlp" : "small-resnet";
    }

    /** The view recipe a method trains with by default. */
    public static String defaultRecipe(String method) {
        return "tutorial".equals(method) ? "tutorial" : "simclr";
    }

    /** The method's default temperature (methods that have one). */
    public static double defaultTemperature(String method) {
        return "moco".equals(method) ? MoCo.DEFAULT_TEMPERATURE : SimClr.DEFAULT_TEMPERATURE;
    }

    /** Whether the method uses a temperature. */
    public static boolean usesTemperature(String method) {
        return "simclr".equals(method) || "moco".equals(method);
    }

    /** Whether the method keeps a memory bank (and so takes a queue size). */
    public static boolean usesQueue(String method) {
        return "moco".equals(method);
    }
}
