package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A learned token {@code (1, 1, dim)} that stands in for hidden patches in a ViT's input (iBOT,
 * BEiT), starting at zero as iBOT's {@code masked_embed}. Its forward pass returns it.
 */
public final class MaskToken extends AbstractBlock {
    private final int dim;
    private final Parameter token;

    public MaskToken(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("mask token dim must be > 0, found " + dim);
        }
        this.dim = dim;
        token = addParameter(Parameter.builder().setName("token").setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(1, 1, dim)).optInitializer(Initializer.ZEROS).build());
    }

    /** The token, {@code (1, 1, dim)}, as the step sees it. */
    public NDArray value(ParameterStore parameterStore, NDArray like, boolean training) {
        return parameterStore.getValue(token, like.getDevice(), training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        return new NDList(value(parameterStore, inputs.head(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(1, 1, dim)};
    }
}
