package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.method.TextMethod;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.Arrays;
import java.util.Iterator;
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
        TextPretrainer.ExampleStream stream) implements TrainingTask<TextEpochMetrics> {
    /**
     * The task; the run's examples form one endless stream when epochs are sized in steps.
     *
     * @param perEpoch examples an epoch draws
     * @param stepsPerEpoch steps of an epoch
     */
    static TextTask of(TextPretrainConfig config, TextMethod method, TextExamples train,
            TextExamples heldOut, WordPieceTokenizer tokenizer, int perEpoch, int stepsPerEpoch) {
        return new TextTask(config, method, train, heldOut, tokenizer, perEpoch, stepsPerEpoch,
                config.stepsPerEpoch() == null ? null
                        : new TextPretrainer.ExampleStream(train.size(), config.batchSize(),
                                config.seed()));
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
                return TrainingStep.textBatch(method, batch);
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
