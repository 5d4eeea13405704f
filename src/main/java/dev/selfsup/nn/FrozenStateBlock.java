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
 * A block of training state kept in frozen parameters, so that checkpoints save it with the model
 * ({@link MemoryBank}, {@link RunningCenter}): its forward pass returns one of them,
 * {@link #output()}, whatever the input. A training loss stages an update, which the method's
 * after-step hook applies once the optimiser has updated the weights.
 */
abstract class FrozenStateBlock extends AbstractBlock {
    private static final byte VERSION = 1;

    /** What is staged, as the error for a missing stage names it, e.g. {@code "keys"}. */
    private final String stagedName;
    private NDArray staged;

    FrozenStateBlock(String stagedName) {
        super(VERSION);
        this.stagedName = stagedName;
    }

    /** Adds a parameter of type {@code OTHER} that takes no gradient. */
    Parameter addFrozen(String name, Shape shape, Initializer initializer) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.OTHER)
                .optShape(shape).optRequiresGrad(false).optInitializer(initializer).build());
    }

    /** The parameter the forward pass returns. */
    abstract Parameter output();

    /** Keeps {@code value} for {@link #takeStaged()}, replacing an older one; null clears it. */
    void putStaged(NDArray value) {
        staged = value;
    }

    /**
     * The value last {@linkplain #putStaged staged}, which is forgotten.
     *
     * @throws IllegalStateException when none is staged (no training loss since the last call)
     */
    NDArray takeStaged() {
        if (staged == null) {
            throw new IllegalStateException("no " + stagedName + " staged: afterStep without a "
                    + "training loss before it");
        }
        NDArray value = staged;
        staged = null;
        return value;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        return new NDList(parameterStore.getValue(output(), inputs.head().getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {output().getShape()};
    }
}
