package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.loss.CrossEntropyLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ProjectionHead;
import dev.selfsup.pretext.Rotations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rotation prediction, RotNet (Gidaris et al. 2018, https://arxiv.org/abs/1803.07728): every image
 * of a batch is shown at 0, 90, 180 and 270 degrees in one step (the paper found all four
 * rotations of an image in the same batch best), and a 4-way head on the backbone's features
 * learns which rotation it sees, with cross-entropy. The default head is
 * Linear(featureDim)-BN-ReLU-Linear(4). Needs square images; it learns only where objects have a
 * canonical orientation (a set of images at random rotations gives it nothing to learn).
 */
public final class RotationPrediction extends SingleViewMethod {
    /** The CLI name. */
    public static final String NAME = "rotation";

    private final Block head;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();

    /** RotNet on {@code backbone} with the default MLP head. */
    public RotationPrediction(Backbone backbone) {
        this(backbone, ProjectionHead.mlp(backbone.featureDim(), Rotations.COUNT));
    }

    /** RotNet on {@code backbone} with a head from {@code (batch, featureDim)} to {@code (batch, 4)}. */
    public RotationPrediction(Backbone backbone, Block head) {
        super(NAME, checkSquare(backbone));
        this.head = model().addHead("rotation_head", head, backbone.featureDim());
    }

    private static Backbone checkSquare(Backbone backbone) {
        if (backbone.inputShape().get(1) != backbone.inputShape().get(2)) {
            throw new IllegalArgumentException("rotation prediction needs square images, found "
                    + backbone.inputShape().get(1) + "x" + backbone.inputShape().get(2));
        }
        return backbone;
    }

    /** Rotation logits of {@link Rotations#allFour} of {@code images}, {@code (4 * batch, 4)}. */
    public NDArray logits(ParameterStore parameterStore, NDArray images, boolean training) {
        NDArray rotated = Rotations.allFour(images); // (4N, C, S, S)
        NDList features = model().forward(parameterStore, new NDList(rotated), training);
        return head.forward(parameterStore, features, training).singletonOrThrow();
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray logits = logits(parameterStore, batch.images(), training);
        return loss.compute(logits, Rotations.labels(logits.getManager(), batch.batchSize()));
    }

    /** Each image at its four rotations, captioned with the predicted angle and its probability. */
    @Override
    public Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        int count = Math.toIntExact(images.getShape().get(0));
        NDArray rotated = Rotations.allFour(images);
        float[] probabilities = logits(parameterStore, images, false).softmax(1).toFloatArray();
        PictureSheet.Panel[] panels = Pictures.standardized(rotated, stats);
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        int right = 0;
        for (int i = 0; i < count; i++) {
            List<PictureSheet.Panel> row = new ArrayList<>();
            for (int k = 0; k < Rotations.COUNT; k++) {
                int index = k * count + i;
                int predicted = 0;
                for (int j = 1; j < Rotations.COUNT; j++) {
                    if (probabilities[index * Rotations.COUNT + j]
                            > probabilities[index * Rotations.COUNT + predicted]) {
                        predicted = j;
                    }
                }
                right += predicted == k ? 1 : 0;
                row.add(Pictures.captioned(panels[index], String.format("%s %d° %.2f",
                        predicted == k ? "ok" : "NO", 90 * predicted,
                        probabilities[index * Rotations.COUNT + predicted])));
            }
            rows.add(row);
        }
        return Optional.of(new PictureSheet(String.format("rotation: predicted angle (and its "
                + "probability) of each rotated input; %d of %d right", right,
                count * Rotations.COUNT), List.of("0°", "90°", "180°", "270°"), rows));
    }
}
