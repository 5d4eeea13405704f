package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * One post-norm Transformer encoder layer as in BERT (https://arxiv.org/abs/1810.04805):
 * {@code x = LayerNorm(x + Dropout(MultiHeadSelfAttention(x)))}, then
 * {@code x = LayerNorm(x + Dropout(W2 GELU(W1 x)))} with a feed-forward 4x the width.
 *
 * <p>Inputs: {@code x (batch, length, width)} and an additive attention offset
 * {@code (batch, 1, 1, length)} (0 for real keys, a large negative number for padding); output
 * {@code (batch, length, width)}.
 */
public final class TransformerLayer extends AbstractBlock {
    private final int width;
    private final int heads;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear output;
    private final Dropout attentionDropout;
    private final Dropout residualDropout;
    private final LayerNorm attentionNorm;
    private final Linear expand;
    private final Linear contract;
    private final LayerNorm feedForwardNorm;

    /**
     * @param width model width, divisible by {@code heads}
     * @param heads attention heads
     * @param dropout rate of attention-probability and residual dropout
     */
    public TransformerLayer(int width, int heads, float dropout) {
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of heads, found "
                    + width + " and " + heads);
        }
        this.width = width;
        this.heads = heads;
        query = addChildBlock("query", Linear.builder().setUnits(width).build());
        key = addChildBlock("key", Linear.builder().setUnits(width).build());
        value = addChildBlock("value", Linear.builder().setUnits(width).build());
        output = addChildBlock("output", Linear.builder().setUnits(width).build());
        attentionDropout = addChildBlock("attention_dropout", Dropout.builder().optRate(dropout).build());
        residualDropout = addChildBlock("residual_dropout", Dropout.builder().optRate(dropout).build());
        attentionNorm = addChildBlock("attention_norm", LayerNorm.builder().axis(2).build());
        expand = addChildBlock("expand", Linear.builder().setUnits(4L * width).build());
        contract = addChildBlock("contract", Linear.builder().setUnits(width).build());
        feedForwardNorm = addChildBlock("feed_forward_norm", LayerNorm.builder().axis(2).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray offset = inputs.get(1);
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = width / heads;
        NDArray q = heads(query.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray k = heads(key.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray v = heads(value.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray scores = Scalars.times(q.matMul(k.transpose(0, 1, 3, 2)), // (batch, heads, length, length)
                (float) (1 / Math.sqrt(headWidth))).add(offset);
        NDArray probabilities = attentionDropout.forward(ps, new NDList(scores.softmax(3)), training)
                .head();
        NDArray attended = probabilities.matMul(v) // (batch, heads, length, headWidth)
                .transpose(0, 2, 1, 3) // (batch, length, heads, headWidth)
                .reshape(batch, length, width); // (batch, length, width)
        NDArray projected = output.forward(ps, new NDList(attended), training).head();
        projected = residualDropout.forward(ps, new NDList(projected), training).head();
        x = attentionNorm.forward(ps, new NDList(x.add(projected)), training).head();
        NDArray hidden = Activation.gelu(expand.forward(ps, new NDList(x), training).head());
        NDArray back = contract.forward(ps, new NDList(hidden), training).head();
        back = residualDropout.forward(ps, new NDList(back), training).head();
        return new NDList(feedForwardNorm.forward(ps, new NDList(x.add(back)), training).head());
    }

    /** {@code (batch, length, width)} to {@code (batch, heads, length, headWidth)}. */
    private NDArray heads(NDArray projected, long batch, long length, long headWidth) {
        return projected.reshape(batch, length, heads, headWidth).transpose(0, 2, 1, 3);
    }

    /**
     * The additive attention offset for a padding mask.
     *
     * @param mask {@code (batch, length)}, 1 = real piece, 0 = padding
     * @return {@code (batch, 1, 1, length)}: 0 where real, -10000 where padding
     */
    public static NDArray attentionOffset(NDArray mask) {
        long batch = mask.getShape().get(0);
        long length = mask.getShape().get(1);
        return mask.sub(1f).mul(10000f).reshape(batch, 1, 1, length);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        for (Linear linear : new Linear[] {query, key, value, output, expand}) {
            linear.initialize(manager, dataType, in);
        }
        contract.initialize(manager, dataType, new Shape(in.get(0), in.get(1), 4L * width));
        attentionNorm.initialize(manager, dataType, in);
        feedForwardNorm.initialize(manager, dataType, in);
        attentionDropout.initialize(manager, dataType, in);
        residualDropout.initialize(manager, dataType, in);
    }
}
