package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import dev.selfsup.nn.Backbone;
import dev.selfsup.pretext.ImageCorruption;
import dev.selfsup.pretext.ImageMasks;

/**
 * Inpainting, the context encoder (Pathak et al. 2016, https://arxiv.org/abs/1604.07379): a
 * square region of each image is hidden (set to the mean colour), and the decoder fills it in
 * from the backbone's features of the rest, with the squared error counted on the hidden region
 * only. The paper hides the central quarter of the area; here the square (default a quarter of
 * the area, {@value #DEFAULT_AREA_FRACTION}) sits at a random position in each image, as in the
 * paper's random-block variant.
 */
public final class Inpainting extends ReconstructionMethod {
    /** The CLI name. */
    public static final String NAME = "inpainting";
    /** Area of the hidden square as a fraction of the image, the paper's quarter. */
    public static final double DEFAULT_AREA_FRACTION = 0.25;

    /** Inpainting with the default square. */
    public Inpainting(Backbone backbone) {
        this(backbone, DEFAULT_AREA_FRACTION);
    }

    /** Inpainting of a random square of about {@code areaFraction} of each image, in (0, 1). */
    public Inpainting(Backbone backbone, double areaFraction) {
        super(NAME, backbone, square(ImageMasks.squareSide((int) backbone.inputShape().get(1),
                (int) backbone.inputShape().get(2), areaFraction)), "masked", "filled in");
    }

    private static ImageCorruption square(int side) {
        return images -> {
            long[] shape = images.getShape().getShape();
            NDArray mask = ImageMasks.square(images.getManager(), (int) shape[0], (int) shape[2],
                    (int) shape[3], side);
            return new ImageCorruption.Corrupted(ImageCorruption.hide(images, mask), mask);
        };
    }
}
