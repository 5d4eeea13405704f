package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.selfsup.loss.CosineDistanceLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PartsBlock;

/**
 * The classic first self-supervised exercise: an encoder, two noisy views of each image, and the
 * loss {@code 1 - mean cos(z1, z2)} with no negatives and no predictor. It is where people start,
 * and it collapses (every embedding the same): the run's {@code embedding_std} falls toward 0,
 * which is why contrastive methods bring negatives.
 */
public final class Tutorial implements Method {
    private final PartsBlock model;
    private final CosineDistanceLoss loss = new CosineDistanceLoss();

    /** @param backbone the encoder, classically {@code Backbones.mlp} */
    public Tutorial(Backbone backbone) {
        model = new PartsBlock(backbone);
    }

    @Override
    public String name() {
        return "tutorial";
    }

    @Override
    public PartsBlock model() {
        return model;
    }

    @Override
    public int viewCount() {
        return 2;
    }

    @Override
    public String defaultRecipe() {
        return "tutorial";
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray embeddings = model.forward(parameterStore, new NDList(batch.images()), training)
                .singletonOrThrow(); // (2N, featureDim)
        return loss.compute(batch.view(embeddings, 0), batch.view(embeddings, 1));
    }
}
