package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import dev.selfsup.nn.Backbone;
import dev.selfsup.pretext.ImageCorruption;
import dev.selfsup.pretext.ImageMasks;

/**
 * Masked image modeling in the manner of SimMIM (Xie et al. 2021,
 * https://arxiv.org/abs/2111.09886): the image is cut into square patches, a fixed share of them
 * ({@value #DEFAULT_MASK_RATIO} by default, the paper's 0.6) chosen at random per image is
 * hidden, and the decoder predicts the raw pixels, scored on the hidden patches only. SimMIM
 * uses 32-pixel patches on 192-pixel images (a 6x6 grid); on small images the default patch is
 * 4 pixels (an 8x8 grid on 32x32, 7x7 on 28x28). Hidden pixels are set to the mean colour
 * rather than a learned mask token, and the decoder works from the backbone's pooled features.
 */
public final class MaskedImageModeling extends ReconstructionMethod {
    /** The CLI name. */
    public static final String NAME = "masked-image";
    /** Share of patches hidden, SimMIM's default. */
    public static final double DEFAULT_MASK_RATIO = 0.6;

    /** SimMIM-style masking with the default patch size and ratio. */
    public MaskedImageModeling(Backbone backbone) {
        this(backbone, defaultPatchSize((int) backbone.inputShape().get(1),
                (int) backbone.inputShape().get(2)), DEFAULT_MASK_RATIO);
    }

    /**
     * @param patchSize side of the square patches; must divide the image's height and width
     * @param maskRatio share of the patches hidden, in (0, 1)
     */
    public MaskedImageModeling(Backbone backbone, int patchSize, double maskRatio) {
        super(NAME, backbone, patches(backbone, patchSize, maskRatio), "masked", "filled in");
    }

    /** 4 pixels when it divides both sides, else 2, else 1. */
    public static int defaultPatchSize(int height, int width) {
        for (int size : new int[] {4, 2}) {
            if (height % size == 0 && width % size == 0) {
                return size;
            }
        }
        return 1;
    }

    private static ImageCorruption patches(Backbone backbone, int patchSize, double maskRatio) {
        // checked here so that bad settings fail at construction, not at the first step
        int height = (int) backbone.inputShape().get(1);
        int width = (int) backbone.inputShape().get(2);
        if (patchSize <= 0 || height % patchSize != 0 || width % patchSize != 0) {
            throw new IllegalArgumentException("patch size must be > 0 and divide the image size "
                    + height + "x" + width + ", found " + patchSize);
        }
        if (!(maskRatio > 0 && maskRatio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), found " + maskRatio);
        }
        return images -> {
            NDArray mask = ImageMasks.patches(images.getManager(),
                    Math.toIntExact(images.getShape().get(0)), height, width, patchSize, maskRatio);
            return new ImageCorruption.Corrupted(ImageCorruption.hide(images, mask), mask);
        };
    }
}
