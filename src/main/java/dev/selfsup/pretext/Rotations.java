package dev.selfsup.pretext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * RotNet's self-made labels (Gidaris et al. 2018, https://arxiv.org/abs/1803.07728): every image
 * of a batch rotated by 0, 90, 180 and 270 degrees, and the index of its rotation as the label.
 */
public final class Rotations {
    /** The four rotations, in quarter turns counter-clockwise: label {@code k} is {@code 90k} degrees. */
    public static final int COUNT = 4;

    private Rotations() {}

    /**
     * {@code images} {@code (batch, C, S, S)} rotated counter-clockwise by {@code quarterTurns * 90}
     * degrees: output pixel {@code (y, x)} is input pixel {@code (x, S-1-y)} after one turn.
     */
    public static NDArray rotate(NDArray images, int quarterTurns) {
        long height = images.getShape().get(2);
        long width = images.getShape().get(3);
        if (height != width) {
            throw new IllegalArgumentException("rotation by quarter turns needs square images, "
                    + "found " + height + "x" + width);
        }
        int turns = Math.floorMod(quarterTurns, COUNT);
        return turns == 0 ? images : images.rotate90(turns, new int[] {2, 3});
    }

    /**
     * All four rotations of a batch, rotation-major: rows {@code [k*batch, (k+1)*batch)} hold the
     * batch turned by {@code k} quarter turns, {@code (4 * batch, C, S, S)}.
     */
    public static NDArray allFour(NDArray images) {
        NDList turned = new NDList(COUNT);
        for (int k = 0; k < COUNT; k++) {
            turned.add(rotate(images, k));
        }
        return NDArrays.concat(turned, 0);
    }

    /** The labels of {@link #allFour}: {@code k} for row {@code k*batch + i}, {@code (4 * batch)} int64. */
    public static NDArray labels(NDManager manager, int batch) {
        // 0..3, each repeated batch times, made by libtorch: no Java buffer per step
        return manager.arange(0, COUNT, 1, DataType.INT64).repeat(0, batch);
    }
}
