package dev.selfsup.data;

import java.util.Arrays;

/**
 * Per-channel mean and standard deviation of pixel values scaled to [0, 1], used to standardise
 * model inputs: {@code (x - mean[c]) / std[c]}.
 *
 * @param mean one value per channel
 * @param std one value per channel, each > 0
 */
public record ChannelStats(float[] mean, float[] std) {
    public ChannelStats {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException("mean and std need one value per channel, found "
                    + mean.length + " and " + std.length);
        }
        for (float s : std) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("std must be > 0, found " + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Statistics of a whole image set (with a floor of 1e-3 on the std of a flat channel). */
    public static ChannelStats of(ImageSet set) {
        int channels = set.channels();
        int plane = set.height() * set.width();
        double[] sum = new double[channels];
        double[] sumSquares = new double[channels];
        byte[] pixels = set.pixels();
        for (int i = 0; i < set.size(); i++) {
            int offset = set.offsetOf(i);
            for (int c = 0; c < channels; c++) {
                long s = 0;
                long s2 = 0;
                int base = offset + c * plane;
                for (int p = 0; p < plane; p++) {
                    int v = pixels[base + p] & 0xFF;
                    s += v;
                    s2 += (long) v * v;
                }
                sum[c] += s;
                sumSquares[c] += s2;
            }
        }
        float[] mean = new float[channels];
        float[] std = new float[channels];
        double count = (double) set.size() * plane;
        for (int c = 0; c < channels; c++) {
            double m = sum[c] / count;
            double variance = Math.max(0, sumSquares[c] / count - m * m);
            mean[c] = (float) (m / 255.0);
            std[c] = (float) Math.max(1e-3, Math.sqrt(variance) / 255.0);
        }
        return new ChannelStats(mean, std);
    }

    public int channels() {
        return mean.length;
    }

    /** Standardises {@code (channels, plane)} values in place, starting at {@code offset}. */
    public void standardize(float[] data, int offset, int plane) {
        for (int c = 0; c < mean.length; c++) {
            standardizePlane(c, data, offset + c * plane, data, offset + c * plane, plane);
        }
    }

    /**
     * Writes {@code (source[from + p] - mean[c]) / std[c]} (as {@link #standardize} computes it)
     * to {@code target[to + p]} for {@code p < length}: one channel's plane standardised on its
     * way to another buffer, or in place when source and target are the same region.
     */
    public void standardizePlane(int channel, float[] source, int from, float[] target, int to,
            int length) {
        float m = mean[channel];
        float inverse = 1f / std[channel];
        for (int p = 0; p < length; p++) {
            target[to + p] = (source[from + p] - m) * inverse;
        }
    }

    /** Undoes {@link #standardize} in place: {@code x * std[c] + mean[c]}. */
    public void destandardize(float[] data, int offset, int plane) {
        for (int c = 0; c < mean.length; c++) {
            float m = mean[c];
            float s = std[c];
            int base = offset + c * plane;
            for (int p = 0; p < plane; p++) {
                data[base + p] = data[base + p] * s + m;
            }
        }
    }

    /**
     * Images {@code [start, start + count)} of {@code set} scaled to [0, 1] and standardised,
     * written to {@code out} from index 0 as {@code (count, channels, height, width)}.
     */
    public void standardizeImages(ImageSet set, int start, int count, float[] out) {
        int volume = set.imageVolume();
        int plane = set.height() * set.width();
        byte[] pixels = set.pixels();
        int first = set.offsetOf(start);
        for (int i = 0; i < count * volume; i++) {
            out[i] = (pixels[first + i] & 0xFF) * (1f / 255f);
        }
        for (int s = 0; s < count; s++) {
            standardize(out, s * volume, plane);
        }
    }
}
