package dev.selfsup.augment;

/**
 * A rectangle of a source image, in pixels: rows {@code [top, top + height)}, columns
 * {@code [left, left + width)}. torchvision calls it {@code (i, j, h, w)}.
 *
 * @param top first row
 * @param left first column
 * @param height number of rows, at least 1
 * @param width number of columns, at least 1
 */
public record CropBox(int top, int left, int height, int width) {
    public CropBox {
        if (top < 0 || left < 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("crop box must have top, left >= 0 and height, "
                    + "width > 0, found " + describe(top, left, height, width));
        }
    }

    /** The whole of a {@code height x width} image. */
    public static CropBox full(int height, int width) {
        return new CropBox(0, 0, height, width);
    }

    /** Fraction of a {@code imageHeight x imageWidth} image that the box covers. */
    public double areaFraction(int imageHeight, int imageWidth) {
        return (double) height * width / ((double) imageHeight * imageWidth);
    }

    /** Whether the box lies inside a {@code imageHeight x imageWidth} image. */
    public boolean fitsIn(int imageHeight, int imageWidth) {
        return top + height <= imageHeight && left + width <= imageWidth;
    }

    private static String describe(int t, int l, int h, int w) {
        return "(top=" + t + ", left=" + l + ", height=" + h + ", width=" + w + ")";
    }
}
