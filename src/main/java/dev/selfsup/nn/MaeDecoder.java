package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MAE's light decoder (He et al. 2021, https://arxiv.org/abs/2111.06377): the encoder's tokens of
 * the visible patches are mapped to the decoder's width, a shared learned mask token stands in
 * for every hidden patch, the tokens are put back in image order, fixed 2-D sine-cosine position
 * embeddings are added, and a few pre-norm {@link TransformerLayer}s and a linear layer predict
 * each patch's {@code C * p * p} values.
 *
 * <p>Inputs: the encoder's output {@code (batch, 1 + visible, encoderDim)} (class token first)
 * and the order that restores the image {@code (batch, patches)} (int64: position {@code j} of
 * the image takes token {@code restore[j]} of [visible tokens, then mask tokens]); output
 * {@code (batch, patches, C * p * p)}.
 */
public final class MaeDecoder extends AbstractBlock {
    private final VisionTransformer.Config encoder;
    private final int dim;
    private final Linear embed;
    private final Parameter maskToken;
    private final ConstantArray positions;
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear prediction;

    /**
     * @param encoder the encoder's shape (patch grid and patch volume)
     * @param dim the decoder's width, a multiple of 4 and of {@code heads}
     * @param depth decoder layers
     * @param heads attention heads
     */
    public MaeDecoder(VisionTransformer.Config encoder, int dim, int depth, int heads) {
        if (dim <= 0 || heads <= 0 || dim % heads != 0 || dim % 4 != 0 || depth <= 0) {
            throw new IllegalArgumentException("decoder needs dim a positive multiple of 4 and of "
                    + "heads, and depth > 0; found dim " + dim + ", heads " + heads + ", depth "
                    + depth);
        }
        this.encoder = encoder;
        this.dim = dim;
        embed = addChildBlock("embed", Linear.builder().setUnits(dim).build());
        maskToken = addParameter(Parameter.builder().setName("mask_token")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(1, 1, dim))
                .optInitializer(new NormalInitializer(0.02f)).build());
        positions = new ConstantArray(VisionTransformer.sineCosinePositions(dim,
                encoder.gridHeight(), encoder.gridWidth()),
                new Shape(1, encoder.patchCount() + 1, dim));
        for (int i = 0; i < depth; i++) {
            layers.add(addChildBlock("layer_" + i, new TransformerLayer(dim, heads, 0f, true)));
        }
        norm = addChildBlock("norm", LayerNorm.builder().axis(2).build());
        prediction = addChildBlock("prediction",
                Linear.builder().setUnits(encoder.patchVolume()).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray encoded = inputs.get(0);
        NDArray restore = inputs.get(1);
        long batch = encoded.getShape().get(0);
        long visible = encoded.getShape().get(1) - 1;
        int patches = encoder.patchCount();
        NDArray y = embed.forward(ps, new NDList(encoded), training).head(); // (batch, 1 + visible, dim)
        NDArray masks = Temporaries.inManagerOf(ps.getValue(maskToken, y.getDevice(), training)
                .repeat(0, batch), y).repeat(1, patches - visible); // (batch, hidden, dim)
        NDArray shuffled = y.get(new NDIndex(":, 1:, :")).concat(masks, 1); // (batch, patches, dim)
        NDArray ordered = shuffled.gather(restore.expandDims(2).repeat(2, dim), 1); // (batch, patches, dim)
        NDArray x = y.get(new NDIndex(":, :1, :")).concat(ordered, 1) // (batch, 1 + patches, dim)
                .add(positions.in(y.getManager()));
        for (TransformerLayer layer : layers) {
            x = layer.forward(ps, new NDList(x), training).head();
        }
        x = norm.forward(ps, new NDList(x), training).head();
        return new NDList(prediction.forward(ps, new NDList(x), training).head()
                .get(new NDIndex(":, 1:, :"))); // (batch, patches, C * p * p)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), encoder.patchCount(),
                encoder.patchVolume())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        embed.initialize(manager, dataType, new Shape(batch, 2, encoder.dim()));
        Shape hidden = new Shape(batch, encoder.patchCount() + 1, dim);
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        norm.initialize(manager, dataType, hidden);
        prediction.initialize(manager, dataType, hidden);
    }
}
