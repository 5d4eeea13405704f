package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.method.TextMethod;

/**
 * One optimisation step of a text method: the batch becomes arrays, the method's loss is
 * back-propagated, the optimiser updates the parameters in place. Every array the step creates
 * lives in a step manager closed before {@link #run} returns.
 */
public final class TextTrainingStep {
    private final TextMethod method;
    private final Optimizer optimizer;
    private final NDManager modelManager;
    private final PairList<String, Parameter> parameters;

    /**
     * @param method the method (initialised, gradients attached)
     * @param optimizer its optimiser
     * @param modelManager the manager owning the parameters; steps open sub-managers of it
     */
    public TextTrainingStep(TextMethod method, Optimizer optimizer, NDManager modelManager) {
        this.method = method;
        this.optimizer = optimizer;
        this.modelManager = modelManager;
        this.parameters = method.model().getParameters();
    }

    /**
     * Runs one step.
     *
     * @return the loss before the update
     * @throws TrainingDivergedException if the loss is NaN or infinite (no update is applied)
     */
    public float run(TextBatch batch, double learningRate) {
        try (NDManager step = modelManager.newSubManager()) {
            float loss;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                TextMethod.Output output = method.loss(new ParameterStore(step, false), batch, step, true);
                loss = output.loss().getFloat();
                if (!Float.isFinite(loss)) {
                    throw new TrainingDivergedException("loss became " + loss);
                }
                collector.backward(output.loss());
            }
            optimizer.step(parameters, learningRate, step);
            return loss;
        }
    }
}
