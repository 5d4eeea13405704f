package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NegativeCosineLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PredictionHead;
import dev.selfsup.nn.ProjectionHead;

/**
 * SimSiam (Chen and He 2021, https://arxiv.org/abs/2011.10566): a projector, a bottleneck
 * predictor (width / 4) on one branch, a stop-gradient on the other, and the symmetric negative
 * cosine. The CPU default projector is Linear(512)-BN-ReLU-Linear(512)-BN (the paper's CIFAR
 * projector, whose output batch norm matters), the predictor
 * Linear(128)-BN-ReLU-Linear(512).
 */
public final class SimSiam extends TwoViewMethod {
    /** Projector width of the CPU default. */
    public static final int PROJECTION_DIM = 512;

    private final Block predictor;
    private final NegativeCosineLoss loss = new NegativeCosineLoss();

    public SimSiam(Backbone backbone) {
        super("simsiam", backbone, ProjectionHead.simSiam(PROJECTION_DIM, PROJECTION_DIM));
        predictor = model().addHead("prediction_head",
                PredictionHead.simSiam(PROJECTION_DIM / 4, PROJECTION_DIM), PROJECTION_DIM);
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray z = project(parameterStore, batch, training); // (2N, 512)
        NDArray p = predictor.forward(parameterStore, new NDList(z), training).singletonOrThrow();
        return loss.compute(batch.view(p, 0), batch.view(p, 1), batch.view(z, 0), batch.view(z, 1));
    }
}
