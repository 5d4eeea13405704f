package dev.selfsup.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.selfsup.augment.PatchMask;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.method.Dino;
import dev.selfsup.method.Methods;
import dev.selfsup.util.Json;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The resolved settings of one pre-training run; written to {@code config.json} and read back on
 * resume. Every field is validated here with "rule, found value" messages. {@link #builder()}
 * fills in every default as the CLI does, those suited to the data included:
 *
 * <pre>{@code
 * PretrainConfig config = PretrainConfig.builder()
 *         .setMethod("simclr")
 *         .setData(data)                 // DataSplits: its name and image shape
 *         .optEpochs(20)
 *         .build();
 * System.out.println(config.toJson());   // every setting, defaults filled in
 * }</pre>
 *
 * @param method {@code simclr}, {@code tutorial}, ...
 * @param backbone {@code mlp}, {@code resnet18}, {@code small-resnet}
 * @param data the data spec ({@code shapes}, {@code idx:DIR}, {@code cifar10:DIR}, {@code folder:DIR})
 * @param dataOptions sizes, image side and colour mode of the data
 * @param recipe the view recipe ({@code simclr}, {@code tutorial})
 * @param minCropScale smallest crop area fraction of the simclr recipe (null: 0.08)
 * @param rotationDegrees largest random rotation of the simclr recipe (null: none)
 * @param epochs passes over the training split
 * @param batchSize samples per step (each with two or more views)
 * @param optimizer {@code adam}, {@code adamw} or {@code sgd} (see {@link Optimizer#create})
 * @param learningRate peak learning rate
 * @param weightDecay weight decay: L2 for adam and sgd, decoupled for adamw
 * @param temperature contrastive temperature, or null where the method has none
 * @param warmupEpochs epochs of linear warm-up before the cosine decay; a fraction of an epoch
 *     is allowed (0.1: a tenth of an epoch's steps)
 * @param seed the one seed behind all randomness
 * @param threads libtorch compute threads
 * @param workers augmentation threads
 * @param evalEvery run the kNN monitor every this many epochs (and always after the last)
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param queueSize keys in the memory bank of methods that have one (MoCo), or null: the
 *     method's default
 * @param maskRatio share of the image hidden by the masking methods (inpainting, masked-image,
 *     denoising-autoencoder, mae; for ibot the centre of the range its masked views draw from),
 *     in (0, 1), or null for the method's default (and for every other method); absent from
 *     older {@code config.json} files, which read as null
 * @param colorJitterStrength strength {@code s} of the simclr recipe's colour jitter
 *     (brightness, contrast and saturation {@code 0.8s}, hue {@code 0.2s}), or null: the recipe's
 *     0.5; absent from older {@code config.json} files, which read as null
 * @param maskKind how {@code ibot} places the patches its student hides, {@code block} or
 *     {@code random} ({@link PatchMask.Kind}), or null for every other method; absent from
 *     older {@code config.json} files, which read as null: blocks
 * @param precision {@code fp32}, or {@code bf16}: the backbone's forward pass under libtorch's
 *     bfloat16 autocast ({@link dev.selfsup.nn.Bf16Autocast}; weights, optimiser, heads and loss
 *     stay float32), on CPUs with bf16 instructions; null (older {@code config.json} files) reads
 *     as {@code fp32}
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PretrainConfig(
        String method,
        String backbone,
        String data,
        Datasets.Options dataOptions,
        String recipe,
        Double minCropScale,
        Double rotationDegrees,
        int epochs,
        int batchSize,
        String optimizer,
        double learningRate,
        double weightDecay,
        Double temperature,
        double warmupEpochs,
        long seed,
        int threads,
        int workers,
        int evalEvery,
        int keepCheckpoints,
        Integer queueSize,
        Double maskRatio,
        Double colorJitterStrength,
        String maskKind,
        String precision) {

    public PretrainConfig {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(dataOptions, "dataOptions");
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(optimizer, "optimizer");
        if (minCropScale != null && !(minCropScale > 0 && minCropScale <= 1)) {
            throw new IllegalArgumentException("min crop scale must be in (0, 1], found " + minCropScale);
        }
        if (rotationDegrees != null && !(rotationDegrees >= 0 && rotationDegrees <= 180)) {
            throw new IllegalArgumentException("rotation must be in [0, 180] degrees, found "
                    + rotationDegrees);
        }
        positive("epochs", epochs);
        positive("batch size", batchSize);
        if (batchSize < 2) {
            throw new IllegalArgumentException("batch size must be >= 2, found " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, found " + weightDecay);
        }
        if (temperature != null && (!(temperature > 0) || temperature.isInfinite())) {
            throw new IllegalArgumentException("temperature must be > 0, found " + temperature);
        }
        if (!(warmupEpochs >= 0 && warmupEpochs <= epochs)) {
            throw new IllegalArgumentException("warm-up epochs must be in [0, epochs=" + epochs
                    + "], found " + warmupEpochs);
        }
        positive("threads", threads);
        positive("workers", workers);
        positive("eval every", evalEvery);
        positive("keep checkpoints", keepCheckpoints);
        if (queueSize != null && queueSize < 2 * batchSize) {
            throw new IllegalArgumentException("queue size must be at least 2 x batch size = "
                    + 2 * batchSize + " (both views' keys of a batch), found " + queueSize);
        }
        if (maskRatio != null && !(maskRatio > 0 && maskRatio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), found " + maskRatio);
        }
        if (colorJitterStrength != null
                && (!(colorJitterStrength >= 0) || colorJitterStrength.isInfinite())) {
            throw new IllegalArgumentException("colour jitter strength must be >= 0, found "
                    + colorJitterStrength);
        }
        if (maskKind != null) {
            PatchMask.Kind.byName(maskKind);
        }
        precision = precision == null ? FP32 : precision;
        if (!PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("precision must be one of " + PRECISIONS
                    + ", found '" + precision + "'");
        }
        if (!Optimizer.NAMES.contains(optimizer)) {
            throw new IllegalArgumentException("optimizer must be one of " + Optimizer.NAMES
                    + ", found '" + optimizer + "'");
        }
    }

    /** Single precision, the default. */
    public static final String FP32 = "fp32";
    /** The backbone's forward pass in bfloat16 (libtorch's CPU autocast). */
    public static final String BF16 = "bf16";
    /** The precisions a run takes. */
    public static final java.util.List<String> PRECISIONS = java.util.List.of(FP32, BF16);

    /** As the canonical constructor, in single precision. */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, double warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints,
            Integer queueSize, Double maskRatio, Double colorJitterStrength, String maskKind) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, queueSize, maskRatio,
                colorJitterStrength, maskKind, FP32);
    }

    /** Whether the backbone runs under bfloat16 autocast. */
    public boolean bf16() {
        return BF16.equals(precision);
    }

    /** A config without method-specific settings (queue size, mask ratio: the defaults). */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, double warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, null, null);
    }

    /** A config with the simclr recipe's own colour jitter (strength 0.5). */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, double warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints,
            Integer queueSize, Double maskRatio) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, queueSize, maskRatio, null);
    }

    /** A config with the method's own mask kind. */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, double warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints,
            Integer queueSize, Double maskRatio, Double colorJitterStrength) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, queueSize, maskRatio,
                colorJitterStrength, null);
    }

    /** Reads the config of the run in {@code runDir} (its {@code config.json}). */
    public static PretrainConfig readFrom(java.nio.file.Path runDir) throws java.io.IOException {
        return Provenance.readConfig(runDir, PretrainConfig.class);
    }

    /**
     * This config with {@code epochs} epochs: resumed with it, a run continues (or stops) at
     * {@code epochs}, on the schedule of a run of that length from the resume point on, with
     * the same warm-up (see {@link Resumption}).
     */
    public PretrainConfig withEpochs(int epochs) {
        return with(epochs, threads, workers, evalEvery, keepCheckpoints);
    }

    /**
     * This config with other settings of how the run is carried out, which a resumed run may
     * change ({@link Resumption#RUN_SETTINGS}).
     */
    public PretrainConfig withRunSettings(int threads, int workers, int evalEvery,
            int keepCheckpoints) {
        return with(epochs, threads, workers, evalEvery, keepCheckpoints);
    }

    private PretrainConfig with(int epochs, int threads, int workers, int evalEvery,
            int keepCheckpoints) {
        return new PretrainConfig(method, backbone, data, dataOptions, recipe, minCropScale,
                rotationDegrees, epochs, batchSize, optimizer, learningRate, weightDecay,
                temperature, warmupEpochs, seed, threads, workers, evalEvery, keepCheckpoints,
                queueSize, maskRatio, colorJitterStrength, maskKind, precision);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, found " + value);
        }
    }

    /** The method options this config sets, for images standardised with {@code inputStats}. */
    public dev.selfsup.method.Methods.Options methodOptions(dev.selfsup.data.ChannelStats inputStats) {
        return new dev.selfsup.method.Methods.Options(temperature, queueSize, inputStats, maskRatio,
                maskKind == null ? null : PatchMask.Kind.byName(maskKind));
    }

    /** This config as the JSON object {@code config.json} holds under {@code "config"}. */
    public String toJson() {
        return Json.pretty(this);
    }

    /** A builder in DJL's style: {@code setX} required, {@code optX} optional. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link PretrainConfig}: {@link #setMethod} and {@link #setData} are required;
     * every {@code optX} left out takes the default the CLI's {@code pretrain} takes, and the
     * batch size, rate, temperature, crop scale and colour jitter are suited to the data's shape
     * ({@link DataDefaults}; {@link #describeDefaults()} says what was picked and why). Under
     * sgd the rate is {@code 0.06 x batch / 256} and the weight decay 5e-4; under adam and adamw
     * the decay is 1e-6.
     */
    public static final class Builder extends RunSettingsBuilder<Builder> {
        private String method;
        private String data;
        private int channels;
        private int height;
        private int width;
        private Datasets.Options dataOptions = Datasets.Options.defaults();
        private String backbone;
        private String recipe;
        private Double minCropScale;
        private Double rotationDegrees;
        private String optimizer = "adam";
        private Double temperature;
        private Double warmupEpochs;
        private int workers = 1;
        private int evalEvery = 1;
        private Integer queueSize;
        private Double maskRatio;
        private Double colorJitterStrength;
        private String maskKind;
        private String precision = FP32;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** The method's registry name ({@link Methods#names()}), e.g. {@code simclr}. */
        public Builder setMethod(String method) {
            this.method = method;
            return this;
        }

        /** The data: its name is written as the data spec, its shape picks the defaults. */
        public Builder setData(DataSplits data) {
            this.data = data.name();
            this.channels = data.train().channels();
            this.height = data.train().height();
            this.width = data.train().width();
            return this;
        }

        /** How the data spec was loaded (sizes, image side, colour mode), for resuming. */
        public Builder optDataOptions(Datasets.Options dataOptions) {
            this.dataOptions = Objects.requireNonNull(dataOptions, "dataOptions");
            return this;
        }

        /** A backbone name ({@code Backbones.names()}); default: the method's. */
        public Builder optBackbone(String backbone) {
            this.backbone = backbone;
            return this;
        }

        /** A view recipe name; default: the method's. */
        public Builder optRecipe(String recipe) {
            this.recipe = recipe;
            return this;
        }

        /** Smallest crop area fraction; null: the recipe's own. */
        public Builder optMinCropScale(Double minCropScale) {
            this.minCropScale = minCropScale;
            given.add("min-crop-scale");
            return this;
        }

        /** Largest random rotation of the simclr recipe, in degrees; default: none. */
        public Builder optRotationDegrees(Double rotationDegrees) {
            this.rotationDegrees = rotationDegrees;
            return this;
        }

        /** {@code adam} (default), {@code adamw} or {@code sgd}. */
        public Builder optOptimizer(String optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        /** For the methods with a temperature; default: suited to the data, else the method's. */
        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            given.add("temperature");
            return this;
        }

        /**
         * Epochs of linear warm-up, a fraction allowed; default: 1 when epochs > 1, else the
         * data's ({@link DataDefaults.Choice#oneEpochWarmup}: 0.1 on a Vision Transformer, 0 on
         * the CNNs).
         */
        public Builder optWarmupEpochs(double warmupEpochs) {
            this.warmupEpochs = warmupEpochs;
            return this;
        }

        /** Augmentation threads; default: 1. */
        public Builder optWorkers(int workers) {
            this.workers = workers;
            return this;
        }

        /** Epochs between kNN monitor runs (and always after the last); default: 1. */
        public Builder optEvalEvery(int evalEvery) {
            this.evalEvery = evalEvery;
            return this;
        }

        /** Keys in MoCo's memory bank; default: 4096. */
        public Builder optQueueSize(Integer queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        /** Share of the image the masking tasks hide; default: the method's, or the data's. */
        public Builder optMaskRatio(Double maskRatio) {
            this.maskRatio = maskRatio;
            given.add("mask-ratio");
            return this;
        }

        /**
         * How {@code ibot} places the patches its student hides: {@code block} (default) or
         * {@code random} ({@link PatchMask.Kind}).
         */
        public Builder optMaskKind(String maskKind) {
            this.maskKind = maskKind;
            given.add("mask-kind");
            return this;
        }

        /**
         * {@code fp32} (default) or {@code bf16}: the backbone's forward pass under bfloat16
         * autocast, on CPUs with bf16 instructions ({@link dev.selfsup.nn.Bf16Autocast}).
         */
        public Builder optPrecision(String precision) {
            this.precision = precision;
            return this;
        }

        /** Strength of the simclr recipe's colour jitter; null: the recipe's 0.5. */
        public Builder optColorJitterStrength(Double colorJitterStrength) {
            this.colorJitterStrength = colorJitterStrength;
            given.add("color-jitter");
            return this;
        }

        /**
         * The defaults picked for the data, one line with the reason for each, leaving out the
         * settings given.
         *
         * @throws IllegalArgumentException as {@link #build()}
         */
        public String describeDefaults() {
            return choice().describe(given());
        }

        /**
         * The config, every default filled in.
         *
         * @throws IllegalArgumentException naming the setting when the method or data is
         *     missing, or a setting breaks a rule of {@link PretrainConfig}
         */
        public PretrainConfig build() {
            DataDefaults.Choice defaults = choice();
            Set<String> given = given();
            boolean sgd = "sgd".equals(optimizer);
            int batch = batchSize != null ? batchSize : defaults.batchSize();
            Double cropScale = given.contains("min-crop-scale") ? minCropScale
                    : defaults.minCropScale();
            Double jitter = given.contains("color-jitter") ? colorJitterStrength
                    : defaults.colorJitterStrength();
            Double chosenTemperature = null;
            if (Methods.usesTemperature(method)) {
                chosenTemperature = temperature != null ? temperature
                        : defaults.temperature() != null ? defaults.temperature()
                        : Methods.defaultTemperature(method);
            } else if (temperature != null) {
                throw new IllegalArgumentException("temperature does not apply to " + method
                        + ", found " + temperature);
            }
            if (maskKind != null && !Dino.IBOT_NAME.equals(method)) {
                throw new IllegalArgumentException("mask kind applies to " + Dino.IBOT_NAME
                        + ", not to " + method + ", found '" + maskKind + "'");
            }
            return new PretrainConfig(method,
                    backbone != null ? backbone : Methods.defaultBackbone(method),
                    data, dataOptions, recipe(), cropScale, rotationDegrees, epochs, batch,
                    optimizer,
                    learningRate != null ? learningRate
                            : sgd ? 0.06 * batch / 256 : defaults.learningRate(),
                    weightDecay != null ? weightDecay : sgd ? 5e-4 : 1e-6,
                    chosenTemperature,
                    warmupEpochs != null ? warmupEpochs
                            : epochs > 1 ? 1 : defaults.oneEpochWarmup(),
                    seed,
                    resolvedThreads(),
                    workers, evalEvery, keepCheckpoints, queueSize,
                    given.contains("mask-ratio") ? maskRatio : defaults.maskRatio(), jitter,
                    given.contains("mask-kind") ? maskKind : defaults.maskKind(), precision);
        }

        private String recipe() {
            return recipe != null ? recipe : Methods.defaultRecipe(method);
        }

        private DataDefaults.Choice choice() {
            if (method == null) {
                throw new IllegalArgumentException("method must be set (setMethod), found none");
            }
            if (data == null) {
                throw new IllegalArgumentException("data must be set (setData), found none");
            }
            return DataDefaults.choose(method, backbone, data, channels, height, width);
        }

        /**
         * The data-suited settings not to pick: those set here, the rate under sgd (it keeps
         * its own rule), the crop scale and jitter under another recipe than the method's
         * (the picks are for its own), and the one-epoch warm-up in a longer run.
         */
        private Set<String> given() {
            Set<String> all = new HashSet<>(given);
            if ("sgd".equals(optimizer)) {
                all.add("lr");
            }
            if (!recipe().equals(Methods.defaultRecipe(method))) {
                all.add("min-crop-scale");
                all.add("color-jitter");
            }
            if (warmupEpochs != null || epochs > 1) {
                all.add(DataDefaults.WARMUP_SETTING);
            }
            return all;
        }
    }
}
