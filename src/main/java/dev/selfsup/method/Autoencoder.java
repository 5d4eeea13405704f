package dev.selfsup.method;

import dev.selfsup.nn.Backbone;
import dev.selfsup.pretext.ImageCorruption;

/**
 * The plain autoencoder: the backbone encodes the image to its features, a {@link
 * dev.selfsup.nn.ConvDecoder} decodes them back to the image, and the loss is the mean squared
 * error over every pixel (standardised units). The features are the bottleneck.
 */
public final class Autoencoder extends ReconstructionMethod {
    /** The CLI name. */
    public static final String NAME = "autoencoder";

    public Autoencoder(Backbone backbone) {
        super(NAME, backbone, ImageCorruption.none(), "input", "reconstructed");
    }
}
