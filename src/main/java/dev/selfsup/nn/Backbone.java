package dev.selfsup.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import java.util.Objects;

/**
 * An encoder that maps images {@code (batch, channels, height, width)} to features
 * {@code (batch, featureDim)}: the part of a model that self-supervised training is for.
 *
 * @param name the name the CLI uses ({@code mlp}, {@code resnet18}, {@code small-resnet})
 * @param block the DJL block
 * @param featureDim width of the output features
 * @param inputShape one sample's shape {@code (channels, height, width)}
 * @param takesOtherSizes whether the block also maps smaller images to features (a CNN with
 *     global pooling, a ViT with fixed positions), as multi-crop's local views need
 */
public record Backbone(String name, Block block, int featureDim, Shape inputShape,
        boolean takesOtherSizes) {
    public Backbone {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(block, "block");
        Objects.requireNonNull(inputShape, "inputShape");
        if (featureDim <= 0) {
            throw new IllegalArgumentException("featureDim must be > 0, found " + featureDim);
        }
        if (inputShape.dimension() != 3) {
            throw new IllegalArgumentException(
                    "inputShape must be (channels, height, width), found " + inputShape);
        }
    }

    /** A backbone that takes images of {@code inputShape} only. */
    public Backbone(String name, Block block, int featureDim, Shape inputShape) {
        this(name, block, featureDim, inputShape, false);
    }

    /** The input shape of a batch of {@code batchSize} samples. */
    public Shape batchShape(long batchSize) {
        return new Shape(batchSize, inputShape.get(0), inputShape.get(1), inputShape.get(2));
    }
}
