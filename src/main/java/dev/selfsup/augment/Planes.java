package dev.selfsup.augment;

import dev.selfsup.data.ChannelStats;

/**
 * Per-thread working copies of one image's channel planes, one array per channel, indexed from 0.
 *
 * <p>HotSpot's C2 in JDK 17 vectorizes a loop only when all its array accesses share one index
 * form ({@code a[i]}, {@code b[i]}); {@code data[offset + i]} next to {@code gray[i]} runs scalar,
 * several times slower. The colour operations therefore copy the planes here (a few
 * {@code System.arraycopy} calls, cheap next to the work), run index-0 loops, and copy back.
 * {@link TransformRecipe} goes further where it can: the crop writes a view straight into these
 * planes, the later transforms work on them ({@link PlanarTransform}), and one final store
 * (standardising on the way when asked) puts the view into its batch.
 */
final class Planes {
    private static final ThreadLocal<Planes> LOCAL = ThreadLocal.withInitial(Planes::new);

    /** Planes of the loaded image: 1 or 3 arrays of at least {@link #plane} values. */
    final float[][] channel = {new float[0], new float[0], new float[0]};
    /** Scratch planes (luma, per-pixel minimum, chroma, hue...). */
    final float[][] work = {new float[0], new float[0], new float[0]};
    /** Values per plane of the loaded image. */
    int plane;

    private Planes() {}

    /** This thread's planes, each at least {@code plane} values long; their contents are stale. */
    static Planes of(int plane) {
        Planes planes = LOCAL.get();
        planes.plane = plane;
        if (planes.channel[0].length < plane) {
            for (int c = 0; c < 3; c++) {
                planes.channel[c] = new float[plane];
                planes.work[c] = new float[plane];
            }
        }
        return planes;
    }

    /**
     * This thread's planes holding a copy of the {@code (channels, plane)} image at
     * {@code data[offset..]}.
     */
    static Planes load(float[] data, int offset, int channels, int plane) {
        Planes planes = of(plane);
        for (int c = 0; c < channels; c++) {
            System.arraycopy(data, offset + c * plane, planes.channel[c], 0, plane);
        }
        return planes;
    }

    /** Copies the first {@code channels} planes back to {@code data[offset..]}. */
    void store(float[] data, int offset, int channels) {
        for (int c = 0; c < channels; c++) {
            System.arraycopy(channel[c], 0, data, offset + c * plane, plane);
        }
    }

    /**
     * Writes the first {@code channels} planes to {@code data[offset..]}, standardised by
     * {@code stats} on the way ({@link ChannelStats#standardizePlane}), so that no separate pass
     * over the stored view is needed.
     */
    void store(float[] data, int offset, int channels, ChannelStats stats) {
        for (int c = 0; c < channels; c++) {
            stats.standardizePlane(c, channel[c], 0, data, offset + c * plane, plane);
        }
    }
}
