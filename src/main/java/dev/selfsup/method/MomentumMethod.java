package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.MomentumEncoder;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Shared plumbing of the two-view methods with a momentum target network (MoCo, BYOL): an online
 * backbone and projection head trained by the optimiser, and a target copy of both
 * ({@code target_backbone}, {@code target_projection_head}) kept as their moving average by a
 * {@link MomentumEncoder}. The target starts as an exact copy of the online network.
 */
abstract class MomentumMethod extends TwoViewMethod {
    private final Block targetBackbone;
    private final Block targetProjectionHead;
    private final MomentumEncoder momentumEncoder = new MomentumEncoder();

    MomentumMethod(String name, Backbone backbone, Backbone targetBackbone, Block projectionHead,
            Block targetProjectionHead) {
        super(name, backbone, projectionHead);
        if (targetBackbone.block() == backbone.block()
                || !targetBackbone.name().equals(backbone.name())
                || targetBackbone.featureDim() != backbone.featureDim()
                || !targetBackbone.inputShape().equals(backbone.inputShape())) {
            throw new IllegalArgumentException("the target backbone must be a separate copy of "
                    + "the backbone (" + backbone.name() + ", " + backbone.featureDim()
                    + " features), found " + targetBackbone.name() + " with "
                    + targetBackbone.featureDim() + " features");
        }
        this.targetBackbone = model().addPart("target_backbone", targetBackbone.block(),
                backbone.batchShape(2));
        this.targetProjectionHead = model().addHead("target_projection_head",
                targetProjectionHead, backbone.featureDim());
        momentumEncoder.track(backbone.block(), this.targetBackbone)
                .track(projectionHead(), this.targetProjectionHead);
    }

    /** The target backbone's block (the momentum copy of the backbone). */
    Block targetBackbone() {
        return targetBackbone;
    }

    /** The target projection head (the momentum copy of the projection head). */
    Block targetProjectionHead() {
        return targetProjectionHead;
    }

    /** The EMA that keeps the target networks up to date. */
    MomentumEncoder momentumEncoder() {
        return momentumEncoder;
    }

    /**
     * Target projections of both views, {@code (2N, projectionDim)}, view-major, detached: no
     * gradient flows into the target.
     */
    NDArray targetProject(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray images = batch.images();
        NDManager step = images.getManager();
        // the target's activations are not needed for backward: compute them in a scratch
        // manager and free them at once, keeping only the projections
        try (NDManager scratch = step.newSubManager()) {
            scratch.tempAttachAll(images);
            // in the online backbone's precision (bf16 autocast where the run asks for it)
            NDArray features = model().inBackbonePrecision(() -> targetBackbone.forward(
                    parameterStore, new NDList(images), training).singletonOrThrow());
            NDArray projections = targetProjectionHead.forward(parameterStore,
                    new NDList(features), training)
                    .singletonOrThrow().stopGradient();
            projections.attach(step);
            return projections;
        }
    }

    @Override
    public void afterInitialize() {
        momentumEncoder.copyOnlineToTarget();
    }

    /**
     * The settings every momentum method's builder shares: the backbone (required), its target
     * copy and the projection head factory.
     *
     * @param <B> the concrete builder, returned by every setter
     */
    abstract static class Builder<B extends Builder<B>> {
        Backbone backbone;
        Backbone targetBackbone;
        Supplier<Block> projectionHead;
        int projectionDim;

        Builder(int projectionDim) {
            this.projectionDim = projectionDim;
        }

        abstract B self();

        public B setBackbone(Backbone backbone) {
            this.backbone = backbone;
            return self();
        }

        /** The target network's backbone; default a fresh copy ({@link Backbones#copyOf}). */
        public B optTargetBackbone(Backbone targetBackbone) {
            this.targetBackbone = targetBackbone;
            return self();
        }

        /**
         * Makes the projection head (called twice: online and target network), taking
         * {@code (batch, featureDim)} to {@code (batch, projectionDim)}.
         */
        public B optProjectionHead(Supplier<Block> projectionHead, int projectionDim) {
            this.projectionHead = projectionHead;
            this.projectionDim = projectionDim;
            return self();
        }

        /** Checks the backbone and fills in the default target backbone. */
        void resolveBackbones() {
            Objects.requireNonNull(backbone, "backbone is required: call setBackbone");
            if (targetBackbone == null) {
                targetBackbone = Backbones.copyOf(backbone);
            }
        }
    }
}
