package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.data.Datasets;
import java.util.Objects;

/**
 * The resolved settings of one pre-training run; written to {@code config.json} and read back on
 * resume. Every field is validated here with "rule, found value" messages.
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
 * @param warmupEpochs epochs of linear warm-up before the cosine decay
 * @param seed the one seed behind all randomness
 * @param threads libtorch compute threads
 * @param workers augmentation threads
 * @param evalEvery run the kNN monitor every this many epochs (and always after the last)
 * @param keepCheckpoints how many of the newest checkpoints to keep
 * @param queueSize keys in the memory bank of methods that have one (MoCo), or null: the
 *     method's default
 * @param maskRatio share of the image hidden by the masking pretext tasks (inpainting,
 *     masked-image, denoising-autoencoder), in (0, 1), or null for the method's default (and
 *     for every other method); absent from older {@code config.json} files, which read as null
 * @param colorJitterStrength strength {@code s} of the simclr recipe's colour jitter
 *     (brightness, contrast and saturation {@code 0.8s}, hue {@code 0.2s}), or null: the recipe's
 *     0.5; absent from older {@code config.json} files, which read as null
 */
public record PretrainConfig(
        String method,
        String backbone,
        String data,
        @JsonProperty("data_options") Datasets.Options dataOptions,
        String recipe,
        @JsonProperty("min_crop_scale") Double minCropScale,
        @JsonProperty("rotation_degrees") Double rotationDegrees,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        String optimizer,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("weight_decay") double weightDecay,
        Double temperature,
        @JsonProperty("warmup_epochs") int warmupEpochs,
        long seed,
        int threads,
        int workers,
        @JsonProperty("eval_every") int evalEvery,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("queue_size") Integer queueSize,
        @JsonProperty("mask_ratio") Double maskRatio,
        @JsonProperty("color_jitter_strength") Double colorJitterStrength) {

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
        if (warmupEpochs < 0 || warmupEpochs > epochs) {
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
        if (!Optimizer.NAMES.contains(optimizer)) {
            throw new IllegalArgumentException("optimizer must be one of " + Optimizer.NAMES
                    + ", found '" + optimizer + "'");
        }
    }

    /** A config without method-specific settings (queue size, mask ratio: the defaults). */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, int warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, null, null);
    }

    /** A config with the simclr recipe's own colour jitter (strength 0.5). */
    public PretrainConfig(String method, String backbone, String data,
            Datasets.Options dataOptions, String recipe, Double minCropScale,
            Double rotationDegrees, int epochs, int batchSize, String optimizer,
            double learningRate, double weightDecay, Double temperature, int warmupEpochs,
            long seed, int threads, int workers, int evalEvery, int keepCheckpoints,
            Integer queueSize, Double maskRatio) {
        this(method, backbone, data, dataOptions, recipe, minCropScale, rotationDegrees, epochs,
                batchSize, optimizer, learningRate, weightDecay, temperature, warmupEpochs, seed,
                threads, workers, evalEvery, keepCheckpoints, queueSize, maskRatio, null);
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
                queueSize, maskRatio, colorJitterStrength);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, found " + value);
        }
    }

    /** The method options this config sets, for images standardised with {@code inputStats}. */
    public dev.selfsup.method.Methods.Options methodOptions(dev.selfsup.data.ChannelStats inputStats) {
        return new dev.selfsup.method.Methods.Options(temperature, queueSize, inputStats, maskRatio);
    }
}
