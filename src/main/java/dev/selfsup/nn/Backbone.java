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
 */
public record Backbone(String name, Block block, int featureDim, Shape inputShape) {
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

    /** The input shape of a batch of {@code batchSize} samples. */
    public Shape batchShape(long batchSize) {
        return new Shape(batchSize, inputShape.get(0), inputShape.get(1), inputShape.get(2));
    }
}
