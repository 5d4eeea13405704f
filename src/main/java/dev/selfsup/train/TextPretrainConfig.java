package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonProperty;
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
public record TextPretrainConfig(
        String method,
        String data,
        @JsonProperty("vocabulary_size") int vocabularySize,
        int width,
        int layers,
        int heads,
        @JsonProperty("max_length") int maxLength,
        float dropout,
        int epochs,
        @JsonProperty("batch_size") int batchSize,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("warmup_fraction") Double warmupFraction,
        long seed,
        int threads,
        @JsonProperty("examples_per_epoch") Integer examplesPerEpoch,
        @JsonProperty("steps_per_epoch") Integer stepsPerEpoch,
        @JsonProperty("held_out_examples") int heldOutExamples,
        @JsonProperty("keep_checkpoints") int keepCheckpoints,
        @JsonProperty("utf8_errors") TextFiles.Utf8Errors utf8Errors,
        @JsonProperty("max_line_chars") int maxLineChars) {
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
}
