package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.MemoryBank;
import dev.selfsup.nn.PredictionHead;
import dev.selfsup.nn.ProjectionHead;
import dev.selfsup.nn.Scalars;

/**
 * NNCLR (Dwibedi et al. 2021, https://arxiv.org/abs/2104.14548): SimCLR whose positive for a view
 * is not the other view's projection but that projection's nearest neighbour in a support queue of
 * past projections, so that positives come from other images of the same kind. Per step, with
 * {@code z} the projections, {@code p} the predictions and {@code NN} the nearest queue row by
 * cosine (no gradient):
 * <pre>  loss = ( InfoNCE(NN(z1), p2) + InfoNCE(NN(z2), p1) ) / 2</pre>
 * ({@link NtXentLoss#crossView}, temperature 0.1 as the paper), then the first views' normalised
 * projections replace the oldest queue rows ({@link MemoryBank}, saved with checkpoints, so a
 * resumed run sees the same neighbours). The paper's heads are 2048 and 4096 wide with a queue of
 * 98,304; the CPU defaults are Linear(512)-BN-ReLU-Linear(256) for both heads and the queue of
 * {@link MemoryBank#DEFAULT_SIZE}. Until the queue has been filled once, some neighbours are its
 * random initial rows.
 */
public final class Nnclr extends TwoViewMethod {
    /** The registry name. */
    public static final String NAME = "nnclr";
    /** The paper's temperature. */
    public static final double DEFAULT_TEMPERATURE = 0.1;
    /** Width of the projections and predictions (the paper's). */
    public static final int PROJECTION_DIM = 256;
    /** Hidden width of both heads on CPU. */
    public static final int HIDDEN_DIM = 512;

    private final Block predictor;
    private final MemoryBank support;
    private final NtXentLoss loss;

    /**
     * @param temperature the InfoNCE temperature
     * @param queueSize projections the support queue holds
     */
    public Nnclr(Backbone backbone, double temperature, int queueSize) {
        super(NAME, backbone, ProjectionHead.mlp(HIDDEN_DIM, PROJECTION_DIM));
        predictor = model().addHead("prediction_head",
                PredictionHead.byol(HIDDEN_DIM, PROJECTION_DIM), PROJECTION_DIM);
        support = model().addHead("support_queue", new MemoryBank(queueSize, PROJECTION_DIM),
                PROJECTION_DIM);
        loss = new NtXentLoss(temperature);
    }

    public double temperature() {
        return loss.temperature();
    }

    /** The support queue of past projections. */
    public MemoryBank supportQueue() {
        return support;
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        support.stage(null);
        NDArray z = project(parameterStore, batch, training); // (2N, 256)
        NDArray p = predictor.forward(parameterStore, new NDList(z), training)
                .singletonOrThrow(); // (2N, 256)
        NDArray queue = support.keys(); // (queueSize, 256), unit rows, frozen
        // borrow the queue for the step, so that what is computed from it is freed with the step
        z.getManager().tempAttachAll(queue);
        NDArray z1 = batch.view(z, 0);
        NDArray value = Scalars.dividedBy(
                loss.crossView(nearest(z1, queue), batch.view(p, 1))
                        .add(loss.crossView(nearest(batch.view(z, 1), queue), batch.view(p, 0))),
                2f);
        if (training) {
            support.stage(z1.stopGradient().normalize(2, 1, 1e-12));
        }
        return value;
    }

    /** For every row of {@code z} {@code (N, dim)}, the queue row nearest by cosine, {@code (N, dim)}. */
    static NDArray nearest(NDArray z, NDArray queue) {
        NDArray similarity = z.stopGradient().normalize(2, 1, 1e-12)
                .matMul(queue.transpose()); // (N, queueSize)
        return queue.get(new NDIndex("{}", similarity.argMax(1))); // (N, dim)
    }

    @Override
    public void afterStep(long step, long totalSteps) {
        support.enqueueStaged();
    }
}
