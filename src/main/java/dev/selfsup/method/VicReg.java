package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.VicRegLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ProjectionHead;

/**
 * VICReg (Bardes et al. 2022, https://arxiv.org/abs/2105.04906): an expander and the variance,
 * invariance and covariance terms (weights 25, 25, 1). The paper's expander is 3 layers of 8192;
 * selfsup's CPU default is Linear(512)-BN-ReLU-Linear(512).
 */
public final class VicReg extends TwoViewMethod {
    /** Expander width of the CPU default. */
    public static final int EXPANDER_DIM = 512;

    private final VicRegLoss loss = new VicRegLoss();

    public VicReg(Backbone backbone) {
        super("vicreg", backbone, ProjectionHead.mlp(EXPANDER_DIM, EXPANDER_DIM));
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray z = project(parameterStore, batch, training); // (2N, 512)
        return loss.compute(batch.view(z, 0), batch.view(z, 1));
    }
}
