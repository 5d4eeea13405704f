package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.MemoryBank;
import dev.selfsup.nn.MomentumEncoder;
import dev.selfsup.nn.ProjectionHead;
import dev.selfsup.nn.Scalars;
import java.util.function.Supplier;

/**
 * MoCo v2 (He et al. 2020, https://arxiv.org/abs/1911.05722; Chen et al. 2020,
 * https://arxiv.org/abs/2003.04297): queries come from the online backbone and MLP head, keys
 * from their momentum (EMA) copy; each query's positive is the key of its other view and its
 * negatives are a {@link MemoryBank} of keys from earlier batches, scored with InfoNCE
 * ({@link NtXentLoss#compute(NDArray, NDArray, NDArray)}). After each step the keys are
 * enqueued and the key encoder moves towards the query encoder.
 *
 * <p>Defaults of the CIFAR-size set-ups: queue 4096, momentum 0.99, temperature 0.2, head
 * Linear(featureDim)-ReLU-Linear(128). The loss is symmetrised over the two views (both views are
 * queries against the other's keys, and both views' keys are enqueued), as in solo-learn's MoCo
 * v2+; the paper's version uses one direction. With a single device there is no shuffled batch
 * norm: the key encoder sees the same batch composition as the query encoder.
 */
public final class MoCo extends MomentumMethod {
    /** MoCo v2's temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.2;
    /** Projection output width from the paper. */
    public static final int DEFAULT_PROJECTION_DIM = 128;

    private final NtXentLoss loss;
    private final MemoryBank memoryBank;
    private final double momentum;
    /** The keys of the last training step, enqueued by {@link #afterStep}. */

    private MoCo(Builder builder, Block projectionHead, Block targetProjectionHead,
            int projectionDim) {
        super("moco", builder.backbone, builder.targetBackbone, projectionHead, targetProjectionHead);
        loss = new NtXentLoss(builder.temperature);
        momentum = builder.momentum;
        memoryBank = model().addHead("memory_bank",
                new MemoryBank(builder.queueSize, projectionDim), projectionDim);
    }

    public static Builder builder() {
        return new Builder();
    }

    public double temperature() {
        return loss.temperature();
    }

    public MemoryBank memoryBank() {
        return memoryBank;
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        memoryBank.stage(null);
        NDArray queries = project(parameterStore, batch, training); // (2N, dim)
        NDArray keys = targetProject(parameterStore, batch, training); // (2N, dim), detached
        NDArray negatives = memoryBank.keys(); // (queueSize, dim), frozen
        // borrow the queue for the step, so that what is computed from it is freed with the step
        queries.getManager().tempAttachAll(negatives);
        NDArray value = Scalars.dividedBy(
                loss.compute(batch.view(queries, 0), batch.view(keys, 1), negatives)
                        .add(loss.compute(batch.view(queries, 1), batch.view(keys, 0), negatives)),
                2f);
        if (training) {
            memoryBank.stage(keys.normalize(2, 1, 1e-12));
        }
        return value;
    }

    /** Enqueues the step's keys, then moves the key encoder towards the query encoder. */
    @Override
    public void afterStep(long step, long totalSteps) {
        memoryBank.enqueueStaged();
        momentumEncoder().update(momentum);
    }

    /** Builds a {@link MoCo}; the backbone is required. */
    public static final class Builder extends MomentumMethod.Builder<Builder> {
        private double temperature = DEFAULT_TEMPERATURE;
        private int queueSize = MemoryBank.DEFAULT_SIZE;
        private double momentum = MomentumEncoder.DEFAULT_MOMENTUM;

        Builder() {
            super(DEFAULT_PROJECTION_DIM);
        }

        @Override
        Builder self() {
            return this;
        }

        public Builder optTemperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /** Keys in the queue; any size of at least two batches' keys (2 x batch) works. */
        public Builder optQueueSize(int queueSize) {
            this.queueSize = queueSize;
            return this;
        }

        /** The key encoder's EMA momentum m, in [0, 1]. */
        public Builder optMomentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Builds the method; the default projection head is {@link ProjectionHead#mocoV2}. */
        public MoCo build() {
            resolveBackbones();
            if (!(momentum >= 0 && momentum <= 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1], found " + momentum);
            }
            Supplier<Block> heads = projectionHead != null ? projectionHead
                    : () -> ProjectionHead.mocoV2(backbone.featureDim(), projectionDim);
            return new MoCo(this, heads.get(), heads.get(), projectionDim);
        }
    }
}
