package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.initializer.XavierInitializer;
import dev.selfsup.util.NameRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Factories for the built-in backbones, and the registry of backbones by name: {@link #byName}
 * serves the CLI's {@code --backbone}, {@code config.json} and checkpoints, and a user's own
 * backbone {@linkplain #register registered} under a name is trained, checkpointed and reloaded
 * like a built-in one.
 */
public final class Backbones {
    /** The built-in names {@link #byName} accepts; {@link #names()} adds the registered ones. */
    public static final List<String> NAMES = List.of("mlp", "resnet18", "small-resnet",
            "vit-mini", "vit-tiny", "vit-small");

    /** Builds a backbone for inputs {@code (channels, height, width)}. */
    @FunctionalInterface
    public interface Factory {
        Backbone create(int channels, int height, int width);
    }

    private static final NameRegistry<Factory> REGISTERED =
            new NameRegistry<>("backbone", NAMES);

    private Backbones() {}

    /**
     * Registers a backbone of the user's own under {@code name}. The factory must return a fresh,
     * uninitialised block each call (a momentum method builds a second one for its target) whose
     * {@link Backbone#name()} is {@code name}.
     *
     * @param name lower-case letters, digits and {@code -}, not a built-in name
     * @throws IllegalArgumentException for a malformed, built-in or already registered name
     */
    public static void register(String name, Factory factory) {
        REGISTERED.register(name, factory);
    }

    /** Forgets a backbone {@link #register registered} under {@code name}; built-ins stay. */
    public static void unregister(String name) {
        REGISTERED.unregister(name);
    }

    /** Every name {@link #byName} accepts: the built-in ones, then the registered ones, sorted. */
    public static List<String> names() {
        return REGISTERED.names();
    }

    /**
     * The backbone called {@code name} for inputs {@code (channels, height, width)}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backbone byName(String name, int channels, int height, int width) {
        Factory factory = REGISTERED.get(name);
        if (factory != null) {
            Backbone backbone = factory.create(channels, height, width);
            if (!name.equals(backbone.name())) {
                throw new IllegalStateException("the factory registered as backbone '" + name
                        + "' built one named '" + backbone.name() + "'");
            }
            return backbone;
        }
        return switch (name) {
            case "mlp" -> mlp(channels, height, width);
            case "resnet18" -> resnet18Cifar(channels, height, width);
            case "small-resnet" -> smallResNet(channels, height, width);
            case "vit-mini", "vit-tiny", "vit-small" ->
                    vit(name, VisionTransformer.named(name, channels, height, width));
            default -> throw new IllegalArgumentException(
                    "backbone must be one of " + names() + ", found '" + name + "'");
        };
    }

    /**
     * What the backbone called {@code name} computes, in words and numbers a loader in another
     * framework can rebuild it from (written into every checkpoint's safetensors
     * {@code __metadata__}): layer order, widths, strides, batch-norm settings in PyTorch's
     * convention, activation, and how its tensors are named.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static Map<String, Object> describe(String name) {
        Map<String, Object> description = new LinkedHashMap<>();
        if (REGISTERED.get(name) != null) {
            description.put("type", "registered");
            description.put("name", name);
            description.put("note", "a backbone registered from Java (Backbones.register); "
                    + "rebuild it with the same code");
            return description;
        }
        switch (name) {
            case "mlp" -> {
                description.put("type", "mlp");
                description.put("layers", "flatten, linear(512), relu, linear(128)");
                description.put("feature_dim", 128);
            }
            case "resnet18", "small-resnet" -> {
                boolean small = name.equals("small-resnet");
                description.put("type", "resnet");
                description.put("stage_widths", small ? List.of(16, 32, 64, 128)
                        : List.of(64, 128, 256, 512));
                description.put("blocks_per_stage", small ? 1 : 2);
                description.put("stem", "conv3x3(stage_widths[0], stride 1, padding 1, no bias), "
                        + "batch_norm, relu; no max-pool");
                description.put("block", "basic: conv3x3(stride s, no bias), batch_norm, relu, "
                        + "conv3x3(stride 1, no bias), batch_norm; plus shortcut conv1x1(stride s, "
                        + "no bias), batch_norm where the width or resolution changes, else the "
                        + "input; relu after the sum");
                description.put("stride", "2 in the first block of every stage after the first, "
                        + "else 1");
                description.put("pool", "global average");
                description.put("feature_dim", small ? 128 : 512);
            }
            case "vit-mini", "vit-tiny", "vit-small" -> {
                VisionTransformer.Config vit = VisionTransformer.named(name, 1, 224, 224);
                description.put("type", "vit");
                description.put("patch", "4 on images of side <= 48, else 16");
                description.put("dim", vit.dim());
                description.put("depth", vit.depth());
                description.put("heads", vit.heads());
                description.put("patch_embedding", "linear(dim) on each patch flattened in "
                        + "(channel, row, column) order, the weight of a conv(patch, stride patch)");
                description.put("tokens", "class token first, then the patches row-major; "
                        + "fixed 2-D sine-cosine position embeddings as MAE's (row half, then "
                        + "column half, each sin then cos), zero for the class token");
                description.put("layer", "pre-norm: x + attn(layer_norm(x)), then "
                        + "x + linear(gelu(linear(4 dim, layer_norm(x)))); layer_norm eps 1e-5");
                description.put("features", "the class token after the final layer_norm");
                description.put("feature_dim", vit.dim());
                description.put("activation", "gelu (exact, erf)");
                description.put("layout", "weights in PyTorch's layout: linear (out, in)");
                return description;
            }
            default -> throw new IllegalArgumentException(
                    "backbone must be one of " + names() + ", found '" + name + "'");
        }
        // ChannelBatchNorm: eps 1e-5, running = 0.9 running + 0.1 batch (PyTorch's momentum 0.1)
        description.put("batch_norm", Map.of("eps", 1e-5, "momentum", 0.1));
        description.put("activation", "relu");
        description.put("layout", "weights in PyTorch's layout: conv (out, in, kh, kw), linear "
                + "(out, in); activations NCHW");
        return description;
    }

    /**
     * A fresh, uninitialised backbone with the same architecture as {@code backbone} (for a
     * momentum target network), rebuilt by its name.
     *
     * @throws IllegalArgumentException if {@code backbone} is not one of {@link #NAMES}: build
     *     the copy yourself and pass it to the method's builder
     */
    public static Backbone copyOf(Backbone backbone) {
        if (!names().contains(backbone.name())) {
            throw new IllegalArgumentException("cannot rebuild a copy of backbone '"
                    + backbone.name() + "' (not one of " + names() + "): register it or give the target backbone "
                    + "to the method's builder (optTargetBackbone)");
        }
        Shape shape = backbone.inputShape();
        return byName(backbone.name(), (int) shape.get(0), (int) shape.get(1), (int) shape.get(2));
    }

    /**
     * A Vision Transformer ({@link VisionTransformer}) of this shape, named {@code name}.
     * Features {@code (batch, dim)}.
     */
    public static Backbone vit(String name, VisionTransformer.Config config) {
        return new Backbone(name, new VisionTransformer(config), config.dim(),
                new Shape(config.channels(), config.imageHeight(), config.imageWidth()),
                !config.learnedPositions());
    }

    /**
     * The classic tutorial encoder: flatten, Linear 512, ReLU, Linear 128. Features
     * {@code (batch, 128)}.
     */
    public static Backbone mlp(int channels, int height, int width) {
        SequentialBlock block = new ReleasingSequentialBlock()
                .add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(512).build())
                .add(InPlace::relu)
                .add(Linear.builder().setUnits(128).build());
        return new Backbone("mlp", block, 128, new Shape(channels, height, width));
    }

    /**
     * ResNet-18 (https://arxiv.org/abs/1512.03385) with the CIFAR stem used by SimCLR and
     * solo-learn: a 3x3 stride-1 convolution and no max-pool, then four stages of two
     * {@link ResidualBlock}s (64, 128, 256, 512 channels), global average pooling. Features
     * {@code (batch, 512)}.
     */
    public static Backbone resnet18Cifar(int channels, int height, int width) {
        return resNet("resnet18", channels, height, width, new int[] {64, 128, 256, 512}, 2);
    }

    /**
     * A small residual CNN for CPU work: the CIFAR stem with 16 channels, then four stages of
     * one {@link ResidualBlock} each (16, 32, 64, 128 channels), global average pooling: about
     * 16 M multiply-adds per 32x32 view, 1/35 of ResNet-18, so that an epoch of 10,000 images
     * (20,000 views) takes about a minute on 2 cores. Features {@code (batch, 128)}.
     */
    public static Backbone smallResNet(int channels, int height, int width) {
        return resNet("small-resnet", channels, height, width, new int[] {16, 32, 64, 128}, 1);
    }

    /**
     * The widest stage whose convolutions run channels-last. On the 2-core AMD EPYC VM (libtorch
     * 2.7.1, oneDNN, AVX-512) {@code resnet18} channels-last differed from float64 in its wider
     * stages (0.24 in the forward pass, end to end) and, on 3-channel input, in its stem's weight
     * gradient (0.18 off), while in the default layout a one-channel stem's weight gradient was
     * wrong (1.5 off). So there, stages wider than this run in the default layout; see
     * {@link #startsChannelsLast} for the stem. On Intel CPUs every convolution of resnet18,
     * checked one by one against float64, is right channels-last, where the whole network runs
     * 7% faster (BENCHMARKS.md, "Fused Adam, dropped gradients and the BLAS by CPU"), so there no
     * stage is too wide.
     * {@code ConvolutionGradientTest} checks every case on the CPU that runs the tests.
     */
    static final int CHANNELS_LAST_MAX_WIDTH = CpuFeatures.INTEL ? Integer.MAX_VALUE : 128;

    /** Stages narrower than this make a network start in the default layout on AVX2 CPUs. */
    static final int CHANNELS_LAST_MIN_WIDTH = 16;

    /**
     * Whether a residual network starts (stem and narrow stages) channels-last. oneDNN's faults
     * differ by CPU, each measured against float64 ({@code ConvolutionGradientTest}):
     * <ul>
     *   <li>on Intel CPUs (a 2-core Xeon VM with AVX-512 and AMX), always: every convolution of
     *       the residual backbones is right channels-last;
     *   <li>with AVX-512 (AMD EPYC VM), channels-last, except on input of more than one channel
     *       into a network with stages wider than {@link #CHANNELS_LAST_MAX_WIDTH} (resnet18's
     *       3-channel stem had a wrong weight gradient channels-last);
     *   <li>with AVX2 only (a second AMD EPYC VM), channels-last, except for networks with stages
     *       narrower than {@link #CHANNELS_LAST_MIN_WIDTH} channels, whose channels-last weight
     *       gradients came out wrong and different from run to run (4.6 off); there resnet18's
     *       stem is wrong in the default layout instead (0.19 off, on 1 and 3 channels).
     * </ul>
     */
    static boolean startsChannelsLast(int channels, int[] stageWidths) {
        int narrowest = Integer.MAX_VALUE;
        int widest = 0;
        for (int stageWidth : stageWidths) {
            narrowest = Math.min(narrowest, stageWidth);
            widest = Math.max(widest, stageWidth);
        }
        if (CpuFeatures.INTEL) {
            return true;
        }
        if (CpuFeatures.AVX512) {
            return widest <= CHANNELS_LAST_MAX_WIDTH || channels == 1;
        }
        return narrowest >= CHANNELS_LAST_MIN_WIDTH;
    }

    /**
     * A CIFAR-stem residual network: a 3x3 stride-1 convolution to {@code stageWidths[0]}
     * channels, then for each stage {@code blocksPerStage} {@link ResidualBlock}s (the first of
     * every stage after the first halves the resolution), global average pooling. Features
     * {@code (batch, stageWidths[last])}. Activations are kept in the {@link ChannelsLast} layout.
     */
    public static Backbone resNet(String name, int channels, int height, int width,
            int[] stageWidths, int blocksPerStage) {
        if (stageWidths.length == 0 || blocksPerStage <= 0) {
            throw new IllegalArgumentException("need at least one stage and one block per stage, "
                    + "found " + stageWidths.length + " stages, " + blocksPerStage + " blocks");
        }
        ChannelsLastBody block = new ChannelsLastBody();
        block.channelsLast = startsChannelsLast(channels, stageWidths);
        block.add(Layers.conv3x3(stageWidths[0], 1))
                .add(new ChannelBatchNorm())
                .add(InPlace::relu);
        int in = stageWidths[0];
        for (int stage = 0; stage < stageWidths.length; stage++) {
            for (int b = 0; b < blocksPerStage; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                if (stageWidths[stage] > CHANNELS_LAST_MAX_WIDTH
                        && block.defaultLayoutFrom == Integer.MAX_VALUE) {
                    block.defaultLayoutFrom = block.getChildren().size();
                }
                block.add(new ResidualBlock(in, stageWidths[stage], stride));
                in = stageWidths[stage];
            }
        }
        block.add(Pool.globalAvgPool2dBlock()); // (batch, C, h, w) -> (batch, C)
        // Kaiming-normal (fan-out) weights, as torchvision's ResNet
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.OUT, 2), Parameter.Type.WEIGHT);
        return new Backbone(name, block, in, new Shape(channels, height, width), true);
    }

    /**
     * A residual network's layers in the {@link ChannelsLast} layout: libtorch's CPU convolutions
     * are faster on it and pass it on to the layers after them. The input is converted, and so is
     * the stem convolution's output, since a one-channel input leaves the layout ambiguous. (Steps
     * between children, not children of their own, so parameter names stay as they were.)
     */
    private static final class ChannelsLastBody extends ReleasingSequentialBlock {
        /** Whether the network starts in the channels-last layout. */
        boolean channelsLast = true;
        /** The child from which the activations go back to libtorch's default layout. */
        int defaultLayoutFrom = Integer.MAX_VALUE;

        @Override
        protected NDList prepareInput(int index, NDList input) {
            if (!ChannelsLast.ENABLED || !channelsLast
                    || (index > 1 && index != defaultLayoutFrom)) {
                return input;
            }
            NDArray x = input.singletonOrThrow();
            return new NDList(index == defaultLayoutFrom ? ChannelsLast.toDefault(x)
                    : ChannelsLast.of(x));
        }
    }
}
