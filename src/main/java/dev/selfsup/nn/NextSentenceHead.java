package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The next-sentence classifier: BERT's pooler (dense + tanh) and a 2-way layer
 * (https://arxiv.org/abs/1810.04805), read from the {@code [CLS]} vector and from the two
 * segments' mean vectors a and b compared as in InferSent (https://arxiv.org/abs/1705.02364):
 * {@code [cls, a, b, |a - b|, a * b]}.
 *
 * <p>Why not [CLS] alone: at BERT's initialisation attention is nearly uniform, so [CLS] sees
 * both segments alike, and comparing them must first be learnt through products of query and
 * key weights that start near zero. In a PyTorch model of selfsup's encoder on State of the
 * Union ({@code bench/peers/nsp_sotu.py}), the [CLS]-only head stayed at chance for 600 steps
 * while this one reached 0.63 held-out accuracy; {@code a * b} gives the loss a first-order
 * signal for "the two runs share words" from the first step.
 *
 * <p>Inputs: hidden vectors {@code (batch, length, width)}, segment ids {@code (batch, length)}
 * (int32, 0 = [CLS] A [SEP], 1 = B [SEP]) and the attention mask {@code (batch, length)}
 * (float, 1 = real piece); output: logits {@code (batch, 2)}, class 0 = B follows A.
 */
public final class NextSentenceHead extends AbstractBlock {
    private final int width;
    private final Linear pooler;
    private final Linear classifier;

    public NextSentenceHead(int width) {
        this.width = width;
        pooler = addChildBlock("pooler", Linear.builder().setUnits(width).build());
        classifier = addChildBlock("classifier", Linear.builder().setUnits(2).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray second = inputs.get(1).toType(DataType.FLOAT32, false).mul(inputs.get(2)); // (batch, length)
        NDArray first = inputs.get(2).sub(second); // (batch, length)
        NDArray cls = TransformerEncoder.pool(hidden, null, true); // (batch, width)
        NDArray a = TransformerEncoder.pool(hidden, first, false); // (batch, width)
        NDArray b = TransformerEncoder.pool(hidden, second, false); // (batch, width)
        NDArray features = NDArrays.concat(new NDList(cls, a, b, a.sub(b).abs(), a.mul(b)), 1); // (batch, 5 * width)
        NDArray pooled = Activation.tanh(pooler.forward(ps, new NDList(features), training).head());
        return classifier.forward(ps, new NDList(pooled), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), 2)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        pooler.initialize(manager, dataType, new Shape(batch, 5L * width));
        classifier.initialize(manager, dataType, new Shape(batch, width));
    }
}
