package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.data.text.TokenizedCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.method.TextMethod;
import dev.selfsup.report.EmbeddingPictures;
import dev.selfsup.report.NearestSentences;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Text in the {@link TrainingLoop}: batches of a {@link TextMethod}'s examples (masked, noised
 * or paired as the method needs), and after an epoch the held-out scores (masked or
 * reconstruction accuracy, perplexity, next-sentence or view accuracy, and the most frequent
 * piece's rate beside them). Checkpoints keep the vocabulary ({@code tokenizer.json}).
 */
record TextTask(TextPretrainConfig config, TextMethod method, TextExamples train,
        TextExamples heldOut, WordPieceTokenizer tokenizer, int perEpoch, int stepsPerEpoch,
        TextPretrainer.ExampleStream stream, Sentences sentences, ProgressListener listener,
        TrainingStep.TextInput input)
        implements TrainingTask<TextEpochMetrics> {
    /** Held-out sentences on the embedding map, at most. */
    static final int MAP_SENTENCES = 1000;
    /** Training sentences searched for the held-out sentences' neighbours, at most. */
    static final int BANK_SENTENCES = 2000;
    /** Held-out sentences shown with their neighbours. */
    static final int QUERIES = 6;
    /** Neighbours shown per held-out sentence. */
    static final int NEIGHBOURS = 5;

    /** A sentence's text and its document's index in the corpus (as tokenized). */
    record Sentence(String text, int document) {}

    /**
     * The corpus's sentences as text, split into training and held-out documents exactly as
     * their tokenized forms are.
     */
    record Sentences(List<List<Sentence>> train, List<List<Sentence>> heldOut) {
        static Sentences of(List<List<String>> kept, int heldOutEvery) {
            List<List<Sentence>> documents = new ArrayList<>();
            for (int d = 0; d < kept.size(); d++) {
                int document = d;
                documents.add(kept.get(d).stream().map(text -> new Sentence(text, document))
                        .toList());
            }
            List<List<List<Sentence>>> parts = TokenizedCorpus.holdOut(documents, heldOutEvery);
            return new Sentences(parts.get(0), parts.get(1));
        }

        /** At most {@code count} sentences, evenly spaced over all of {@code documents}. */
        static List<Sentence> spread(List<List<Sentence>> documents, int count) {
            List<Sentence> all = documents.stream().flatMap(List::stream).toList();
            if (all.size() <= count) {
                return all;
            }
            List<Sentence> picked = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                picked.add(all.get((int) ((long) i * all.size() / count)));
            }
            return picked;
        }
    }
    /**
     * The task; the run's examples form one endless stream when epochs are sized in steps.
     *
     * @param perEpoch examples an epoch draws
     * @param stepsPerEpoch steps of an epoch
     * @param listener hears of slow pictures (a t-SNE map)
     */
    static TextTask of(TextPretrainConfig config, TextMethod method, TextExamples train,
            TextExamples heldOut, WordPieceTokenizer tokenizer, int perEpoch, int stepsPerEpoch,
            Sentences sentences, ProgressListener listener) {
        return new TextTask(config, method, train, heldOut, tokenizer, perEpoch, stepsPerEpoch,
                config.stepsPerEpoch() == null ? null
                        : new TextPretrainer.ExampleStream(train.size(), config.batchSize(),
                                config.seed()), sentences, listener,
                new TrainingStep.TextInput(method));
    }

    @Override
    public Block model() {
        return method.model();
    }

    @Override
    public void initialize(NDManager modelManager) {
        method.model().initialize(modelManager, config.batchSize());
    }

    @Override
    public Class<TextEpochMetrics> metricsType() {
        return TextEpochMetrics.class;
    }

    /**
     * {@code stepsPerEpoch} steps over the stream when there is one (an epoch sized in steps),
     * else over a new random order of the examples, the first {@code perEpoch} of them.
     */
    @Override
    public Iterator<TrainingStep.Batch> batches(int epoch, long firstStep) {
        int[] order = stream != null ? null
                : Permutations.shuffled(train.size(), Seeds.random(config.seed(), epoch, -1));
        int[] streamIds = new int[config.batchSize()];
        long[] streamPasses = new long[config.batchSize()];
        return new Iterator<>() {
            private int s;

            @Override
            public boolean hasNext() {
                return s < stepsPerEpoch;
            }

            @Override
            public TrainingStep.Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TextBatch batch;
                if (stream != null) {
                    stream.step(firstStep + s, streamIds, streamPasses);
                    batch = train.batch(streamIds, config.seed(), streamPasses);
                } else {
                    int[] ids = Arrays.copyOfRange(order, s * config.batchSize(),
                            Math.min(perEpoch, (s + 1) * config.batchSize()));
                    batch = train.batch(ids, config.seed(), epoch);
                }
                s++;
                return input.batch(batch);
            }
        };
    }

    @Override
    public TextEpochMetrics finishEpoch(TrainingTask.EpochTotals totals, NDManager modelManager) {
        TextPretrainer.Score score = TextPretrainer.score(method, heldOut,
                config.heldOutExamples(), config.batchSize(), config.seed(), modelManager);
        boolean autoencoder = method.kind() == TextExamples.Kind.AUTOENCODER;
        boolean contrastive = method.kind() == TextExamples.Kind.CONTRASTIVE;
        boolean pairs = score.pairCount() > 0;
        Double tokenAccuracy = score.tokenCount() == 0 ? null
                : (double) score.tokenCorrect() / score.tokenCount();
        return new TextEpochMetrics(totals.epoch(), totals.step(), totals.meanLoss(),
                totals.learningRate(), perEpoch / totals.seconds(), totals.seconds(),
                autoencoder ? null : tokenAccuracy, autoencoder ? tokenAccuracy : null,
                score.tokenCount() == 0 ? null
                        : Math.exp(score.tokenLossSum() / score.tokenCount()),
                pairs && !contrastive ? (double) score.pairCorrect() / score.pairCount() : null,
                pairs && contrastive ? (double) score.pairCorrect() / score.pairCount() : null,
                score.tokenCount() == 0 ? null
                        : (double) score.mostFrequentTargetCount() / score.tokenCount());
    }

    /**
     * The text runs' pictures: held-out sentences embedded by the encoder of this epoch, mapped
     * coloured by document on their first two principal components
     * ({@code pictures/embedding-map.png}) and, when one is due, by t-SNE
     * ({@code pictures/embedding-tsne.png}; see {@link EmbeddingPictures#writeMaps}), and the
     * nearest training sentences of a few of them ({@link NearestSentences}). Mean-pooled
     * features, as {@code selfsup embed} gives by default.
     */
    @Override
    public void afterCheckpoint(Path runDir, int epoch, NDManager modelManager) throws IOException {
        List<Sentence> held = Sentences.spread(sentences.heldOut(), MAP_SENTENCES);
        List<Sentence> bank = Sentences.spread(sentences.train(), BANK_SENTENCES);
        if (held.isEmpty() || bank.isEmpty()) {
            return;
        }
        TextEncoder encoder = new TextEncoder(tokenizer, method.model(), method.name());
        try (NDManager manager = modelManager.newSubManager()) {
            FeatureMatrix queries = encoder.embed(texts(held), manager);
            FeatureMatrix found = encoder.embed(texts(bank), manager);
            List<Integer> documents = held.stream().map(Sentence::document).distinct().sorted()
                    .toList();
            int[] labels = held.stream().mapToInt(s -> documents.indexOf(s.document())).toArray();
            EmbeddingPictures.writeMaps(runDir.resolve(ReportWriter.PICTURES_DIRECTORY),
                    queries, labels, documents.stream().map(TextTask::documentName).toList(),
                    "held-out sentences", epoch + 1, config.epochs(), listener::note);
            NearestSentences.find(epoch + 1, queries, texts(held), names(held), found,
                    texts(bank), names(bank), QUERIES, NEIGHBOURS).write(runDir);
        }
    }

    private static List<String> texts(List<Sentence> sentences) {
        return sentences.stream().map(Sentence::text).toList();
    }

    private static List<String> names(List<Sentence> sentences) {
        return sentences.stream().map(s -> documentName(s.document())).toList();
    }

    private static String documentName(int document) {
        return "document " + (document + 1);
    }

    @Override
    public Object checkpointState(int epoch, long step, long optimizerUpdates) {
        return new TextCheckpointState(TextCheckpointState.TEXT, epoch, step, optimizerUpdates,
                method.name(), method.model().encoder().config());
    }

    @Override
    public Map<String, byte[]> checkpointFiles() throws java.io.IOException {
        return Map.of(WordPieceTokenizer.FILE_NAME, tokenizer.toJson());
    }
}
