package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.method.Method;
import dev.selfsup.method.TextMethod;
import dev.selfsup.method.ViewBatch;
import dev.selfsup.nn.PartsBlock;
import dev.selfsup.nn.StagingBuffer;
import java.util.List;

/**
 * One optimisation step of any method: the batch's loss is computed and back-propagated, the
 * optimiser updates the parameters in place, then the after-step hook runs (momentum updates,
 * memory-bank writes). Every array the step creates lives in a step manager that is closed
 * before {@link #run} returns, so nothing outlives it.
 */
public final class TrainingStep {
    /**
     * One step's input, still on the host: it becomes arrays, and its loss, only inside the step.
     */
    public interface Batch {
        /**
         * The forward pass in training mode and the scalar loss to minimise.
         *
         * @param step the step's manager: every array made here is closed with it
         */
        NDArray loss(ParameterStore parameterStore, NDManager step);

        /** Rows of the batch (views for image methods), for the throughput shown. */
        long rows();

        /** Called once the step has used the batch, e.g. to hand its buffer back. */
        default void release() {}
    }

    /** What runs after every optimiser update; see {@link Method#afterStep}. */
    @FunctionalInterface
    public interface AfterStep {
        void run(long step, long totalSteps);
    }

    /** What runs before every forward pass; see {@link Method#beforeStep}. */
    @FunctionalInterface
    public interface BeforeStep {
        void run(long step, long totalSteps);
    }

    private final Block model;
    private final Optimizer optimizer;
    private final NDManager modelManager;
    private final AfterStep afterStep;
    private final BeforeStep beforeStep;
    private final PairList<String, Parameter> parameters;
    /** Builds image batches; null for a step made from a bare model. */
    private final ViewInput views;
    /**
     * Fault injection for tests: the 0-based run step whose loss is made NaN, as if training
     * diverged there; -1 (always, outside tests) for none.
     */
    static volatile long nanLossAtStep = -1;
    /** Fault injection for tests: the step whose gradients are NaN under a finite loss. */
    static volatile long nanGradientAtStep = -1;
    /** Whether the first step's bf16 use was checked ({@link #requireBf16Reached}). */
    private boolean precisionChecked;

    /**
     * Steps for an image method.
     *
     * @param method the method being trained (initialised, gradients attached)
     * @param optimizer its optimiser
     * @param modelManager the manager owning the parameters; steps open sub-managers of it
     */
    public TrainingStep(Method method, Optimizer optimizer, NDManager modelManager) {
        this(method.model(), optimizer, modelManager, method::beforeStep, method::afterStep,
                new ViewInput(method));
    }

    /**
     * Steps for any model whose batches compute their own loss ({@link Batch}).
     *
     * @param model the root block of every trained part (initialised, gradients attached)
     * @param afterStep runs after every update
     */
    public TrainingStep(Block model, Optimizer optimizer, NDManager modelManager,
            AfterStep afterStep) {
        this(model, optimizer, modelManager, (step, totalSteps) -> { }, afterStep);
    }

    /**
     * Steps for any model whose batches compute their own loss, with a hook before each forward
     * pass too.
     */
    public TrainingStep(Block model, Optimizer optimizer, NDManager modelManager,
            BeforeStep beforeStep, AfterStep afterStep) {
        this(model, optimizer, modelManager, beforeStep, afterStep, null);
    }

    private TrainingStep(Block model, Optimizer optimizer, NDManager modelManager,
            BeforeStep beforeStep, AfterStep afterStep, ViewInput views) {
        this.model = model;
        this.optimizer = optimizer;
        this.modelManager = modelManager;
        this.beforeStep = beforeStep;
        this.afterStep = afterStep;
        this.parameters = model.getParameters();
        this.views = views;
    }

    /**
     * Runs one image step of an open-ended run (benchmarks): the step index is the optimiser's
     * update count and schedules inside the method see no end.
     *
     * @see #run(float[], long[], double, long, long)
     */
    public float run(float[] batch, long[] shape, double learningRate) {
        return run(batch, shape, learningRate, optimizer.updateCount(), Long.MAX_VALUE);
    }

    /**
     * Runs one image step.
     *
     * @param batch view-major floats, {@code (viewCount * batchSize, C, H, W)}
     * @param shape that shape
     * @see #run(Batch, double, long, long)
     * @throws IllegalStateException when this step was made from a bare model
     */
    public float run(float[] batch, long[] shape, double learningRate, long step, long totalSteps) {
        return run(batch, List.of(shape), learningRate, step, totalSteps);
    }

    /**
     * Runs one image step on a batch of global views followed by local ones (multi-crop).
     *
     * @param groups the shapes of the global views {@code (viewCount * batchSize, C, H, W)} and
     *     of the local ones {@code (localViewCount * batchSize, C, h, w)}, as
     *     {@code MultiViewLoader.viewGroups()} gives them
     */
    public float run(float[] batch, List<long[]> groups, double learningRate, long step,
            long totalSteps) {
        return run(batch, groups, null, learningRate, step, totalSteps);
    }

    /**
     * Runs one image step on a batch of views followed by their patch masks, for a method that
     * asks for masks ({@link Method#patchMask()}).
     *
     * @param batch the views as {@code groups} lays them out, then the masks
     * @param maskShape the masks' shape {@code (maskedViews * batchSize, patches)}, or null for
     *     a batch without masks
     */
    public float run(float[] batch, List<long[]> groups, long[] maskShape, double learningRate,
            long step, long totalSteps) {
        if (views == null) {
            throw new IllegalStateException("image batches need a step made from a Method");
        }
        return run(views.batch(batch, groups, maskShape, () -> { }), learningRate, step,
                totalSteps);
    }

    /**
     * Runs one step: forward, backward, the optimiser's update, then the after-step hook.
     *
     * @param learningRate the step's rate
     * @param step the 0-based index of this step in the run
     * @param totalSteps the steps the run will take
     * @return the loss before the update
     * @throws TrainingDivergedException if the loss is NaN or infinite (no update is applied)
     */
    public float run(Batch batch, double learningRate, long step, long totalSteps) {
        beforeStep.run(step, totalSteps);
        try (NDManager stepManager = modelManager.newSubManager()) {
            float loss;
            try (GradientCollector collector = stepManager.getEngine().newGradientCollector()) {
                long autocastCallsBefore = precisionChecked ? 0 : autocastCalls();
                NDArray value = batch.loss(new ParameterStore(stepManager, false), stepManager);
                if (!precisionChecked) {
                    requireBf16Reached(autocastCallsBefore);
                    precisionChecked = true;
                }
                if (step == nanLossAtStep) {
                    value = dev.selfsup.nn.Scalars.times(value, Float.NaN);
                } else if (step == nanGradientAtStep) {
                    // + 0 * sqrt(0 * loss): adds 0, but its gradient is 0 * inf * 0 = NaN
                    value = value.add(dev.selfsup.nn.Scalars.times(
                            dev.selfsup.nn.Scalars.times(value, 0).sqrt(), 0));
                }
                loss = value.getFloat();
                if (!Float.isFinite(loss)) {
                    throw new TrainingDivergedException("loss became " + loss);
                }
                collector.backward(value);
            }
            optimizer.step(parameters, learningRate, stepManager);
            afterStep.run(step, totalSteps);
            return loss;
        }
    }

    /** The model's bf16 backbone calls so far, or 0 where it is not a bf16 {@link PartsBlock}. */
    private long autocastCalls() {
        return model instanceof PartsBlock parts && parts.bf16() ? parts.autocastCalls() : 0;
    }

    /**
     * Refuses a bf16 step whose backbone never ran under autocast: a method that calls its
     * backbone's block directly, not through the model's forward pass or
     * {@link PartsBlock#inBackbonePrecision}, would otherwise train in float32 while the run says
     * bf16. Checked on the first step only.
     *
     * @throws IllegalStateException naming the fix
     */
    private void requireBf16Reached(long autocastCallsBefore) {
        if (model instanceof PartsBlock parts && parts.bf16()
                && autocastCalls() == autocastCallsBefore) {
            throw new IllegalStateException("precision bf16, but the step never ran the backbone "
                    + "under bf16 autocast: a method that calls its backbone's block directly must "
                    + "call it through PartsBlock.inBackbonePrecision (or the model's forward)");
        }
    }

    /**
     * A text method's batch: its loss in training mode (dropout on). Its arrays are copied from
     * Java each call; a loop makes its batches through one {@link TextInput} instead.
     */
    public static Batch textBatch(TextMethod method, TextBatch batch) {
        return new TextInput(method).batch(batch);
    }

    /**
     * Turns a text method's batches into steps, the token ids, masks and targets moving into
     * libtorch through one reused {@link StagingBuffer}, as {@link ViewInput} does for images.
     */
    public static final class TextInput {
        private final TextMethod method;
        private final StagingBuffer staging = new StagingBuffer();

        public TextInput(TextMethod method) {
            this.method = method;
        }

        /** The batch's loss in training mode; to be run before this input's next batch. */
        public Batch batch(TextBatch batch) {
            return new Batch() {
                @Override
                public NDArray loss(ParameterStore parameterStore, NDManager step) {
                    staging.reset();
                    return method.loss(parameterStore, batch, step, true, staging).loss();
                }

                @Override
                public long rows() {
                    return batch.rows();
                }
            };
        }
    }

    /**
     * Turns an image method's view-major floats into batches through one {@link StagingBuffer}.
     * DJL's own copy of a heap array costs about as much as an mlp step's compute, and leaves a
     * direct buffer for the collector. Reuse is safe because every array of a step, and with them
     * autograd's graph, is closed before the next step refills the buffer.
     */
    static final class ViewInput {
        private final Method method;
        private final StagingBuffer input = new StagingBuffer();

        ViewInput(Method method) {
            this.method = method;
        }

        /**
         * @param values view-major floats, {@code (viewCount * batchSize, C, H, W)}
         * @param shape that shape
         * @param release runs once the step has copied {@code values} (e.g. hands them back to
         *     the loader)
         */
        Batch batch(float[] values, long[] shape, Runnable release) {
            return batch(values, List.of(shape), release);
        }

        /**
         * @param values the global views, view-major, then the local views, view-major
         * @param groups the shapes of the two runs ({@code (viewCount * batchSize, C, H, W)},
         *     then {@code (localViewCount * batchSize, C, h, w)}) or of the first alone
         */
        Batch batch(float[] values, List<long[]> groups, Runnable release) {
            return batch(values, groups, null, release);
        }

        /**
         * @param values the global views, view-major, then the local views, view-major, then
         *     the masks, if any
         * @param groups the shapes of the two runs of views, as above
         * @param maskShape the masks' shape {@code (maskedViews * batchSize, patches)}
         *     ({@code MultiViewLoader.maskShape()}), or null for none
         */
        Batch batch(float[] values, List<long[]> groups, long[] maskShape, Runnable release) {
            long rows = groups.stream().mapToLong(group -> group[0]).sum();
            List<long[]> arrays = new java.util.ArrayList<>(groups);
            if (maskShape != null) {
                arrays.add(maskShape);
            }
            return new Batch() {
                @Override
                public NDArray loss(ParameterStore parameterStore, NDManager step) {
                    List<NDArray> parts = images(step, values, arrays);
                    int viewCount = method.viewCount();
                    int batchSize = (int) (groups.get(0)[0] / viewCount);
                    ViewBatch batch = new ViewBatch(parts.get(0), batchSize, viewCount,
                            groups.size() > 1 ? parts.get(1) : null,
                            groups.size() > 1 ? (int) (groups.get(1)[0] / batchSize) : 0,
                            maskShape != null ? parts.get(parts.size() - 1) : null);
                    return method.loss(parameterStore, batch, true);
                }

                @Override
                public long rows() {
                    return rows;
                }

                @Override
                public void release() {
                    release.run();
                }
            };
        }

        private List<NDArray> images(NDManager step, float[] values, List<long[]> groups) {
            input.reset();
            List<NDArray> arrays = new java.util.ArrayList<>();
            int start = 0;
            for (long[] group : groups) {
                Shape shape = new Shape(group);
                int length = Math.toIntExact(shape.size());
                if (start + length > values.length) {
                    throw new IllegalArgumentException("the view groups hold more than the batch's "
                            + values.length + " floats");
                }
                arrays.add(input.floats(step, values, start, length, shape));
                start += length;
            }
            if (start != values.length) {
                throw new IllegalArgumentException("the view groups hold " + start
                        + " floats, the batch " + values.length);
            }
            return arrays;
        }
    }
}
