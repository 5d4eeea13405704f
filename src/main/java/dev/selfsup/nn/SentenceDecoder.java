package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The decoder of the denoising text autoencoder: from one sentence vector it rebuilds the hidden
 * state of every position, to be scored against the vocabulary. As in TSDAE (Wang et al. 2021,
 * https://arxiv.org/abs/2104.06979) the decoder sees nothing but the sentence vector, so the
 * vector must carry the sentence; here the decoder is non-autoregressive (the vector plus a
 * learned position embedding, through {@link TransformerLayer}s), which keeps it small.
 *
 * <p>Inputs: the sentence vector {@code (batch, width)} and a dummy {@code (batch, length)} array
 * giving the length; output {@code (batch, length, width)}.
 */
public final class SentenceDecoder extends AbstractBlock {
    private final int width;
    private final Parameter positionEmbedding;
    private final LayerNorm norm;
    private final List<TransformerLayer> layers = new ArrayList<>();

    public SentenceDecoder(int width, int heads, int layerCount, int maxLength, float dropout) {
        this.width = width;
        positionEmbedding = addParameter(Parameter.builder().setName("position_embedding")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(maxLength, width))
                .optInitializer(new NormalInitializer(0.02f)).build());
        norm = addChildBlock("norm", LayerNorm.builder().axis(2).build());
        for (int i = 0; i < layerCount; i++) {
            layers.add(addChildBlock("layer_" + i, new TransformerLayer(width, heads, dropout)));
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray code = inputs.get(0);
        long batch = code.getShape().get(0);
        long length = inputs.get(1).getShape().get(1);
        NDArray positions = Temporaries.inManagerOf(
                ps.getValue(positionEmbedding, code.getDevice(), training)
                        .get(new NDIndex(":{}", length)), code); // (length, width)
        NDArray x = code.expandDims(1).add(positions); // (batch, length, width)
        x = norm.forward(ps, new NDList(x), training).head();
        NDArray offset = code.getManager().zeros(new Shape(batch, 1, 1, length));
        for (TransformerLayer layer : layers) {
            x = layer.forward(ps, new NDList(x, offset), training).head();
        }
        return new NDList(x);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), inputShapes[1].get(1), width)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape hidden = new Shape(inputShapes[0].get(0), inputShapes[1].get(1), width);
        norm.initialize(manager, dataType, hidden);
        Shape offset = new Shape(inputShapes[0].get(0), 1, 1, inputShapes[1].get(1));
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden, offset);
        }
    }
}
