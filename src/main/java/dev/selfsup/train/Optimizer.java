package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A first-order optimiser whose state is plain named arrays, so a checkpoint can save it and a
 * resumed run continues exactly. Parameters are updated in place, outside gradient recording.
 *
 * <p>State arrays live in the optimiser's own manager (a child of the model's); every temporary
 * of a step lives in the step's manager.
 */
public abstract class Optimizer implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray[]> slots = new LinkedHashMap<>();
    private final List<String> slotNames;
    private long updateCount;

    /** A subclass made this way overrides {@link #slotCount()} and {@link #slotName(int)}. */
    protected Optimizer(NDManager parent) {
        this(parent, new String[0]);
    }

    /**
     * @param slotNames the short name of each state array a parameter has (e.g. Adam's
     *     {@code adam_m} and {@code adam_v}), for checkpoint keys
     */
    protected Optimizer(NDManager parent, String... slotNames) {
        manager = parent.newSubManager();
        this.slotNames = List.of(slotNames);
    }

    /** The optimisers {@link #create} knows. */
    public static final java.util.List<String> NAMES = java.util.List.of("adam", "adamw", "sgd");

    /**
     * The optimiser named {@code name}: {@code adam} (L2 decay of every parameter, as
     * {@code torch.optim.Adam}), {@code adamw} (decoupled decay of weight matrices and embeddings
     * only, as BERT) or {@code sgd}.
     */
    public static Optimizer create(String name, NDManager parent, double weightDecay) {
        return switch (name) {
            case "adam" -> new Adam(parent, 0.9, 0.999, 1e-8, weightDecay);
            case "adamw" -> new Adam(parent, 0.9, 0.999, 1e-8, weightDecay, true);
            case "sgd" -> new Sgd(parent, 0.9, weightDecay);
            default -> throw new IllegalArgumentException(
                    "optimizer must be one of " + NAMES + ", found '" + name + "'");
        };
    }

    /** How many state arrays each parameter has (e.g. Adam: 2); by default, the names given. */
    protected int slotCount() {
        return slotNames.size();
    }

    /** Short name of each slot, for checkpoint keys; by default, the one given. */
    protected String slotName(int slot) {
        return slotNames.get(slot);
    }

    /**
     * Updates one parameter in place.
     *
     * @param weight the parameter, attached to the step's manager for the step
     * @param gradient its gradient, in the step's manager
     * @param state this parameter's slots
     * @param learningRate the step's learning rate
     * @param t the 1-based update count
     * @param type the parameter's type (weight, bias, gamma, beta...), for decay rules
     */
    protected abstract void update(NDArray weight, NDArray gradient, NDArray[] state,
            double learningRate, long t, Parameter.Type type);

    /**
     * Called once per step before its parameters are updated, for what every update of the step
     * shares (by default nothing).
     *
     * @param step the step's manager
     * @param t the 1-based update count
     */
    protected void beginStep(NDManager step, long t) {}

    /**
     * Applies one update to every trainable parameter from its accumulated gradient, then zeroes
     * the gradients.
     *
     * @param parameters the model's parameters, with their hierarchical names
     * @param learningRate this step's learning rate
     * @param step the step's manager: temporaries are created (and closed) there
     */
    public void step(PairList<String, Parameter> parameters, double learningRate, NDManager step) {
        updateCount++;
        beginStep(step, updateCount);
        for (Pair<String, Parameter> entry : parameters) {
            Parameter parameter = entry.getValue();
            if (!parameter.requiresGradient()) {
                continue;
            }
            NDArray weight = parameter.getArray();
            NDArray[] state = slots.computeIfAbsent(entry.getKey(), k -> newSlots(weight));
            step.tempAttachAll(weight);
            for (NDArray slot : state) {
                step.tempAttachAll(slot);
            }
            NDArray gradient = weight.getGradient();
            gradient.attach(step);
            update(weight, gradient, state, learningRate, updateCount, parameter.getType());
            zeroGradient(weight, gradient);
        }
    }

    private NDArray[] newSlots(NDArray weight) {
        NDArray[] state = new NDArray[slotCount()];
        for (int i = 0; i < state.length; i++) {
            state[i] = manager.zeros(weight.getShape(), weight.getDataType());
        }
        return state;
    }

    /**
     * Clears the gradient libtorch accumulates into {@code weight.grad}: drops it where
     * {@link GradientRelease} can, else zero-fills it.
     */
    private static void zeroGradient(NDArray weight, NDArray gradient) {
        if (weight instanceof PtNDArray pt && GradientRelease.available()) {
            GradientRelease.release(pt);
        } else if (weight instanceof PtNDArray pt) {
            JniUtils.zeroGrad(pt);
        } else {
            gradient.subi(gradient);
        }
    }

    /** Number of updates applied so far. */
    public long updateCount() {
        return updateCount;
    }

    /** The state as named arrays ({@code <slot>/<parameter>}), for a checkpoint. */
    public NDList state() {
        NDList list = new NDList();
        slots.forEach((name, state) -> {
            for (int i = 0; i < state.length; i++) {
                state[i].setName(slotName(i) + "/" + name);
                list.add(state[i]);
            }
        });
        return list;
    }

    /**
     * Restores state saved by {@link #state()}.
     *
     * @param saved arrays named {@code <slot>/<parameter>}
     * @param parameters the model's parameters (each must have all its slots in {@code saved})
     * @param updateCount the number of updates applied before the save
     */
    public void loadState(NDList saved, PairList<String, Parameter> parameters, long updateCount) {
        Map<String, NDArray> byName = new LinkedHashMap<>();
        for (NDArray array : saved) {
            byName.put(array.getName(), array);
        }
        List<String> missing = new ArrayList<>();
        for (Pair<String, Parameter> entry : parameters) {
            if (!entry.getValue().requiresGradient()) {
                continue;
            }
            NDArray[] state = slots.computeIfAbsent(entry.getKey(),
                    k -> newSlots(entry.getValue().getArray()));
            for (int i = 0; i < state.length; i++) {
                NDArray source = byName.get(slotName(i) + "/" + entry.getKey());
                if (source == null || !source.getShape().equals(state[i].getShape())) {
                    missing.add(slotName(i) + "/" + entry.getKey());
                } else {
                    dev.selfsup.nn.Assign.values(state[i], source);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("optimizer state lacks (or has a wrong shape for) "
                    + missing.size() + " arrays, e.g. " + missing.get(0));
        }
        this.updateCount = updateCount;
    }

    @Override
    public void close() {
        manager.close();
    }

    /**
     * Adam (Kingma and Ba 2014, https://arxiv.org/abs/1412.6980), either with L2 weight decay
     * added to every parameter's gradient, as {@code torch.optim.Adam}, or with decoupled weight
     * decay (AdamW, Loshchilov and Hutter 2017, https://arxiv.org/abs/1711.05101):
     * {@code w *= 1 - lr * weightDecay} before the Adam step, as {@code torch.optim.AdamW}, applied
     * to weight matrices and embedding tables only, never to biases or normalisation gains and
     * shifts (BERT's rule).
     *
     * <p>Why the difference matters: with L2 decay inside Adam, a parameter whose gradient is
     * smaller than {@code weightDecay * w} (a layer-norm gain of 1 whose gradient is 1e-3) is
     * pushed toward zero at nearly the full learning rate every step, because Adam normalises the
     * sum. On text this held masked-token accuracy at the unigram level.
     */
    public static final class Adam extends Optimizer {
        private final double beta1;
        private final double beta2;
        private final double epsilon;
        private final double weightDecay;
        private final boolean decoupled;
        private final boolean fused;
        /** The step count as the fused kernel reads it: one per step, in the step's manager. */
        private NDArray stepCount;

        /** Adam with L2 decay of every parameter, as {@code torch.optim.Adam}. */
        public Adam(NDManager parent, double beta1, double beta2, double epsilon, double weightDecay) {
            this(parent, beta1, beta2, epsilon, weightDecay, false);
        }

        /**
         * @param decoupled true for AdamW: decay weights (not biases or norms) outside the
         *     gradient; false for L2 decay of every parameter inside it
         */
        public Adam(NDManager parent, double beta1, double beta2, double epsilon, double weightDecay,
                boolean decoupled) {
            this(parent, beta1, beta2, epsilon, weightDecay, decoupled,
                    FusedAdamKernel.available());
        }

        /**
         * @param fused true for libtorch's fused kernel ({@link FusedAdamKernel}), false for
         *     DJL's {@code adamUpdate}; the same update, the first in one pass
         */
        Adam(NDManager parent, double beta1, double beta2, double epsilon, double weightDecay,
                boolean decoupled, boolean fused) {
            super(parent, "adam_m", "adam_v");
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException(
                        "betas must be in [0, 1), found " + beta1 + ", " + beta2);
            }
            if (!(epsilon > 0)) {
                throw new IllegalArgumentException("epsilon must be > 0, found " + epsilon);
            }
            checkWeightDecay(weightDecay);
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.epsilon = epsilon;
            this.weightDecay = weightDecay;
            this.decoupled = decoupled;
            this.fused = fused;
        }

        /** Makes the step count the fused kernel reads, once for every update of the step. */
        @Override
        protected void beginStep(NDManager step, long t) {
            if (fused) {
                stepCount = FusedAdamKernel.stepCount(step, t);
            }
        }

        /**
         * One libtorch call per parameter: its fused Adam kernel ({@link FusedAdamKernel}, one
         * pass), or where that is missing DJL's {@code adamUpdate}, whose kernel computes
         * {@code m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; w -= a m / (sqrt(v) + e)}
         * with {@code g} the gradient plus {@code weightDecay * w}; torch.optim.Adam's
         * {@code w -= (lr / c1) m / (sqrt(v) / sqrt(c2) + eps)} (c1, c2 the bias corrections) is
         * the same update with {@code a = lr sqrt(c2) / c1} and {@code e = eps sqrt(c2)}.
         * {@code OptimizerTest} pins it against a plain-Java reference.
         */
        @Override
        protected void update(NDArray weight, NDArray gradient, NDArray[] state,
                double learningRate, long t, Parameter.Type type) {
            if (decoupled && weightDecay > 0 && type == Parameter.Type.WEIGHT) {
                weight.muli((float) (1 - learningRate * weightDecay));
            }
            double coupledDecay = decoupled ? 0 : weightDecay;
            if (fused) {
                FusedAdamKernel.update(weight, gradient, state[0], state[1], stepCount,
                        learningRate, beta1, beta2, coupledDecay, epsilon);
                return;
            }
            double correction1 = 1 - Math.pow(beta1, t);
            double sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
            JniUtils.adamUpdate((PtNDArray) weight, (PtNDArray) gradient, (PtNDArray) state[0],
                    (PtNDArray) state[1], (float) learningRate,
                    (float) (learningRate * sqrtCorrection2 / correction1),
                    (float) coupledDecay, 1f, -1f, (float) beta1, (float) beta2,
                    (float) (epsilon * sqrtCorrection2), false);
        }
    }

    /** SGD with momentum and L2 weight decay, as {@code torch.optim.SGD}. */
    public static final class Sgd extends Optimizer {
        private final double momentum;
        private final double weightDecay;

        public Sgd(NDManager parent, double momentum, double weightDecay) {
            super(parent, "sgd_momentum");
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), found " + momentum);
            }
            checkWeightDecay(weightDecay);
            this.momentum = momentum;
            this.weightDecay = weightDecay;
        }

        @Override
        protected void update(NDArray weight, NDArray gradient, NDArray[] state,
                double learningRate, long t, Parameter.Type type) {
            NDArray g = weightDecay > 0 ? gradient.add(weight.mul((float) weightDecay)) : gradient;
            NDArray buffer = state[0];
            if (t == 1) {
                buffer.addi(g); // zeros + g: torch starts the buffer at the first gradient
            } else {
                buffer.muli((float) momentum).addi(g);
            }
            weight.subi(buffer.mul((float) learningRate));
        }
    }

    private static void checkWeightDecay(double weightDecay) {
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be >= 0, found " + weightDecay);
        }
    }
}
