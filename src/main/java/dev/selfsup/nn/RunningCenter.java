package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.Initializer;

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
public final class RunningCenter extends FrozenStateBlock {
    /** DINO's center momentum. */
    public static final double DEFAULT_MOMENTUM = 0.9;

    private final int dim;
    private final Parameter center;

    public RunningCenter(int dim) {
        super("teacher mean");
        if (dim <= 0) {
            throw new IllegalArgumentException("center dim must be > 0, found " + dim);
        }
        this.dim = dim;
        center = addFrozen("center", new Shape(1, dim), Initializer.ZEROS);
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
        putStaged(batchMean);
    }

    /**
     * {@code c = momentum c + (1 - momentum) staged}, in place, then forgets the staged mean.
     *
     * @throws IllegalStateException when nothing is staged
     */
    public void updateStaged(double momentum) {
        NDArray mean = takeStaged();
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
    Parameter output() {
        return center;
    }
}
