package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A momentum (exponential moving average) copy of online blocks, as the key encoder of MoCo (He
 * et al. 2020, https://arxiv.org/abs/1911.05722, eq. 2) and the target network of BYOL (Grill et
 * al. 2020, https://arxiv.org/abs/2006.07733, section 3.1): after every optimiser step each
 * target parameter becomes {@code m * target + (1 - m) * online}, in place and without gradients.
 *
 * <p>The target blocks are frozen (they get no gradient and the optimiser skips them); batch-norm
 * running statistics are not averaged (the target keeps its own, as in the papers' code). Pairs
 * of blocks must have the same architecture; their parameters are matched by name.
 */
public final class MomentumEncoder {
    /** MoCo's momentum (m = 0.999 for ImageNet; 0.99 in the CIFAR set-ups of MoCo v2 and BYOL). */
    public static final double DEFAULT_MOMENTUM = 0.99;

    private final List<Pair<Block, Block>> pairs = new ArrayList<>();
    /** (online, target) parameters matched by name, once both exist; reset by {@link #track}. */
    private List<Pair<Parameter, Parameter>> matched;

    /** An empty encoder; add (online, target) pairs with {@link #track}. */
    public MomentumEncoder() {}

    /**
     * Keeps {@code target} a moving average of {@code online}; freezes {@code target}.
     *
     * @return this
     */
    public MomentumEncoder track(Block online, Block target) {
        if (online == target) {
            throw new IllegalArgumentException("online and target must be different blocks");
        }
        target.freezeParameters(true);
        pairs.add(new Pair<>(online, target));
        matched = null;
        return this;
    }

    /** Copies every online parameter (running statistics included) into its target. */
    public void copyOnlineToTarget() {
        for (Pair<Parameter, Parameter> pair : matched()) {
            Assign.values(pair.getValue().getArray(), pair.getKey().getArray());
        }
    }

    /**
     * One EMA step over the trainable parameters: {@code target = m * target + (1 - m) * online}.
     *
     * @param momentum m in [0, 1]; 1 leaves the target unchanged, 0 copies the online network
     */
    public void update(double momentum) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], found " + momentum);
        }
        float keep = (float) momentum;
        float take = (float) (1 - momentum);
        for (Pair<Parameter, Parameter> pair : matched()) {
            if (!pair.getKey().requiresGradient()) {
                continue; // batch-norm running statistics: the target keeps its own
            }
            NDArray target = pair.getValue().getArray();
            try (NDArray scaled = pair.getKey().getArray().mul(take)) {
                target.muli(keep).addi(scaled);
            }
        }
    }

    /**
     * BYOL's cosine momentum schedule (eq. in section 3.2): {@code end - (end - base) * (cos(pi k
     * / K) + 1) / 2} for step {@code k} of {@code K}: {@code base} at the start, {@code end} at the
     * last step.
     */
    public static double cosineMomentum(double base, double end, long step, long totalSteps) {
        if (totalSteps <= 0 || step < 0) {
            throw new IllegalArgumentException("need 0 <= step and totalSteps > 0, found step "
                    + step + " of " + totalSteps);
        }
        double progress = Math.min(1.0, (double) step / totalSteps);
        return end - (end - base) * (Math.cos(Math.PI * progress) + 1) / 2;
    }

    /**
     * Every (online, target) parameter pair, matched and checked on first use: parameters keep
     * their identity (checkpoints load into their arrays in place), so this runs once, not per
     * step.
     */
    private List<Pair<Parameter, Parameter>> matched() {
        if (matched != null) {
            return matched;
        }
        List<Pair<Parameter, Parameter>> found = new ArrayList<>();
        for (Pair<Block, Block> pair : pairs) {
            Map<String, Parameter> online = byName(pair.getKey());
            Map<String, Parameter> target = byName(pair.getValue());
            if (!online.keySet().equals(target.keySet())) {
                throw new IllegalStateException("online and target blocks differ: "
                        + online.keySet() + " vs " + target.keySet());
            }
            for (Map.Entry<String, Parameter> entry : online.entrySet()) {
                Parameter source = entry.getValue();
                Parameter destination = target.get(entry.getKey());
                if (!source.isInitialized() || !destination.isInitialized()) {
                    throw new IllegalStateException("parameter " + entry.getKey()
                            + " is not initialised: initialise the model first");
                }
                if (!source.getArray().getShape().equals(destination.getArray().getShape())) {
                    throw new IllegalStateException("parameter " + entry.getKey() + " has shape "
                            + source.getArray().getShape() + " online but "
                            + destination.getArray().getShape() + " in the target");
                }
                found.add(new Pair<>(source, destination));
            }
        }
        matched = List.copyOf(found);
        return matched;
    }

    private static Map<String, Parameter> byName(Block block) {
        Map<String, Parameter> parameters = new TreeMap<>();
        for (Pair<String, Parameter> entry : block.getParameters()) {
            parameters.put(entry.getKey(), entry.getValue());
        }
        return parameters;
    }
}
