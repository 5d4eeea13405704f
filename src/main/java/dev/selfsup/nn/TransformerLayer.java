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
 * One Transformer encoder layer, post-norm as in BERT (https://arxiv.org/abs/1810.04805):
 * {@code x = LayerNorm(x + Dropout(MultiHeadSelfAttention(x)))}, then
 * {@code x = LayerNorm(x + Dropout(W2 GELU(W1 x)))} with a feed-forward 4x the width; or pre-norm
 * as in the Vision Transformer (https://arxiv.org/abs/2010.11929):
 * {@code x = x + Dropout(MultiHeadSelfAttention(LayerNorm(x)))}, then
 * {@code x = x + Dropout(W2 GELU(W1 LayerNorm(x)))}. Both have the same parameters, under the
 * same names.
 *
 * <p>Inputs: {@code x (batch, length, width)} and, optionally, an additive attention offset
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
    private final boolean preNorm;

    /**
     * A post-norm (BERT) layer.
     *
     * @param width model width, divisible by {@code heads}
     * @param heads attention heads
     * @param dropout rate of attention-probability and residual dropout
     */
    public TransformerLayer(int width, int heads, float dropout) {
        this(width, heads, dropout, false);
    }

    /**
     * @param width model width, divisible by {@code heads}
     * @param heads attention heads
     * @param dropout rate of attention-probability and residual dropout
     * @param preNorm layer normalisation before each sub-layer (ViT) instead of after the
     *     residual sum (BERT)
     */
    public TransformerLayer(int width, int heads, float dropout, boolean preNorm) {
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of heads, found "
                    + width + " and " + heads);
        }
        this.width = width;
        this.heads = heads;
        this.preNorm = preNorm;
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

    /** Attention heads. */
    public int heads() {
        return heads;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray offset = inputs.size() > 1 ? inputs.get(1) : null;
        if (preNorm) {
            NDArray normed = attentionNorm.forward(ps, new NDList(x), training).head();
            x = x.add(attend(ps, normed, offset, training, null));
            normed = feedForwardNorm.forward(ps, new NDList(x), training).head();
            return new NDList(x.add(feedForward(ps, normed, training)));
        }
        x = attentionNorm.forward(ps, new NDList(x.add(attend(ps, x, offset, training, null))),
                training).head();
        return new NDList(feedForwardNorm.forward(ps,
                new NDList(x.add(feedForward(ps, x, training))), training).head());
    }

    /**
     * The attention probabilities of this layer on its input, {@code (batch, heads, length,
     * length)}: row {@code i} of a head is how much position {@code i} attends to every position.
     * For pictures of what a trained model looks at (inference mode, no offset).
     */
    public NDArray attentionProbabilities(ParameterStore ps, NDArray x) {
        NDArray[] probabilities = new NDArray[1];
        attend(ps, preNorm ? attentionNorm.forward(ps, new NDList(x), false).head() : x, null,
                false, probabilities);
        return probabilities[0];
    }

    /**
     * Multi-head self-attention with its output projection and residual dropout:
     * {@code (batch, length, width)} to the same; the probabilities go to {@code probabilitiesOut}
     * when it is not null.
     */
    private NDArray attend(ParameterStore ps, NDArray x, NDArray offset, boolean training,
            NDArray[] probabilitiesOut) {
        long batch = x.getShape().get(0);
        long length = x.getShape().get(1);
        long headWidth = width / heads;
        NDArray q = heads(query.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray k = heads(key.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray v = heads(value.forward(ps, new NDList(x), training).head(), batch, length, headWidth);
        NDArray scores = Scalars.times(q.matMul(k.transpose(0, 1, 3, 2)), // (batch, heads, length, length)
                (float) (1 / Math.sqrt(headWidth)));
        if (offset != null) {
            scores = scores.add(offset);
        }
        // in float32: under bf16 autocast the scores are bfloat16, which DJL's softmax cannot name
        NDArray softmax = Bf16Autocast.float32(scores).softmax(3);
        if (probabilitiesOut != null) {
            probabilitiesOut[0] = softmax;
        }
        NDArray probabilities = attentionDropout.forward(ps, new NDList(softmax), training).head();
        NDArray attended = probabilities.matMul(v) // (batch, heads, length, headWidth)
                .transpose(0, 2, 1, 3) // (batch, length, heads, headWidth)
                .reshape(batch, length, width); // (batch, length, width)
        NDArray projected = output.forward(ps, new NDList(attended), training).head();
        return residualDropout.forward(ps, new NDList(projected), training).head();
    }

    /** {@code Dropout(W2 GELU(W1 x))}: {@code (batch, length, width)} to the same. */
    private NDArray feedForward(ParameterStore ps, NDArray x, boolean training) {
        NDArray hidden = Activation.gelu(expand.forward(ps, new NDList(x), training).head());
        NDArray back = contract.forward(ps, new NDList(hidden), training).head();
        return residualDropout.forward(ps, new NDList(back), training).head();
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
