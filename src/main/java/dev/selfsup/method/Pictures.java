package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import dev.selfsup.data.ChannelStats;

/** Helpers that turn arrays into {@link PictureSheet.Panel}s. */
final class Pictures {
    private Pictures() {}

    /** Panel {@code i} of standardised images {@code (count, C, H, W)}, back in [0, 1]. */
    static PictureSheet.Panel standardized(float[] values, long[] shape, int i, ChannelStats stats,
            String caption) {
        int channels = (int) shape[1];
        int height = (int) shape[2];
        int width = (int) shape[3];
        int volume = channels * height * width;
        float[] pixels = java.util.Arrays.copyOfRange(values, i * volume, (i + 1) * volume);
        stats.destandardize(pixels, 0, height * width);
        return new PictureSheet.Panel(clamp(pixels), channels, height, width, caption);
    }

    /** Panels of every image of a standardised batch {@code (count, C, H, W)}. */
    static PictureSheet.Panel[] standardized(NDArray images, ChannelStats stats) {
        long[] shape = images.getShape().getShape();
        float[] values = images.toFloatArray();
        PictureSheet.Panel[] panels = new PictureSheet.Panel[(int) shape[0]];
        for (int i = 0; i < panels.length; i++) {
            panels[i] = standardized(values, shape, i, stats, "");
        }
        return panels;
    }

    /** The same panel with another caption. */
    static PictureSheet.Panel captioned(PictureSheet.Panel panel, String caption) {
        return new PictureSheet.Panel(panel.pixels(), panel.channels(), panel.height(),
                panel.width(), caption);
    }

    static float[] clamp(float[] pixels) {
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = Math.max(0f, Math.min(1f, pixels[i]));
        }
        return pixels;
    }
}
