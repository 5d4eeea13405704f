package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ProjectionHead;
import java.util.Objects;

/**
 * SimCLR (Chen et al. 2020, https://arxiv.org/abs/2002.05709): two augmented views per image go
 * through one backbone and a projection head; NT-Xent pulls the views of a sample together and
 * pushes the rest of the batch apart. Both views run as one batch of 2N images, so batch norm sees
 * all of them, as in the paper's implementation.
 */
public final class SimClr extends TwoViewMethod {
    /** The CIFAR-10 temperature of the SimCLR paper's small-batch runs. */
    public static final double DEFAULT_TEMPERATURE = 0.5;
    /** Projection output width from the paper. */
    public static final int DEFAULT_PROJECTION_DIM = 128;

    private final NtXentLoss loss;

    private SimClr(Builder builder) {
        super("simclr", builder.backbone, builder.projectionHead != null ? builder.projectionHead
                : ProjectionHead.simclr(builder.backbone.featureDim(), DEFAULT_PROJECTION_DIM));
        loss = new NtXentLoss(builder.temperature);
    }

    public static Builder builder() {
        return new Builder();
    }

    public double temperature() {
        return loss.temperature();
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray projections = project(parameterStore, batch, training); // (2N, projectionDim)
        return loss.compute(batch.view(projections, 0), batch.view(projections, 1));
    }

    /** Builds a {@link SimClr}; the backbone is required. */
    public static final class Builder {
        private Backbone backbone;
        private Block projectionHead;
        private double temperature = DEFAULT_TEMPERATURE;

        public Builder setBackbone(Backbone backbone) {
            this.backbone = backbone;
            return this;
        }

        /** A head taking {@code (batch, featureDim)}; default {@link ProjectionHead#simclr}. */
        public Builder optProjectionHead(Block projectionHead) {
            this.projectionHead = projectionHead;
            return this;
        }

        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public SimClr build() {
            Objects.requireNonNull(backbone, "backbone is required: call setBackbone");
            return new SimClr(this);
        }
    }
}
