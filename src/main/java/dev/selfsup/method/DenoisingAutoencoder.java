package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.selfsup.nn.Backbone;
import dev.selfsup.pretext.ImageCorruption;
import dev.selfsup.pretext.ImageMasks;

/**
 * The denoising autoencoder (Vincent et al. 2008, https://doi.org/10.1145/1390156.1390294): the
 * input is corrupted and the decoder reconstructs the clean image, with the squared error over
 * every pixel. The corruption is the paper's masking noise (each pixel hidden, set to the mean
 * colour, with probability {@value #DEFAULT_MASK_PROBABILITY}; the paper tries 10% to 50%) plus
 * additive Gaussian noise of standard deviation {@value #DEFAULT_NOISE_STD} in standardised units.
 */
public final class DenoisingAutoencoder extends ReconstructionMethod {
    /** The CLI name. */
    public static final String NAME = "denoising-autoencoder";
    /** Probability that a pixel is hidden. */
    public static final double DEFAULT_MASK_PROBABILITY = 0.25;
    /** Standard deviation of the added noise, in units of each channel's standard deviation. */
    public static final double DEFAULT_NOISE_STD = 0.3;

    /** The denoising autoencoder with the default corruption. */
    public DenoisingAutoencoder(Backbone backbone) {
        this(backbone, DEFAULT_MASK_PROBABILITY, DEFAULT_NOISE_STD);
    }

    /**
     * @param maskProbability probability that a pixel is hidden, in [0, 1)
     * @param noiseStd standard deviation of the added Gaussian noise, {@code >= 0}; not both 0
     */
    public DenoisingAutoencoder(Backbone backbone, double maskProbability, double noiseStd) {
        super(NAME, backbone, corruption(maskProbability, noiseStd), "noisy", "reconstructed");
    }

    private static ImageCorruption corruption(double maskProbability, double noiseStd) {
        if (!(maskProbability >= 0 && maskProbability < 1)) {
            throw new IllegalArgumentException("mask probability must be in [0, 1), found "
                    + maskProbability);
        }
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("noise std must be >= 0, found " + noiseStd);
        }
        if (maskProbability == 0 && noiseStd == 0) {
            throw new IllegalArgumentException("a denoising autoencoder needs some corruption: "
                    + "mask probability and noise std are both 0");
        }
        return images -> {
            long[] shape = images.getShape().getShape();
            NDArray noisy = images;
            if (maskProbability > 0) {
                noisy = ImageCorruption.hide(noisy, ImageMasks.pixels(images.getManager(),
                        (int) shape[0], (int) shape[2], (int) shape[3], maskProbability));
            }
            if (noiseStd > 0) {
                noisy = noisy.add(images.getManager().randomNormal(0f, (float) noiseStd,
                        images.getShape(), DataType.FLOAT32));
            }
            return new ImageCorruption.Corrupted(noisy, null);
        };
    }
}
