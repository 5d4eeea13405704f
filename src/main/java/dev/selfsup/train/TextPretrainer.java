package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.text.MaskedTokens;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.augment.text.TokenNoise;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TokenizedCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.data.text.WordPieceTrainer;
import dev.selfsup.method.TextMethod;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextEncoderConfig;
import dev.selfsup.util.Json;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Runs self-supervised pre-training on text: learns a WordPiece vocabulary from the corpus's
 * training documents, holds out every 10th document (the last sentences of each document when
 * there are fewer than 10), then trains a {@link TextMethod} with AdamW (decoupled decay of weight
 * matrices and embeddings, as BERT) under a warm-up + cosine schedule. After every epoch it scores the held-out examples
 * (masked-token or reconstruction accuracy, perplexity, next-sentence accuracy), appends one line
 * to {@code metrics.jsonl}, saves a checkpoint (weights, optimiser, {@code tokenizer.json},
 * {@code state.json}) and refreshes {@code report.html}. A stopped run resumes exactly from its
 * newest checkpoint (see {@link #run(Path, boolean)}).
 *
 * <p>Native memory: parameters live in the model manager, the optimiser's state in a child of
 * it, every step's arrays in a step manager closed at the end of the step.
 */
public final class TextPretrainer {
    /** Every how many documents one is held out. */
    public static final int HELD_OUT_EVERY = 10;

    private final TextPretrainConfig config;
    private final TextCorpus corpus;
    private final ProgressListener listener;
    private final Consumer<TextEpochMetrics> onEpoch;

    /** The outcome of a run. */
    public record Result(Path runDir, List<TextEpochMetrics> epochs, double trainSeconds,
            Path checkpoint, WordPieceTokenizer tokenizer) {
        /** The last epoch's metrics. */
        public TextEpochMetrics last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    /**
     * @param listener receives step progress (for a progress bar)
     * @param onEpoch receives each epoch's metrics
     */
    public TextPretrainer(TextPretrainConfig config, TextCorpus corpus, ProgressListener listener,
            Consumer<TextEpochMetrics> onEpoch) {
        this.config = config;
        this.corpus = corpus;
        this.listener = listener;
        this.onEpoch = onEpoch;
    }

    /** Trains into {@code runDir}, which must not hold a run yet. */
    public Result run(Path runDir) throws IOException {
        return run(runDir, false);
    }

    /**
     * Trains into {@code runDir}.
     *
     * <p>Resuming loads the newest complete checkpoint (weights, optimiser, vocabulary, where
     * training stood), cuts {@code metrics.jsonl} back to the epochs it holds and continues with
     * the next epoch on the same schedule; every step reseeds libtorch from (seed, step), so the
     * result is the same as that of an uninterrupted run. Without a checkpoint it starts afresh.
     *
     * <p>A resumed run may change its epochs ({@code TextPretrainConfig.readFrom(runDir)
     * .withEpochs(n)}): from the resume point on it follows the schedule of an {@code n}-epoch
     * run, and its warm-up keeps its length in steps ({@code warmup_fraction} is rescaled). It
     * may also change {@linkplain TextPretrainConfig#withRunSettings how it runs}. The changes
     * are written into {@code config.json} before training goes on (see {@link Resumption}). A
     * run that has trained all its epochs trains nothing and says so
     * ({@link ProgressListener#note}).
     *
     * @param resume continue the run in {@code runDir}, whose {@code config.json} must hold this
     *     config (see {@link TextPretrainConfig#readFrom}) but for the changes above; otherwise
     *     {@code runDir} must not hold a run yet
     * @throws IllegalArgumentException when resuming with a config that changes another setting,
     *     or asks for fewer epochs than the run has trained
     * @throws IOException naming the file when the checkpoint is not this run's (an image
     *     checkpoint, another method or size) or the corpus has changed since the run began
     */
    public Result run(Path runDir, boolean resume) throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            return train(runDir, resume);
        }
    }

    private Result train(Path runDir, boolean resume) throws IOException {
        Path configFile = runDir.resolve(Provenance.CONFIG_FILE);
        Optional<Path> checkpoint = Checkpoints.startingPoint(runDir, resume);
        TorchRuntime.setThreads(config.threads());
        TorchRuntime.setSeed(config.seed());
        long begin = System.nanoTime();
        TextCheckpointState state = null;
        WordPieceTokenizer tokenizer;
        TextPretrainConfig config = this.config;
        TextPretrainConfig saved = null;
        Map<String, Resumption.Change> changes = Map.of();
        if (checkpoint.isPresent()) {
            saved = TextPretrainConfig.readFrom(runDir);
            state = TextCheckpointState.read(checkpoint.get());
            config = checkSameRun(runDir, saved);
            changes = Resumption.changes(runDir, saved, config, state.epoch());
            if (!config.method().equals(state.method())) {
                throw new IOException(checkpoint.get().resolve(Checkpoints.STATE_FILE)
                        + ": a checkpoint of method " + state.method() + ", but the run's "
                        + "config.json trains " + config.method());
            }
            tokenizer = state.loadTokenizer(checkpoint.get());
        } else {
            tokenizer = learnVocabulary();
        }
        TokenizedCorpus.WithText kept = TokenizedCorpus.withText(corpus, tokenizer);
        TokenizedCorpus[] parts = kept.tokens().holdOut(HELD_OUT_EVERY);
        TextMethod method = TextMethods.create(config.method(), config.encoder(tokenizer.vocabularySize()));
        TextExamples train = examples(method, parts[0], tokenizer);
        TextExamples heldOut = examples(method, parts[1], tokenizer);
        // a run begun before epochs were sized in steps has neither in its config.json: it goes
        // on with one pass over the examples an epoch, as it began
        boolean onePass = config.examplesPerEpoch() == null && config.stepsPerEpoch() == null
                && checkpoint.isPresent();
        Sizing sizing = size(config, method, train, onePass);
        config = sizing.config();
        int perEpoch = sizing.perEpoch();
        int stepsPerEpoch = sizing.stepsPerEpoch();
        if (state != null) {
            checkFits(checkpoint.get(), state, method, stepsPerEpoch);
        }
        if (checkpoint.isEmpty()) {
            Json.write(configFile, describe(config, parts, tokenizer));
        } else {
            if (changes.containsKey("epochs") && saved.warmupFraction() != null) {
                config = config.withWarmupFraction(keepWarmupSteps(saved, config.epochs(),
                        stepsPerEpoch));
            }
            Resumption.record(runDir, config, changes, state.step());
        }
        Optional<TrainingLoop.Start> start = state == null ? Optional.empty()
                : Optional.of(new TrainingLoop.Start(checkpoint.get(), state.epoch(), state.step(),
                        state.optimizerUpdates()));
        long totalSteps = (long) config.epochs() * stepsPerEpoch;
        TrainingLoop.Settings settings = new TrainingLoop.Settings(config.epochs(),
                config.learningRate(), Math.round(config.warmupFraction() * totalSteps), "adamw",
                config.weightDecay(), config.seed(), config.keepCheckpoints());
        TextTask task = TextTask.of(config, method, train, heldOut, tokenizer, perEpoch,
                stepsPerEpoch, TextTask.Sentences.of(kept.texts(), HELD_OUT_EVERY), listener);
        ProgressListener progress = new ProgressListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int steps, int done) {
                listener.epochStarted(epoch, epochs, steps, done);
            }

            @Override
            public void stepFinished(long step, double loss, double rate) {
                listener.stepFinished(step, loss, rate);
            }

            @Override
            public void epochTrained(int epoch) {
                listener.epochTrained(epoch);
            }

            @Override
            public void epochFinished(EpochRecord metrics) {
                onEpoch.accept((TextEpochMetrics) metrics);
            }

            @Override
            public void note(String message) {
                listener.note(message);
            }

            @Override
            public void warn(String message) {
                listener.warn(message);
            }
        };
        TrainingLoop.Outcome<TextEpochMetrics> outcome = TrainingLoop.run(runDir, start, task,
                settings, progress);
        return new Result(runDir, outcome.epochs(), (System.nanoTime() - begin) / 1e9,
                outcome.checkpoint(), tokenizer);
    }

    /**
     * The config a new run of this config writes to {@code config.json}, without training: the
     * steps per epoch and the warm-up picked where it leaves them out, as {@link #run} picks them
     * (each pick noted to the listener). Learns the vocabulary to count the training examples.
     */
    public TextPretrainConfig newRunConfig() {
        WordPieceTokenizer tokenizer = learnVocabulary();
        TokenizedCorpus[] parts = TokenizedCorpus.of(corpus, tokenizer).holdOut(HELD_OUT_EVERY);
        TextMethod method = TextMethods.create(config.method(), config.encoder(tokenizer.vocabularySize()));
        return size(config, method, examples(method, parts[0], tokenizer), false).config();
    }

    /**
     * How a run's epochs are sized.
     *
     * @param config the config with the steps per epoch and the warm-up picked
     * @param perEpoch examples an epoch draws
     * @param stepsPerEpoch steps of an epoch
     */
    private record Sizing(TextPretrainConfig config, int perEpoch, int stepsPerEpoch) {}

    /**
     * Sizes the epochs of {@code config} over the {@code train} examples, picking the steps per
     * epoch (unless {@code onePass}: one pass over the examples an epoch) and the warm-up where
     * the config leaves them out, and noting each pick to the listener.
     */
    private Sizing size(TextPretrainConfig config, TextMethod method, TextExamples train,
            boolean onePass) {
        if (config.examplesPerEpoch() == null && config.stepsPerEpoch() == null && !onePass) {
            DataDefaults.Pick pick = TextDefaults.stepsPerEpoch(method.kind(), train.size(),
                    config.batchSize());
            listener.note("defaults for text: " + pick);
            config = config.withStepsPerEpoch((Integer) pick.value());
        }
        int perEpoch;
        int stepsPerEpoch;
        if (config.stepsPerEpoch() != null) {
            stepsPerEpoch = config.stepsPerEpoch();
            perEpoch = (int) Math.min(Integer.MAX_VALUE, (long) stepsPerEpoch * config.batchSize());
        } else {
            perEpoch = usable(method, onePass ? train.size()
                    : Math.min(train.size(), config.examplesPerEpoch()), config.batchSize());
            stepsPerEpoch = (perEpoch + config.batchSize() - 1) / config.batchSize();
        }
        if (perEpoch == 0 || (method.kind() == TextExamples.Kind.CONTRASTIVE && train.size() < 2)) {
            throw new IllegalArgumentException(config.method() + " needs at least 2 training "
                    + "sentences, found " + train.size());
        }
        if (config.warmupFraction() == null) {
            DataDefaults.Pick pick = TextDefaults.warmup((long) config.epochs() * stepsPerEpoch,
                    stepsPerEpoch);
            listener.note("defaults for text: " + pick);
            config = config.withWarmupFraction(((TextDefaults.WarmupValue) pick.value()).fraction());
        }
        return new Sizing(config, perEpoch, stepsPerEpoch);
    }

    /** Learns the vocabulary from the training documents (held-out ones excluded). */
    private WordPieceTokenizer learnVocabulary() {
        List<TextCorpus.Document> trainDocuments = new ArrayList<>();
        for (int d = 0; d < corpus.documents().size(); d++) {
            // a corpus of few documents holds out sentences instead (see TokenizedCorpus.holdOut)
            if (corpus.documents().size() < HELD_OUT_EVERY
                    || d % HELD_OUT_EVERY != HELD_OUT_EVERY / 2) {
                trainDocuments.add(corpus.documents().get(d));
            }
        }
        return new WordPieceTrainer(config.vocabularySize(), 2)
                .train(() -> trainDocuments.stream().flatMap(d -> d.sentences().stream()).iterator());
    }

    /**
     * The warm-up fraction of a run of {@code epochs} epochs whose warm-up is as many steps as
     * that of {@code saved}: when a resumed run changes its epochs, the warm-up keeps its length.
     */
    static double keepWarmupSteps(TextPretrainConfig saved, int epochs, int stepsPerEpoch) {
        // as the schedule computes it: the fraction times the run's steps
        long warmupSteps = Math.round(saved.warmupFraction()
                * ((long) saved.epochs() * stepsPerEpoch));
        // Math.round(fraction * total) gives back warmupSteps exactly (an error below one ulp)
        return warmupSteps / ((double) epochs * stepsPerEpoch);
    }

    /**
     * Refuses to resume on another corpus than the run in {@code runDir} began with (it would
     * silently change the examples). A config that left the steps per epoch or the warm-up to
     * be picked takes the run's picked values; what else may differ from {@code saved} is
     * {@link Resumption}'s to check.
     *
     * @return this trainer's config with the run's picked values
     */
    private TextPretrainConfig checkSameRun(Path runDir, TextPretrainConfig saved)
            throws IOException {
        Path file = runDir.resolve(Provenance.CONFIG_FILE);
        TextPretrainConfig expected = config;
        if (config.stepsPerEpoch() == null && config.examplesPerEpoch() == null
                && saved.stepsPerEpoch() != null) {
            expected = expected.withStepsPerEpoch(saved.stepsPerEpoch());
        }
        if (config.warmupFraction() == null && saved.warmupFraction() != null) {
            expected = expected.withWarmupFraction(saved.warmupFraction());
        }
        String savedCrc = Provenance.read(runDir).path("dataset").path("text_crc32c").asText(null);
        String crc = textCrc32c();
        if (savedCrc != null && !savedCrc.equals(crc)) {
            throw new IOException(file + ": the run began on text with checksum " + savedCrc
                    + ", but " + config.data() + " now has " + crc + "; resuming needs the same text");
        }
        return expected;
    }

    /** Checks that a checkpoint's encoder and step count are those of this run. */
    private void checkFits(Path checkpoint, TextCheckpointState state, TextMethod method,
            int stepsPerEpoch) throws IOException {
        Path file = checkpoint.resolve(Checkpoints.STATE_FILE);
        TextEncoderConfig encoder = method.model().encoder().config();
        if (!encoder.equals(state.encoder())) {
            throw new IOException(file + ": encoder " + state.encoder() + ", but the run's "
                    + "config.json builds " + encoder);
        }
        if (state.step() != (long) state.epoch() * stepsPerEpoch) {
            throw new IOException(file + ": " + state.step() + " steps after " + state.epoch()
                    + " epochs, but this run takes " + stepsPerEpoch + " steps per epoch");
        }
    }

    /**
     * The examples of each step of an epoch sized in steps: an endless stream of passes over the
     * training examples, pass {@code q} in the order {@code Permutations.shuffled(size,
     * Seeds.random(seed, q, -1))}, and step {@code g} (counted over the whole run) takes the
     * stream's places {@code [g * batchSize, (g + 1) * batchSize)}. A step's examples, and their
     * masks and noise (drawn from (seed, pass, example)), depend on (seed, step) alone, so a
     * resumed run draws the same ones; every example is seen once before any is seen again.
     */
    static final class ExampleStream {
        private final int size;
        private final int batchSize;
        private final long seed;
        private long cachedPass = -1;
        private int[] cachedOrder;

        ExampleStream(int size, int batchSize, long seed) {
            if (size <= 0 || batchSize <= 0) {
                throw new IllegalArgumentException("examples and batch size must be > 0, found "
                        + size + " and " + batchSize);
            }
            this.size = size;
            this.batchSize = batchSize;
            this.seed = seed;
        }

        /** Fills {@code ids} and {@code passes} (each {@code batchSize} long) for step {@code step}. */
        void step(long step, int[] ids, long[] passes) {
            long first = step * batchSize;
            for (int i = 0; i < batchSize; i++) {
                long place = first + i;
                long pass = place / size;
                ids[i] = order(pass)[(int) (place % size)];
                passes[i] = pass;
            }
        }

        private int[] order(long pass) {
            if (pass != cachedPass) {
                cachedOrder = Permutations.shuffled(size, Seeds.random(seed, pass, -1));
                cachedPass = pass;
            }
            return cachedOrder;
        }
    }

    private TextExamples examples(TextMethod method, TokenizedCorpus part,
            WordPieceTokenizer tokenizer) {
        return new TextExamples(method.kind(), part, config.maxLength(), tokenizer.vocabularySize(),
                MaskedTokens.bert(), TokenNoise.standard());
    }

    /**
     * How many of {@code count} examples to use in batches of {@code batchSize}: all, but for
     * text-contrastive one fewer when the last batch would hold a single sentence, which has
     * no negatives.
     */
    static int usable(TextMethod method, int count, int batchSize) {
        boolean single = count % batchSize == 1;
        return method.kind() == TextExamples.Kind.CONTRASTIVE && single ? count - 1 : count;
    }

    /**
     * Held-out totals; {@code mostFrequentTargetCount} is how many of the {@code tokenCount}
     * predicted pieces are the most common of them.
     */
    record Score(double tokenLossSum, long tokenCorrect, long tokenCount, long pairCorrect,
            long pairCount, long mostFrequentTargetCount) {}

    /**
     * Scores the first {@code limit} held-out examples without dropout; their masks and noise are
     * the same every epoch.
     */
    static Score score(TextMethod method, TextExamples examples, int limit, int batchSize,
            long seed, NDManager modelManager) {
        int n = usable(method, Math.min(limit, examples.size()), batchSize);
        double lossSum = 0;
        long correct = 0;
        long count = 0;
        long pairCorrect = 0;
        long pairCount = 0;
        Map<Integer, Long> targets = new HashMap<>();
        long heldOutSeed = Seeds.derive(seed, 0x48454c44L); // "HELD"
        for (int from = 0; from < n; from += batchSize) {
            int[] ids = new int[Math.min(batchSize, n - from)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = from + i;
            }
            TextBatch batch = examples.batch(ids, heldOutSeed, 0);
            for (int target : batch.targetIds()) {
                targets.merge(target, 1L, Long::sum);
            }
            try (NDManager scratch = modelManager.newSubManager()) {
                TextMethod.Output output = method.loss(new ParameterStore(scratch, false), batch,
                        scratch, false);
                lossSum += output.tokenLossSum();
                correct += output.tokenCorrect();
                count += output.tokenCount();
                pairCorrect += output.pairCorrect();
                pairCount += output.pairCount();
            }
        }
        long mostFrequent = targets.values().stream().mapToLong(Long::longValue).max().orElse(0);
        return new Score(lossSum, correct, count, pairCorrect, pairCount, mostFrequent);
    }

    /** CRC32C of the corpus's sentences, each followed by a newline, as 8 hex digits. */
    private String textCrc32c() {
        CRC32C crc = new CRC32C();
        for (TextCorpus.Document document : corpus.documents()) {
            for (String sentence : document.sentences()) {
                crc.update(sentence.getBytes(StandardCharsets.UTF_8));
                crc.update('\n');
            }
        }
        return String.format("%08x", crc.getValue());
    }

    private Map<String, Object> describe(TextPretrainConfig config, TokenizedCorpus[] parts,
            WordPieceTokenizer tokenizer) {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", corpus.name());
        dataset.put("documents", corpus.documents().size());
        dataset.put("sentences", corpus.sentenceCount());
        dataset.put("characters", corpus.characterCount());
        dataset.put("text_crc32c", textCrc32c());
        dataset.put("train_documents", parts[0].documents().size());
        dataset.put("held_out_documents", parts[1].documents().size());
        dataset.put("train_pieces", parts[0].tokenCount());
        dataset.put("vocabulary_size", tokenizer.vocabularySize());
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("config", config);
        document.put("dataset", dataset);
        document.put("versions", Provenance.versions());
        document.put("environment", Provenance.environment());
        document.put("created", java.time.Instant.now().toString());
        return document;
    }
}
