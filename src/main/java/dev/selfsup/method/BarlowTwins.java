package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.BarlowTwinsLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ProjectionHead;

/**
 * Barlow Twins (Zbontar et al. 2021, https://arxiv.org/abs/2103.03230): a projector and the
 * cross-correlation loss, no negatives and no momentum encoder. The paper's projector is 3 layers
 * of 8192; selfsup's CPU default is Linear(512)-BN-ReLU-Linear(512), lambda 5e-3.
 */
public final class BarlowTwins extends TwoViewMethod {
    /** Projector width of the CPU default. */
    public static final int PROJECTION_DIM = 512;

    private final BarlowTwinsLoss loss;

    public BarlowTwins(Backbone backbone, double lambda) {
        super("barlow-twins", backbone, ProjectionHead.mlp(PROJECTION_DIM, PROJECTION_DIM));
        loss = new BarlowTwinsLoss(lambda);
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray z = project(parameterStore, batch, training); // (2N, 512)
        return loss.compute(batch.view(z, 0), batch.view(z, 1));
    }
}
