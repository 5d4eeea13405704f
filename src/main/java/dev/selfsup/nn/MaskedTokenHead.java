package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * BERT's masked-token prediction head (https://arxiv.org/abs/1810.04805): a dense layer with
 * GELU and layer norm, then scores against the encoder's piece embedding table (tied weights)
 * plus a per-piece bias.
 *
 * <p>Inputs: hidden vectors {@code (count, width)} and the piece embedding table
 * {@code (vocabulary, width)}; output: logits {@code (count, vocabulary)}.
 */
public final class MaskedTokenHead extends AbstractBlock {
    private final int width;
    private final Linear transform;
    private final LayerNorm norm;
    private final Parameter bias;

    public MaskedTokenHead(int width, int vocabularySize) {
        this.width = width;
        transform = addChildBlock("transform", Linear.builder().setUnits(width).build());
        norm = addChildBlock("norm", LayerNorm.builder().axis(1).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optShape(new Shape(vocabularySize)).optInitializer(new ConstantInitializer(0f))
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray hidden = inputs.get(0);
        NDArray table = inputs.get(1);
        NDArray h = Activation.gelu(transform.forward(ps, new NDList(hidden), training).head());
        h = norm.forward(ps, new NDList(h), training).head();
        NDArray logits = h.matMul(Temporaries.inManagerOf(table.transpose(), h)) // (count, vocabulary)
                .add(ps.getValue(bias, hidden.getDevice(), training));
        return new NDList(logits);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), bias.getShape().get(0))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = new Shape(inputShapes[0].get(0), width);
        transform.initialize(manager, dataType, in);
        norm.initialize(manager, dataType, in);
    }
}
