package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * DINO's center of the teacher's outputs (Caron et al. 2021, https://arxiv.org/abs/2104.14294,
 * section 3.1): an exponential moving average {@code c = m c + (1 - m) mean(teacher outputs)},
 * subtracted from the teacher's outputs before its softmax so that no one dimension dominates.
 *
 * <p>A block so that the center is saved in checkpoints with the model (a resumed run centres as
 * the uninterrupted one): a frozen parameter {@code center} {@code (1, dim)}, starting at 0. Its
 * forward pass returns it. A training loss {@linkplain #stage stages} the batch's mean; the
 * method's after-step hook {@linkplain #updateStaged applies} it after the optimiser's update.
 */
public final class RunningCenter extends AbstractBlock {
    /** DINO's center momentum. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final int dim;
    private final Parameter center;
    private NDArray staged;

    public RunningCenter(int dim) {
        if (dim <= 0) {
            throw new IllegalArgumentException("center dim must be > 0, found " + dim);
        }
        this.dim = dim;
        center = addParameter(Parameter.builder().setName("center").setType(Parameter.Type.OTHER)
                .optShape(new Shape(1, dim)).optRequiresGrad(false)
                .optInitializer(Initializer.ZEROS).build());
    }

    /** The center, {@code (1, dim)}. */
    public NDArray value() {
        return center.getArray();
    }

    /**
     * Keeps the batch mean of the teacher's outputs {@code (1, dim)} for {@link #updateStaged};
     * {@code null} clears it.
     */
    public void stage(NDArray batchMean) {
        staged = batchMean;
    }

    /**
     * {@code c = momentum c + (1 - momentum) staged}, in place, then forgets the staged mean.
     *
     * @throws IllegalStateException when nothing is staged
     */
    public void updateStaged(double momentum) {
        if (staged == null) {
            throw new IllegalStateException("no teacher mean staged: afterStep without a "
                    + "training loss before it");
        }
        NDArray mean = staged;
        staged = null;
        if (mean.getShape().size() != dim) {
            throw new IllegalArgumentException("the staged mean must have " + dim
                    + " values, found " + mean.getShape());
        }
        NDArray value = center.getArray();
        try (NDManager scratch = NDManager.subManagerOf(value)) {
            scratch.tempAttachAll(value);
            NDArray updated = value.mul((float) momentum).add(mean.stopGradient()
                    .reshape(1, dim).toType(value.getDataType(), false).mul((float) (1 - momentum)));
            Assign.values(value, updated);
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        return new NDList(parameterStore.getValue(center, inputs.head().getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(1, dim)};
    }
}
