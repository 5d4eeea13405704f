package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.loss.MaskedTokenLoss;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.nn.StagingBuffer;
import dev.selfsup.nn.TextEncoderConfig;
import dev.selfsup.nn.TextModel;
import dev.selfsup.nn.TransformerEncoder;

/**
 * A self-supervised text method: which examples it trains on ({@link TextExamples.Kind}), the
 * {@link TextModel} with the heads it needs, and its loss.
 * <ul>
 *   <li>{@code mlm}: masked-token cross-entropy on the chosen positions (BERT,
 *       https://arxiv.org/abs/1810.04805);</li>
 *   <li>{@code nsp}: next-sentence cross-entropy from {@link dev.selfsup.nn.NextSentenceHead};</li>
 *   <li>{@code mlm+nsp}: their sum, BERT's pre-training loss;</li>
 *   <li>{@code text-autoencoder}: the sentence is rebuilt from the mean-pooled vector of its
 *       noisy copy (TSDAE-style, https://arxiv.org/abs/2104.06979), cross-entropy over every
 *       original piece;</li>
 *   <li>{@code text-contrastive}: SimCLR on sentences. Two noisy copies of each sentence (pieces
 *       deleted, masked and shuffled, as the autoencoder's input, plus dropout, as SimCSE,
 *       https://arxiv.org/abs/2104.08821), mean-pooled, through a projection head, and
 *       {@link NtXentLoss} at SimCSE's temperature 0.05. Held out, it scores how often a view's
 *       nearest other view is its partner.</li>
 * </ul>
 */
public final class TextMethod {
    /** SimCSE's temperature (Gao et al. 2021, section 3). */
    public static final double CONTRASTIVE_TEMPERATURE = 0.05;

    private static final NtXentLoss CONTRASTIVE_LOSS = new NtXentLoss(CONTRASTIVE_TEMPERATURE);

    private final String name;
    private final TextExamples.Kind kind;
    private final TextModel model;

    /**
     * @param name the registry name
     * @param kind the examples it trains on
     * @param config the encoder's size
     */
    public TextMethod(String name, TextExamples.Kind kind, TextEncoderConfig config) {
        this.name = name;
        this.kind = kind;
        this.model = new TextModel(config, kind == TextExamples.Kind.MLM
                || kind == TextExamples.Kind.MLM_NSP, kind == TextExamples.Kind.NSP
                || kind == TextExamples.Kind.MLM_NSP, kind == TextExamples.Kind.AUTOENCODER,
                kind == TextExamples.Kind.CONTRASTIVE);
    }

    public String name() {
        return name;
    }

    public TextExamples.Kind kind() {
        return kind;
    }

    public TextModel model() {
        return model;
    }

    /**
     * The loss of a batch and what it got right.
     *
     * @param loss the scalar to minimise
     * @param tokenLossSum summed cross-entropy over predicted pieces (masked or rebuilt)
     * @param tokenCorrect predicted pieces whose top score was right
     * @param tokenCount predicted pieces
     * @param pairCorrect sentence pairs classified right (nsp), or views whose nearest other
     *     view is their partner (text-contrastive, only when not training)
     * @param pairCount sentence pairs, or views
     */
    public record Output(NDArray loss, double tokenLossSum, long tokenCorrect, long tokenCount,
            long pairCorrect, long pairCount) {}

    /** The batch as arrays in {@code manager}: pieces, segments, mask. */
    public static NDList inputs(TextBatch batch, NDManager manager) {
        return inputs(batch, manager, new StagingBuffer());
    }

    /** The batch as arrays in {@code manager}, made through {@code staging}. */
    private static NDList inputs(TextBatch batch, NDManager manager, StagingBuffer staging) {
        Shape shape = new Shape(batch.rows(), batch.length());
        return new NDList(staging.ints(manager, batch.tokens(), shape),
                staging.ints(manager, batch.types(), shape),
                staging.floats(manager, batch.attention(), shape));
    }

    /** Forward pass and loss of one batch, all arrays in {@code manager}. */
    public Output loss(ParameterStore parameterStore, TextBatch batch, NDManager manager,
            boolean training) {
        return loss(parameterStore, batch, manager, training, new StagingBuffer());
    }

    /**
     * Forward pass and loss of one batch, all arrays in {@code manager}, the batch's Java arrays
     * copied in through {@code staging} (reset by the caller once the previous batch's arrays are
     * closed).
     */
    public Output loss(ParameterStore parameterStore, TextBatch batch, NDManager manager,
            boolean training, StagingBuffer staging) {
        NDList inputs = inputs(batch, manager, staging);
        NDArray hidden = model.encoder().forward(parameterStore, inputs, training).head();
        int width = model.encoder().config().width();
        NDArray table = parameterStore.getValue(model.encoder().pieceEmbedding(),
                hidden.getDevice(), training);
        NDArray total = null;
        double tokenLossSum = 0;
        long tokenCorrect = 0;
        long tokenCount = batch.targetIds().length;
        long pairCorrect = 0;
        long pairCount = 0;
        if (kind != TextExamples.Kind.NSP && tokenCount > 0) {
            NDArray source = hidden;
            if (kind == TextExamples.Kind.AUTOENCODER) {
                NDArray code = TransformerEncoder.pool(hidden, inputs.get(2), false); // (batch, width)
                source = model.decoder().forward(parameterStore,
                        new NDList(code, inputs.get(2)), training).head();
            }
            NDArray flat = source.reshape(-1, width); // (batch * length, width)
            NDArray positions = staging.longs(manager, batch.targetPositions(),
                    new Shape(tokenCount));
            NDArray chosen = flat.get(new NDIndex("{}", positions)); // (count, width)
            NDArray targets = staging.longs(manager, batch.targetIds(),
                    new Shape(tokenCount));
            var head = kind == TextExamples.Kind.AUTOENCODER ? model.decoderHead()
                    : model.maskedTokenHead();
            NDArray logits = head.forward(parameterStore, new NDList(chosen, table), training).head();
            NDArray perRow = MaskedTokenLoss.perRow(logits, targets);
            total = perRow.mean();
            tokenLossSum = perRow.sum().getFloat();
            tokenCorrect = MaskedTokenLoss.correct(logits, targets);
        }
        if (kind == TextExamples.Kind.CONTRASTIVE) {
            NDArray pooled = TransformerEncoder.pool(hidden, inputs.get(2), false); // (2n, width)
            NDArray projected = model.projectionHead().forward(parameterStore,
                    new NDList(pooled), training).head(); // (2n, width)
            long n = batch.rows() / 2;
            total = CONTRASTIVE_LOSS.compute(
                    projected.get(new NDIndex(":{}", n)), projected.get(new NDIndex("{}:", n)));
            if (!training) {
                pairCorrect = partnersFound(projected.toFloatArray(), batch.rows(), width);
                pairCount = batch.rows();
            }
        }
        if (batch.nextSentenceLabels() != null) {
            NDArray logits = model.nextSentenceHead().forward(parameterStore,
                    new NDList(hidden, inputs.get(1), inputs.get(2)), training).head(); // (batch, 2)
            NDArray labels = staging.longs(manager, batch.nextSentenceLabels(),
                    new Shape(batch.rows()));
            NDArray pairLoss = MaskedTokenLoss.loss(logits, labels);
            total = total == null ? pairLoss : total.add(pairLoss);
            pairCorrect = MaskedTokenLoss.correct(logits, labels);
            pairCount = batch.rows();
        }
        if (total == null) {
            total = manager.zeros(new Shape(), DataType.FLOAT32);
        }
        return new Output(total, tokenLossSum, tokenCorrect, tokenCount, pairCorrect, pairCount);
    }

    /**
     * Rows of {@code vectors} {@code (rows, width)} whose most cosine-similar other row is their
     * partner (row {@code i} and row {@code rows / 2 + i} are two views of one example).
     */
    static long partnersFound(float[] vectors, int rows, int width) {
        float[] unit = new FeatureMatrix(vectors, rows, width).l2Normalized().values();
        int half = rows / 2;
        long found = 0;
        for (int r = 0; r < rows; r++) {
            int best = -1;
            double bestSimilarity = Double.NEGATIVE_INFINITY;
            for (int o = 0; o < rows; o++) {
                if (o == r) {
                    continue;
                }
                double similarity = 0; // cosine
                for (int j = 0; j < width; j++) {
                    similarity += (double) unit[r * width + j] * unit[o * width + j];
                }
                if (similarity > bestSimilarity) {
                    bestSimilarity = similarity;
                    best = o;
                }
            }
            if (best == (r < half ? r + half : r - half)) {
                found++;
            }
        }
        return found;
    }
}
