package dev.selfsup.train;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.data.text.TextFiles;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextEncoderConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Everything a text pre-training run needs, as written to its {@code config.json}.
 *
 * @param method mlm, nsp, mlm+nsp, text-autoencoder or text-contrastive
 * @param data the corpus spec ({@code text:PATH})
 * @param vocabularySize WordPiece vocabulary to learn, special tokens included
 * @param width encoder width
 * @param layers encoder layers
 * @param heads attention heads
 * @param maxLength longest sequence in pieces, special tokens included
 * @param dropout dropout rate
 * @param epochs passes over the examples
 * @param batchSize sequences per step
 * @param learningRate Adam's peak rate
 * @param weightDecay AdamW's decoupled weight decay of weight matrices and embeddings (biases and
 *     layer norms are never decayed)
 * @param warmupFraction share of all steps spent in linear warm-up, in [0, 1]; or null: picked
 *     by {@link TextDefaults#warmup} once the run's steps are known (a tenth of them, but at
 *     least {@link TextDefaults#MIN_WARMUP_STEPS} steps and at most a third of the run), and the
 *     picked value is written to {@code config.json}
 * @param seed drives initialisation, example order, masking and noise
 * @param threads libtorch compute threads
 * @param examplesPerEpoch cap on examples per epoch (a random subset each epoch, the last batch
 *     short), or null; with it set an epoch never repeats an example
 * @param stepsPerEpoch steps per epoch, each of {@code batchSize} examples drawn from an endless
 *     stream of passes over the training examples (each pass in its own random order), so an
 *     epoch repeats a corpus that is small for it; or null with {@code examplesPerEpoch} null:
 *     picked from the corpus by {@link TextDefaults#stepsPerEpoch}, and the picked value is written
 *     to {@code config.json}
 * @param heldOutExamples held-out examples scored after every epoch
 * @param keepCheckpoints newest checkpoints kept
 * @param utf8Errors strict or replace
 * @param maxLineChars longest line accepted
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TextPretrainConfig(
        String method,
        String data,
        int vocabularySize,
        int width,
        int layers,
        int heads,
        int maxLength,
        float dropout,
        int epochs,
        int batchSize,
        double learningRate,
        double weightDecay,
        Double warmupFraction,
        long seed,
        int threads,
        Integer examplesPerEpoch,
        Integer stepsPerEpoch,
        int heldOutExamples,
        int keepCheckpoints,
        TextFiles.Utf8Errors utf8Errors,
        int maxLineChars) {
    public TextPretrainConfig {
        TextMethods.kind(method);
        encoder(vocabularySize, width, layers, heads, maxLength, dropout);
        if (epochs <= 0) {
            throw new IllegalArgumentException("epochs must be > 0, found " + epochs);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, found " + batchSize);
        }
        if (batchSize < 2 && TextMethods.kind(method) == TextExamples.Kind.CONTRASTIVE) {
            throw new IllegalArgumentException("text-contrastive needs a batch of at least 2 "
                    + "sentences (each one's negatives are the others), found " + batchSize);
        }
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weight decay must be >= 0, found " + weightDecay);
        }
        if (warmupFraction != null && !(warmupFraction >= 0 && warmupFraction <= 1)) {
            throw new IllegalArgumentException("warm-up fraction must be in [0, 1], found "
                    + warmupFraction);
        }
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be > 0, found " + threads);
        }
        if (examplesPerEpoch != null && examplesPerEpoch <= 0) {
            throw new IllegalArgumentException("examples per epoch must be > 0, found " + examplesPerEpoch);
        }
        if (stepsPerEpoch != null && stepsPerEpoch <= 0) {
            throw new IllegalArgumentException("steps per epoch must be > 0, found " + stepsPerEpoch);
        }
        if (stepsPerEpoch != null && examplesPerEpoch != null) {
            throw new IllegalArgumentException("an epoch is sized by examples per epoch or by steps "
                    + "per epoch, not both; found " + examplesPerEpoch + " examples and "
                    + stepsPerEpoch + " steps");
        }
        if (heldOutExamples <= 0) {
            throw new IllegalArgumentException("held-out examples must be > 0, found " + heldOutExamples);
        }
        if (keepCheckpoints <= 0) {
            throw new IllegalArgumentException("checkpoints to keep must be > 0, found " + keepCheckpoints);
        }
        if (maxLineChars <= 0) {
            throw new IllegalArgumentException("maximum line length must be > 0, found " + maxLineChars);
        }
    }

    private static TextEncoderConfig encoder(int vocabularySize, int width, int layers, int heads,
            int maxLength, float dropout) {
        if (vocabularySize < 16) {
            throw new IllegalArgumentException("vocabulary size must be >= 16, found " + vocabularySize);
        }
        return new TextEncoderConfig(vocabularySize, width, layers, heads, maxLength, dropout);
    }

    /**
     * Reads the config of the text run in {@code runDir} (the {@code "config"} object of its
     * {@code config.json}).
     *
     * @throws IOException naming the file when it is missing or not a text run's config
     */
    public static TextPretrainConfig readFrom(Path runDir) throws IOException {
        return Provenance.readConfig(runDir, TextPretrainConfig.class);
    }

    /**
     * Whether the run in {@code runDir} is a text run: its {@code config.json}'s config names a
     * vocabulary size, which only text runs have.
     *
     * @throws IOException when the run has no readable {@code config.json}
     */
    public static boolean isTextRun(Path runDir) throws IOException {
        return Provenance.read(runDir).get("config").has("vocabulary_size");
    }

    /** This config with {@code stepsPerEpoch} steps per epoch (and no cap on examples per epoch). */
    public TextPretrainConfig withStepsPerEpoch(int steps) {
        return with(epochs, warmupFraction, threads, null, steps, keepCheckpoints);
    }

    /**
     * This config with {@code epochs} epochs: resumed with it, a run continues (or stops) at
     * {@code epochs}, on the schedule of a run of that length from the resume point on; the
     * warm-up keeps its length in steps (the trainer rescales {@link #warmupFraction}, see
     * {@link Resumption}).
     */
    public TextPretrainConfig withEpochs(int epochs) {
        return with(epochs, warmupFraction, threads, examplesPerEpoch, stepsPerEpoch,
                keepCheckpoints);
    }

    /**
     * This config with other settings of how the run is carried out, which a resumed run may
     * change ({@link Resumption#RUN_SETTINGS}).
     */
    public TextPretrainConfig withRunSettings(int threads, int keepCheckpoints) {
        return with(epochs, warmupFraction, threads, examplesPerEpoch, stepsPerEpoch,
                keepCheckpoints);
    }

    /** This config with {@code fraction} of its steps spent warming up. */
    public TextPretrainConfig withWarmupFraction(double fraction) {
        return with(epochs, fraction, threads, examplesPerEpoch, stepsPerEpoch, keepCheckpoints);
    }

    private TextPretrainConfig with(int epochs, Double warmupFraction, int threads,
            Integer examplesPerEpoch, Integer stepsPerEpoch, int keepCheckpoints) {
        return new TextPretrainConfig(method, data, vocabularySize, width, layers, heads, maxLength,
                dropout, epochs, batchSize, learningRate, weightDecay, warmupFraction, seed, threads,
                examplesPerEpoch, stepsPerEpoch, heldOutExamples, keepCheckpoints, utf8Errors,
                maxLineChars);
    }

    /** The encoder's size for a tokenizer of {@code actualVocabularySize} pieces. */
    public TextEncoderConfig encoder(int actualVocabularySize) {
        return new TextEncoderConfig(actualVocabularySize, width, layers, heads, maxLength, dropout);
    }

    /** This config as the JSON object {@code config.json} holds under {@code "config"}. */
    public String toJson() {
        return dev.selfsup.util.Json.pretty(this);
    }

    /** A builder in DJL's style: {@code setX} required, {@code optX} optional. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link TextPretrainConfig}: {@link #setData} is required; every {@code optX} left
     * out takes the CLI's default (method {@code mlm}, the encoder of 128 wide, 2 layers, 4 heads,
     * vocabulary 8,000, batch 32, the method's rate, AdamW decay 0.01; the steps per epoch and
     * the warm-up picked from the corpus when the run starts, see {@link TextDefaults}).
     */
    public static final class Builder extends RunSettingsBuilder<Builder> {
        private String method = "mlm";
        private String data;
        private int vocabularySize = 8000;
        private int width = 128;
        private int layers = 2;
        private int heads = 4;
        private int maxLength = 128;
        private float dropout = 0.1f;
        private Double warmupFraction;
        private Integer examplesPerEpoch;
        private Integer stepsPerEpoch;
        private int heldOutExamples = 512;
        private TextFiles.Utf8Errors utf8Errors = TextFiles.Utf8Errors.STRICT;
        private int maxLineChars = 1_000_000;

        private Builder() {}

        @Override
        Builder self() {
            return this;
        }

        /** The corpus spec, {@code text:PATH}. */
        public Builder setData(String data) {
            this.data = data;
            return this;
        }

        /**
         * {@code mlm} (default), {@code nsp}, {@code mlm+nsp}, {@code text-autoencoder} or
         * {@code text-contrastive}.
         */
        public Builder optMethod(String method) {
            this.method = method;
            return this;
        }

        /** WordPiece vocabulary, special tokens included; default 8,000. */
        public Builder optVocabularySize(int vocabularySize) {
            this.vocabularySize = vocabularySize;
            return this;
        }

        /** The encoder's width, layers and attention heads; default 128, 2, 4. */
        public Builder optEncoder(int width, int layers, int heads) {
            this.width = width;
            this.layers = layers;
            this.heads = heads;
            return this;
        }

        /** Longest sequence in pieces, special tokens included; default 128. */
        public Builder optMaxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Default 0.1. */
        public Builder optDropout(float dropout) {
            this.dropout = dropout;
            return this;
        }

        /** Share of the steps in warm-up; default: picked from the run's steps. */
        public Builder optWarmupFraction(Double warmupFraction) {
            this.warmupFraction = warmupFraction;
            return this;
        }

        /** Examples per epoch, never repeated; default: epochs sized in steps instead. */
        public Builder optExamplesPerEpoch(Integer examplesPerEpoch) {
            this.examplesPerEpoch = examplesPerEpoch;
            return this;
        }

        /** Steps per epoch; default: picked from the corpus. */
        public Builder optStepsPerEpoch(Integer stepsPerEpoch) {
            this.stepsPerEpoch = stepsPerEpoch;
            return this;
        }

        /** Held-out examples scored after every epoch; default 512. */
        public Builder optHeldOutExamples(int heldOutExamples) {
            this.heldOutExamples = heldOutExamples;
            return this;
        }

        /** Bad UTF-8 in the corpus: refused ({@code STRICT}, default) or replaced. */
        public Builder optUtf8Errors(TextFiles.Utf8Errors utf8Errors) {
            this.utf8Errors = utf8Errors;
            return this;
        }

        /** Longest line accepted; default 1,000,000 characters. */
        public Builder optMaxLineChars(int maxLineChars) {
            this.maxLineChars = maxLineChars;
            return this;
        }

        /**
         * The config, every default filled in.
         *
         * @throws IllegalArgumentException naming the setting when the data is missing, the
         *     method unknown, both epoch sizes are given, or a setting breaks a rule of
         *     {@link TextPretrainConfig}
         */
        public TextPretrainConfig build() {
            if (data == null) {
                throw new IllegalArgumentException("data must be set (setData), found none");
            }
            if (!TextMethods.NAMES.contains(method)) {
                throw new IllegalArgumentException("text method must be one of "
                        + TextMethods.NAMES + ", found '" + method + "'");
            }
            if (examplesPerEpoch != null && stepsPerEpoch != null) {
                throw new IllegalArgumentException("give examples per epoch or steps per epoch, "
                        + "not both; found " + examplesPerEpoch + " and " + stepsPerEpoch);
            }
            return new TextPretrainConfig(method, data, vocabularySize, width, layers, heads,
                    maxLength, dropout, epochs, batchSize != null ? batchSize : 32,
                    learningRate != null ? learningRate : TextMethods.defaultLearningRate(method),
                    weightDecay != null ? weightDecay : 0.01, warmupFraction, seed,
                    resolvedThreads(),
                    examplesPerEpoch, stepsPerEpoch, heldOutExamples, keepCheckpoints, utf8Errors,
                    maxLineChars);
        }
    }
}
