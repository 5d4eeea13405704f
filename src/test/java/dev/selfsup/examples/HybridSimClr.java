package dev.selfsup.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.loss.VicRegLoss;
import dev.selfsup.method.Method;
import dev.selfsup.method.ViewBatch;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PartsBlock;
import dev.selfsup.nn.ProjectionHead;

// readme:begin custom-method
/** SimCLR's NT-Xent plus a little of VICReg's variance and covariance terms, from public parts. */
public final class HybridSimClr implements Method {
    private final PartsBlock model;
    private final Block head = ProjectionHead.mlp(256, 64);
    private final NtXentLoss contrast = new NtXentLoss(0.2);
    private final VicRegLoss spread = new VicRegLoss(0, 25, 1); // no invariance term

    public HybridSimClr(Backbone backbone) {
        model = new PartsBlock(backbone);
        model.addHead("projection_head", head, backbone.featureDim());
    }

    @Override public String name() { return "hybrid-simclr"; }
    @Override public PartsBlock model() { return model; }
    @Override public int viewCount() { return 2; }
    @Override public String defaultRecipe() { return "simclr"; }

    @Override
    public NDArray loss(ParameterStore parameters, ViewBatch batch, boolean training) {
        NDList features = model.forward(parameters, new NDList(batch.images()), training);
        NDArray z = head.forward(parameters, features, training).singletonOrThrow(); // (2N, 64)
        NDArray z1 = batch.view(z, 0), z2 = batch.view(z, 1);
        return contrast.compute(z1, z2).add(spread.compute(z1, z2).mul(0.01f));
    }
}
// readme:end
