package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.nn.Backbone;

/**
 * Shared plumbing of the two-view methods built from a backbone and a projection head: both
 * views run through the model as one {@code (2N, C, H, W)} batch, and subclasses turn the
 * {@code (2N, dim)} projections into a loss.
 */
abstract class TwoViewMethod extends PartsMethod {
    private final Block projectionHead;

    TwoViewMethod(String name, Backbone backbone, Block projectionHead) {
        super(name, backbone);
        this.projectionHead = model().addHead("projection_head", projectionHead,
                backbone.featureDim());
    }

    @Override
    public int viewCount() {
        return 2;
    }

    @Override
    public String defaultRecipe() {
        return "simclr";
    }

    /** The projection head, taking {@code (batch, featureDim)}. */
    Block projectionHead() {
        return projectionHead;
    }

    /** Projections of both views, {@code (2N, projectionDim)}, view-major. */
    NDArray project(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        return project(parameterStore, batch.images(), training);
    }

    /** Projections of any images {@code (n, C, H, W)}, e.g. local views: {@code (n, dim)}. */
    NDArray project(ParameterStore parameterStore, NDArray images, boolean training) {
        NDList features = model().forward(parameterStore, new NDList(images), training);
        return projectionHead.forward(parameterStore, features, training).singletonOrThrow();
    }
}
