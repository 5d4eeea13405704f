package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * A BERT-style Transformer encoder (Devlin et al. 2018, https://arxiv.org/abs/1810.04805;
 * Vaswani et al. 2017, https://arxiv.org/abs/1706.03762): piece, segment and learned position
 * embeddings, summed and layer-normalised, then {@link TransformerLayer}s (post-norm
 * self-attention, GELU feed-forward of 4x the width). Padding is masked out of attention.
 *
 * <p>Inputs: piece ids {@code (batch, length)} (int32), segment ids {@code (batch, length)}
 * (int32) and the attention mask {@code (batch, length)} (float, 1 = real piece); output:
 * {@code (batch, length, width)}. {@code length} may be anything up to the configured maximum.
 */
public final class TransformerEncoder extends AbstractBlock {
    private final TextEncoderConfig config;
    private final Parameter pieceEmbedding;
    private final Parameter segmentEmbedding;
    private final Parameter positionEmbedding;
    private final LayerNorm embeddingNorm;
    private final Dropout embeddingDropout;
    private final List<TransformerLayer> layers = new ArrayList<>();

    public TransformerEncoder(TextEncoderConfig config) {
        this.config = config;
        NormalInitializer normal = new NormalInitializer(0.02f);
        pieceEmbedding = addParameter(Parameter.builder().setName("piece_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.vocabularySize(), config.width()))
                .optInitializer(normal).build());
        segmentEmbedding = addParameter(Parameter.builder().setName("segment_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(2, config.width()))
                .optInitializer(normal).build());
        positionEmbedding = addParameter(Parameter.builder().setName("position_embedding")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(config.maxLength(), config.width()))
                .optInitializer(normal).build());
        embeddingNorm = addChildBlock("embedding_norm", LayerNorm.builder().axis(2).build());
        embeddingDropout = addChildBlock("embedding_dropout",
                Dropout.builder().optRate(config.dropout()).build());
        for (int i = 0; i < config.layers(); i++) {
            layers.add(addChildBlock("layer_" + i,
                    new TransformerLayer(config.width(), config.heads(), config.dropout())));
        }
    }

    public TextEncoderConfig config() {
        return config;
    }

    /** The piece embedding table {@code (vocabulary, width)}, shared with output heads. */
    public Parameter pieceEmbedding() {
        return pieceEmbedding;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray pieces = inputs.get(0);
        NDArray segments = inputs.get(1);
        NDArray mask = inputs.get(2);
        long length = pieces.getShape().get(1);
        if (length > config.maxLength()) {
            throw new IllegalArgumentException("sequence length must be <= " + config.maxLength()
                    + ", found " + length);
        }
        var device = pieces.getDevice();
        NDArray table = parameterStore.getValue(pieceEmbedding, device, training);
        NDArray embedded = Embedding.embedding(pieces, table, SparseFormat.DENSE).head(); // (batch, length, width)
        embedded = embedded.add(Embedding.embedding(segments,
                parameterStore.getValue(segmentEmbedding, device, training), SparseFormat.DENSE).head());
        NDArray positions = Temporaries.inManagerOf(
                parameterStore.getValue(positionEmbedding, device, training)
                        .get(new NDIndex(":{}", length)), pieces); // (length, width), broadcast
        NDArray x = embedded.add(positions);
        x = embeddingNorm.forward(parameterStore, new NDList(x), training).head();
        x = embeddingDropout.forward(parameterStore, new NDList(x), training).head();
        NDArray offset = TransformerLayer.attentionOffset(mask); // (batch, 1, 1, length)
        for (TransformerLayer layer : layers) {
            x = layer.forward(parameterStore, new NDList(x, offset), training).head();
        }
        return new NDList(x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), in.get(1), config.width())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(inputShapes[0].get(0), inputShapes[0].get(1), config.width());
        embeddingNorm.initialize(manager, dataType, hidden);
        embeddingDropout.initialize(manager, dataType, hidden);
        Shape offset = new Shape(inputShapes[0].get(0), 1, 1, inputShapes[0].get(1));
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, offset);
        }
    }

    /**
     * Sentence embeddings from the encoder's output: the mean over real pieces, or the
     * {@code [CLS]} position's vector.
     *
     * @param hidden {@code (batch, length, width)}
     * @param mask {@code (batch, length)}, 1 = real piece
     * @return {@code (batch, width)}
     */
    public static NDArray pool(NDArray hidden, NDArray mask, boolean cls) {
        if (cls) {
            return hidden.get(new NDIndex(":, 0, :"));
        }
        NDArray weights = mask.expandDims(2); // (batch, length, 1)
        NDArray sum = hidden.mul(weights).sum(new int[] {1}); // (batch, width)
        NDArray count = weights.sum(new int[] {1}).maximum(1f); // (batch, 1)
        return sum.div(count);
    }
}
