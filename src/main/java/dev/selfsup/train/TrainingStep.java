package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.method.Method;
import dev.selfsup.method.ViewBatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
     * Fault injection for tests: the 0-based run step whose loss is made NaN, as if training
     * diverged there; -1 (always, outside tests) for none.
     */
    static volatile long nanLossAtStep = -1;
    /** Fault injection for tests: the step whose gradients are NaN under a finite loss. */
    static volatile long nanGradientAtStep = -1;
    /** Host memory libtorch reads a step's images from in place; reused by every step. */
    private ByteBuffer input;

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
     * Runs one step of an open-ended run (benchmarks): the step index is the optimiser's update
     * count and schedules inside the method see no end.
     *
     * @see #run(float[], long[], double, long, long)
     */
    public float run(float[] batch, long[] shape, double learningRate) {
        return run(batch, shape, learningRate, optimizer.updateCount(), Long.MAX_VALUE);
    }

    /**
     * Runs one step: forward, backward, the optimiser's update, then the method's
     * {@link Method#afterStep} hook.
     *
     * @param batch view-major floats, {@code (viewCount * batchSize, C, H, W)}
     * @param shape that shape
     * @param learningRate the step's rate
     * @param step the 0-based index of this step in the run
     * @param totalSteps the steps the run will take
     * @return the loss before the update
     * @throws TrainingDivergedException if the loss is NaN or infinite (no update is applied)
     */
    public float run(float[] batch, long[] shape, double learningRate, long step, long totalSteps) {
        int viewCount = method.viewCount();
        try (NDManager stepManager = modelManager.newSubManager()) {
            NDArray images = images(stepManager, batch, shape);
            ViewBatch views = new ViewBatch(images, (int) (shape[0] / viewCount), viewCount);
            float loss;
            try (GradientCollector collector = stepManager.getEngine().newGradientCollector()) {
                NDArray value = method.loss(new ParameterStore(stepManager, false), views, true);
                if (step == nanLossAtStep) {
                    value = value.mul(Float.NaN);
                } else if (step == nanGradientAtStep) {
                    // + 0 * sqrt(0 * loss): adds 0, but its gradient is 0 * inf * 0 = NaN
                    value = value.add(value.mul(0).sqrt().mul(0));
                }
                loss = value.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new TrainingDivergedException("loss became " + loss);
                }
                collector.backward(value);
            }
            optimizer.step(parameters, learningRate, stepManager);
            method.afterStep(step, totalSteps);
            return loss;
        }
    }

    /**
     * The batch as an array of the step. DJL copies a heap array into a fresh direct buffer on
     * every call (about as slow as an mlp step's compute); one reused direct buffer and one copy
     * are enough. libtorch reads the buffer without copying, which is safe because every array
     * of the step, and with them autograd's graph, is closed before the next step refills it.
     */
    private NDArray images(NDManager step, float[] batch, long[] shape) {
        int bytes = Math.multiplyExact(batch.length, Float.BYTES);
        if (input == null || input.capacity() < bytes) {
            input = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        input.clear();
        input.asFloatBuffer().put(batch);
        input.limit(bytes);
        return step.create(input, new Shape(shape), DataType.FLOAT32);
    }
}
