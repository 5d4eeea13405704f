package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NegativeCosineLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.MomentumEncoder;
import dev.selfsup.nn.PredictionHead;
import dev.selfsup.nn.ProjectionHead;
import java.util.function.Supplier;

/**
 * BYOL (Grill et al. 2020, https://arxiv.org/abs/2006.07733): an online network (backbone,
 * projector, predictor) predicts the target network's projection of the other view; the target
 * is a momentum (EMA) copy of the online backbone and projector whose momentum follows a cosine
 * schedule from 0.99 to 1 over the run (section 3.2; 0.99 is the CIFAR set-ups' base, the paper's
 * ImageNet runs use 0.996). No negatives: the predictor and the slow target prevent collapse.
 *
 * <p>The loss is the symmetric negative cosine {@link NegativeCosineLoss}: the paper's
 * {@code 2 - 2 cos} summed over both directions is {@code 4 + 4 x} this loss, the same objective
 * up to scale. CPU defaults: projector and predictor Linear(512)-BN-ReLU-Linear(128) (the paper
 * uses 4096 and 256).
 */
public final class Byol extends MomentumMethod {
    /** BYOL's base target momentum in CIFAR-size set-ups. */
    public static final double DEFAULT_BASE_MOMENTUM = MomentumEncoder.DEFAULT_MOMENTUM;
    /** The momentum the cosine schedule ends at. */
    public static final double DEFAULT_FINAL_MOMENTUM = 1.0;
    /** Hidden width of the CPU default projector and predictor. */
    public static final int DEFAULT_HIDDEN_DIM = 512;
    /** Output width of the CPU default projector and predictor. */
    public static final int DEFAULT_PROJECTION_DIM = 128;

    private final Block predictionHead;
    private final NegativeCosineLoss loss = new NegativeCosineLoss();
    private final double baseMomentum;
    private final double finalMomentum;

    private Byol(Builder builder, Block projectionHead, Block targetProjectionHead,
            Block predictionHead, int projectionDim) {
        super("byol", builder.backbone, builder.targetBackbone, projectionHead, targetProjectionHead);
        this.predictionHead = model().addHead("prediction_head", predictionHead, projectionDim);
        baseMomentum = builder.baseMomentum;
        finalMomentum = builder.finalMomentum;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The target momentum after step {@code step} of {@code totalSteps}. */
    public double momentum(long step, long totalSteps) {
        return MomentumEncoder.cosineMomentum(baseMomentum, finalMomentum, step, totalSteps);
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray z = project(parameterStore, batch, training); // (2N, projectionDim)
        NDArray p = predictionHead.forward(parameterStore, new NDList(z), training)
                .singletonOrThrow(); // (2N, projectionDim)
        NDArray targets = targetProject(parameterStore, batch, training); // (2N, dim), detached
        return loss.compute(batch.view(p, 0), batch.view(p, 1), batch.view(targets, 0),
                batch.view(targets, 1));
    }

    /** Moves the target network towards the online one with this step's scheduled momentum. */
    @Override
    public void afterStep(long step, long totalSteps) {
        momentumEncoder().update(momentum(step, totalSteps));
    }

    /** Builds a {@link Byol}; the backbone is required. */
    public static final class Builder extends MomentumMethod.Builder<Builder> {
        private Block predictionHead;
        private double baseMomentum = DEFAULT_BASE_MOMENTUM;
        private double finalMomentum = DEFAULT_FINAL_MOMENTUM;

        Builder() {
            super(DEFAULT_PROJECTION_DIM);
        }

        @Override
        Builder self() {
            return this;
        }

        /** The predictor, {@code (batch, projectionDim)} to {@code (batch, projectionDim)}. */
        public Builder optPredictionHead(Block predictionHead) {
            this.predictionHead = predictionHead;
            return this;
        }

        /** The cosine momentum schedule's start and end, 0 <= base <= end <= 1. */
        public Builder optTargetMomentum(double base, double end) {
            this.baseMomentum = base;
            this.finalMomentum = end;
            return this;
        }

        /**
         * Builds the method; the default projector and predictor are
         * Linear(512)-BN-ReLU-Linear(projectionDim).
         */
        public Byol build() {
            resolveBackbones();
            if (!(baseMomentum >= 0 && baseMomentum <= finalMomentum && finalMomentum <= 1)) {
                throw new IllegalArgumentException("target momentum must satisfy 0 <= base <= end "
                        + "<= 1, found base " + baseMomentum + ", end " + finalMomentum);
            }
            Supplier<Block> heads = projectionHead != null ? projectionHead
                    : () -> ProjectionHead.mlp(DEFAULT_HIDDEN_DIM, projectionDim);
            Block predictor = predictionHead != null ? predictionHead
                    : PredictionHead.byol(DEFAULT_HIDDEN_DIM, projectionDim);
            return new Byol(this, heads.get(), heads.get(), predictor, projectionDim);
        }
    }
}
