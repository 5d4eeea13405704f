package dev.selfsup.pretext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Random masks over images, drawn on the tensor side with libtorch's generator; each is
 * {@code (batch, 1, height, width)} floats, 1 where a pixel is hidden and 0 where it is kept.
 */
public final class ImageMasks {
    private ImageMasks() {}

    /**
     * SimMIM's random patch mask (Xie et al. 2021, https://arxiv.org/abs/2111.09886): the image is
     * cut into {@code patchSize x patchSize} patches and exactly
     * {@code round(maskRatio * patches)} of them (at least 1, at most all but 1), chosen uniformly
     * for each image, are hidden. The paper masks 60% of its 32-pixel patches.
     */
    public static NDArray patches(NDManager manager, int batch, int height, int width,
            int patchSize, double maskRatio) {
        if (patchSize <= 0 || height % patchSize != 0 || width % patchSize != 0) {
            throw new IllegalArgumentException("patch size must be > 0 and divide the image size "
                    + height + "x" + width + ", found " + patchSize);
        }
        checkRatio(maskRatio);
        int rows = height / patchSize;
        int columns = width / patchSize;
        int patches = rows * columns;
        if (patches < 2) {
            throw new IllegalArgumentException("need at least 2 patches to mask some and keep some, "
                    + "found " + patches + " of " + patchSize + " pixels in " + height + "x" + width);
        }
        int hidden = hiddenPatches(patches, maskRatio);
        NDArray scores = manager.randomUniform(0f, 1f, new Shape(batch, patches));
        // rank of each patch's score within its image: the `hidden` lowest are masked
        NDArray ranks = scores.argSort(1).argSort(1); // (batch, patches)
        NDArray mask = ranks.lt(hidden).toType(DataType.FLOAT32, false)
                .reshape(batch, 1, rows, columns); // (batch, 1, rows, columns)
        return mask.repeat(2, patchSize).repeat(3, patchSize); // (batch, 1, H, W)
    }

    /** The number of patches {@link #patches} hides out of {@code patches}. */
    public static int hiddenPatches(int patches, double maskRatio) {
        return (int) Math.max(1, Math.min(patches - 1, Math.round(maskRatio * patches)));
    }

    /**
     * A context-encoder region mask (Pathak et al. 2016, https://arxiv.org/abs/1604.07379): one
     * square of side {@code side} per image at a uniformly random position inside it. The paper's
     * central region is half the image side (a quarter of its area).
     */
    public static NDArray square(NDManager manager, int batch, int height, int width, int side) {
        if (side <= 0 || side >= Math.min(height, width)) {
            throw new IllegalArgumentException("square side must be in [1, " + (Math.min(height,
                    width) - 1) + "] for " + height + "x" + width + " images, found " + side);
        }
        NDArray top = manager.randomInteger(0, height - side + 1, new Shape(batch, 1, 1, 1),
                DataType.INT64).toType(DataType.FLOAT32, false);
        NDArray left = manager.randomInteger(0, width - side + 1, new Shape(batch, 1, 1, 1),
                DataType.INT64).toType(DataType.FLOAT32, false);
        NDArray y = manager.arange(0f, height, 1f).reshape(1, 1, height, 1);
        NDArray x = manager.arange(0f, width, 1f).reshape(1, 1, 1, width);
        NDArray insideY = y.gte(top).logicalAnd(y.lt(top.add((float) side))); // (batch, 1, H, 1)
        NDArray insideX = x.gte(left).logicalAnd(x.lt(left.add((float) side))); // (batch, 1, 1, W)
        return insideY.toType(DataType.FLOAT32, false).mul(insideX.toType(DataType.FLOAT32, false));
    }

    /** The side of the square covering about {@code areaFraction} of an image's smaller side squared. */
    public static int squareSide(int height, int width, double areaFraction) {
        checkRatio(areaFraction);
        int side = (int) Math.round(Math.sqrt(areaFraction) * Math.min(height, width));
        return Math.max(1, Math.min(Math.min(height, width) - 1, side));
    }

    /**
     * Vincent et al.'s masking noise (2008, https://doi.org/10.1145/1390156.1390294): each pixel
     * (all its channels) hidden independently with probability {@code probability}.
     */
    public static NDArray pixels(NDManager manager, int batch, int height, int width,
            double probability) {
        if (!(probability >= 0 && probability < 1)) {
            throw new IllegalArgumentException("probability must be in [0, 1), found " + probability);
        }
        return manager.randomUniform(0f, 1f, new Shape(batch, 1, height, width))
                .lt((float) probability).toType(DataType.FLOAT32, false);
    }

    private static void checkRatio(double ratio) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), found " + ratio);
        }
    }
}
