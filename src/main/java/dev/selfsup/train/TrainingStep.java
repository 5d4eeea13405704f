package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.method.Method;
import dev.selfsup.method.ViewBatch;
import java.nio.FloatBuffer;

/**
 * One optimisation step: a batch of views becomes one input array, the method's loss is
 * back-propagated, the optimiser updates the parameters in place. Every array the step creates
 * lives in a step manager that is closed before {@link #run} returns, so nothing outlives it.
 */
public final class TrainingStep {
    private final Method method;
    private final Optimizer optimizer;
    private final NDManager modelManager;
    private final PairList<String, Parameter> parameters;

    /**
     * @param method the method being trained (initialised, gradients attached)
     * @param optimizer its optimiser
     * @param modelManager the manager owning the parameters; steps open sub-managers of it
     */
    public TrainingStep(Method method, Optimizer optimizer, NDManager modelManager) {
        this.method = method;
        this.optimizer = optimizer;
        this.modelManager = modelManager;
        this.parameters = method.model().getParameters();
    }

    /**
     * Runs one step.
     *
     * @param batch view-major floats, {@code (viewCount * batchSize, C, H, W)}
     * @param shape that shape
     * @param learningRate the step's rate
     * @return the loss before the update
     * @throws TrainingDivergedException if the loss is NaN or infinite (no update is applied)
     */
    public float run(float[] batch, long[] shape, double learningRate) {
        int viewCount = method.viewCount();
        try (NDManager step = modelManager.newSubManager()) {
            NDArray images = step.create(FloatBuffer.wrap(batch), new Shape(shape));
            ViewBatch views = new ViewBatch(images, (int) (shape[0] / viewCount), viewCount);
            float loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                NDArray value = method.loss(new ParameterStore(step, false), views, true);
                loss = value.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new TrainingDivergedException("loss became " + loss);
                }
                collector.backward(value);
            }
            optimizer.step(parameters, learningRate, step);
            return loss;
        }
    }
}
