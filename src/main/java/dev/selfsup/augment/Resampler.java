package dev.selfsup.augment;


/**
 * Separable bilinear resampling of a {@link CropBox} to a square {@code (channels, size, size)}
 * output, with the semantics of torchvision's {@code resized_crop(..., BILINEAR, antialias=True)}
 * (the same as PIL's {@code BILINEAR}): pixel centres at half-integers, a triangle filter whose
 * support widens with the downscaling factor (plain bilinear when enlarging), taps restricted to
 * the box and renormalised at its edges.
 *
 * <p>Per call it takes one tap table per axis (first tap and weights for every output row and
 * column; built once per thread for each box side and output size, then reused), resamples each
 * box row horizontally into its own line array (8-bit sources read through a 256-entry
 * byte-to-float table as they are tapped, with no separate conversion pass), then combines lines
 * down the columns into the output. Horizontal first means the costly gathers run once per box
 * row rather than once per output row; mirroring only reverses the column table. Tables and
 * buffers live in thread-local scratch, so no allocation happens per call once a thread has
 * warmed up. Weights are non-negative and their float sums are capped at 1 ({@link #capSum}), so
 * inputs in [0, 1] give outputs in [0, 1] without clamping; other inputs are not clamped.
 */
final class Resampler {
    /** Byte value to float exactly as {@link FloatImage#of}: {@code b * (1f / 255f)}. */
    private static final float[] BYTE_TO_FLOAT = new float[256];
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    static {
        for (int b = 0; b < 256; b++) {
            BYTE_TO_FLOAT[b] = b * (1f / 255f);
        }
    }

    private Resampler() {}

    /** Tap table of one axis: output {@code o} reads {@code taps} inputs from {@code start[o]}. */
    static final class Axis {
        int taps;
        int[] start = new int[0];
        float[] weights = new float[0];

        /**
         * Fills the table for resampling {@code [boxStart, boxStart + boxSize)} to
         * {@code outSize} samples: closed-form two-tap bilinear when enlarging (or keeping the
         * size), the general triangle filter when shrinking.
         */
        void fill(int boxStart, int boxSize, int outSize) {
            if (boxSize <= outSize && boxSize >= 2) {
                fillBilinear(boxStart, boxSize, outSize);
            } else {
                fillGeneral(boxStart, boxSize, outSize);
            }
        }

        /**
         * Two taps per output: source position {@code t = (o + 0.5) * scale - 0.5}, weights
         * {@code 1 - frac(t)} and {@code frac(t)}, edges clamped. Equal, up to rounding, to
         * {@link #fillGeneral} for {@code 2 <= boxSize <= outSize}.
         */
        void fillBilinear(int boxStart, int boxSize, int outSize) {
            ensure(outSize, 2);
            taps = 2;
            double scale = (double) boxSize / outSize;
            for (int o = 0; o < outSize; o++) {
                double t = (o + 0.5) * scale - 0.5;
                int first;
                float w0;
                float w1;
                if (t <= 0.0) {
                    first = 0;
                    w0 = 1f;
                    w1 = 0f;
                } else {
                    int below = (int) t;
                    if (below >= boxSize - 1) {
                        first = boxSize - 2;
                        w0 = 0f;
                        w1 = 1f;
                    } else {
                        first = below;
                        float frac = (float) (t - below);
                        w0 = 1f - frac;
                        w1 = frac;
                        if (w0 + w1 > 1f) {
                            w0 = Math.nextDown(w0);
                        }
                    }
                }
                start[o] = boxStart + first;
                weights[2 * o] = w0;
                weights[2 * o + 1] = w1;
            }
        }

        /**
         * PIL's and torchvision's antialiased bilinear filter: a triangle of half-width
         * {@code max(1, scale)} source pixels around each output centre {@code (o + 0.5) *
         * scale}, restricted to the box and normalised; every output gets the same number of
         * taps (zero-padded), placed inside the box.
         */
        void fillGeneral(int boxStart, int boxSize, int outSize) {
            double scale = (double) boxSize / outSize;
            double support = Math.max(scale, 1.0);
            double filterScale = 1.0 / support;
            int maxTaps = 0;
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(boxSize, (int) Math.floor(center + support + 0.5));
                maxTaps = Math.max(maxTaps, hi - lo);
            }
            maxTaps = Math.max(maxTaps, 1);
            ensure(outSize, maxTaps);
            taps = maxTaps;
            for (int o = 0; o < outSize; o++) {
                double center = (o + 0.5) * scale;
                int lo = Math.max(0, (int) Math.floor(center - support + 0.5));
                int hi = Math.min(boxSize, (int) Math.floor(center + support + 0.5));
                int first = Math.max(0, Math.min(lo, boxSize - maxTaps));
                double sum = 0;
                for (int k = 0; k < maxTaps; k++) {
                    int x = first + k;
                    double w = 0;
                    if (x >= lo && x < hi) {
                        w = Math.max(0.0, 1.0 - Math.abs((x - center + 0.5) * filterScale));
                    }
                    weights[o * maxTaps + k] = (float) w;
                    sum += w;
                }
                if (sum <= 0) {
                    // cannot happen for a non-empty box; nearest neighbour keeps it well defined
                    int nearest = Math.min(boxSize - 1, (int) center) - first;
                    weights[o * maxTaps + nearest] = 1f;
                    sum = 1;
                }
                for (int k = 0; k < maxTaps; k++) {
                    weights[o * maxTaps + k] = (float) (weights[o * maxTaps + k] / sum);
                }
                capSum(weights, o * maxTaps, maxTaps);
                start[o] = boxStart + first;
            }
        }

        /** Reverses the order of the first {@code outSize} outputs: mirrors the axis. */
        void mirror(int outSize) {
            for (int lo = 0, hi = outSize - 1; lo < hi; lo++, hi--) {
                int t = start[lo];
                start[lo] = start[hi];
                start[hi] = t;
                for (int k = 0; k < taps; k++) {
                    float w = weights[lo * taps + k];
                    weights[lo * taps + k] = weights[hi * taps + k];
                    weights[hi * taps + k] = w;
                }
            }
        }

        private void ensure(int outSize, int tapCount) {
            if (start.length < outSize) {
                start = new int[outSize];
            }
            if (weights.length < outSize * tapCount) {
                weights = new float[outSize * tapCount];
            }
        }
    }

    /**
     * Lowers the largest of {@code taps} weights by ulps until their float sum, accumulated in
     * order as the resampling loops do, is at most 1. Rounding is monotone, so a weighted sum of
     * values in [0, 1] then stays in [0, 1] without clamping.
     */
    static void capSum(float[] weights, int from, int taps) {
        while (true) {
            float total = 0f;
            int largest = from;
            for (int k = 0; k < taps; k++) {
                total += weights[from + k];
                if (weights[from + k] > weights[largest]) {
                    largest = from + k;
                }
            }
            if (total <= 1f) {
                return;
            }
            weights[largest] = Math.nextDown(weights[largest]);
        }
    }

    /** One thread's tables and buffers. */
    private static final class Scratch {
        /** Box sides up to this many pixels have their tables kept (per output size). */
        private static final int CACHED_SIDES = 512;

        /** The tables of the current call. */
        Axis rows;
        Axis columns;
        /** Per channel, one horizontally resampled line per box row, of the output width. */
        float[][][] lines = new float[3][0][];
        /**
         * Tables by output size, then plain [0] or mirrored [1], then box side; null until used.
         * Kept per size: multi-crop renders views of two sizes in turn on one thread.
         */
        private final java.util.Map<Integer, Axis[][]> bySize = new java.util.HashMap<>();
        /** Tables of sides beyond the cache, refilled per call. */
        private final Axis largeRows = new Axis();
        private final Axis largeColumns = new Axis();

        /**
         * Picks both tables (columns mirrored on request) and sizes the buffers. A table depends
         * only on the box side and the output size, so tables of small boxes are built once per
         * thread and output size (a SimCLR crop draws from a few hundred box shapes).
         */
        void prepare(CropBox box, int size, boolean mirror) {
            Axis[][] tables = bySize.computeIfAbsent(size, s -> new Axis[2][CACHED_SIDES + 1]);
            rows = table(tables[0], box.height(), size, false, largeRows);
            columns = table(tables[mirror ? 1 : 0], box.width(), size, mirror, largeColumns);
            float[][] first = lines[0];
            if (first.length < box.height() || first[0].length < size) {
                int count = Math.max(box.height(), first.length);
                int width = Math.max(size, first.length > 0 ? first[0].length : 0);
                for (int c = 0; c < 3; c++) {
                    lines[c] = new float[count][width];
                }
            }
        }

        /** The table of a {@code side}-long box axis, from the cache or filled into {@code large}. */
        private Axis table(Axis[] cache, int side, int size, boolean mirror, Axis large) {
            Axis axis = side <= CACHED_SIDES ? cache[side] : null;
            if (axis == null) {
                axis = side <= CACHED_SIDES ? new Axis() : large;
                axis.fill(0, side, size);
                if (mirror) {
                    axis.mirror(size);
                }
                if (side <= CACHED_SIDES) {
                    cache[side] = axis;
                }
            }
            return axis;
        }
    }

    /**
     * Resamples {@code box} of the 8-bit image at {@code src[srcOffset..]}, {@code (channels,
     * srcHeight, srcWidth)}, scaled to [0, 1] exactly as {@link FloatImage#of}, into
     * {@code out[outOffset..]} as {@code (channels, size, size)}; with {@code mirror} the output is
     * flipped left-right. Gives the same values as the {@code float[]} overload on
     * {@code FloatImage.of} of the same image.
     */
    static void resample(byte[] src, int srcOffset, int channels, int srcHeight, int srcWidth,
            CropBox box, int size, boolean mirror, float[] out, int outOffset) {
        Scratch scratch = rowsOf(src, srcOffset, channels, srcHeight, srcWidth, box, size, mirror);
        for (int c = 0; c < channels; c++) {
            vertical(scratch.lines[c], scratch.rows, size, out, outOffset + c * size * size);
        }
    }

    /**
     * As {@link #resample(byte[], int, int, int, int, CropBox, int, boolean, float[], int)}, but
     * writes channel {@code c} to {@code planes[c]} from index 0, {@code (size, size)}.
     */
    static void resampleToPlanes(byte[] src, int srcOffset, int channels, int srcHeight,
            int srcWidth, CropBox box, int size, boolean mirror, float[][] planes) {
        Scratch scratch = rowsOf(src, srcOffset, channels, srcHeight, srcWidth, box, size, mirror);
        for (int c = 0; c < channels; c++) {
            vertical(scratch.lines[c], scratch.rows, size, planes[c], 0);
        }
    }

    /** This thread's scratch, its lines holding {@code box}'s rows resampled horizontally. */
    private static Scratch rowsOf(byte[] src, int srcOffset, int channels, int srcHeight,
            int srcWidth, CropBox box, int size, boolean mirror) {
        Scratch scratch = SCRATCH.get();
        scratch.prepare(box, size, mirror);
        int base = srcOffset + box.top() * srcWidth + box.left();
        horizontal(src, base, srcWidth, srcHeight * srcWidth, channels, box.height(),
                scratch.columns, size, scratch.lines);
        return scratch;
    }

    /**
     * As {@link #horizontal(float[], int, int, int, int, int, Axis, int, float[][][])} on the
     * bytes of an 8-bit image, each tap read through {@link #BYTE_TO_FLOAT}: the same values as
     * converting the box first, without the separate pass.
     */
    private static void horizontal(byte[] src, int base, int stride, int channelStride,
            int channels, int rowCount, Axis columns, int size, float[][][] lines) {
        int taps = columns.taps;
        int[] start = columns.start;
        float[] w = columns.weights;
        float[] value = BYTE_TO_FLOAT;
        if (channels == 3 && taps == 2) {
            for (int y = 0; y < rowCount; y++) {
                float[] red = lines[0][y];
                float[] green = lines[1][y];
                float[] blue = lines[2][y];
                int r = base + y * stride;
                int g = r + channelStride;
                int b = g + channelStride;
                for (int ox = 0; ox < size; ox++) {
                    int s = start[ox];
                    float w0 = w[2 * ox];
                    float w1 = w[2 * ox + 1];
                    red[ox] = w0 * value[src[r + s] & 0xFF] + w1 * value[src[r + s + 1] & 0xFF];
                    green[ox] = w0 * value[src[g + s] & 0xFF] + w1 * value[src[g + s + 1] & 0xFF];
                    blue[ox] = w0 * value[src[b + s] & 0xFF] + w1 * value[src[b + s + 1] & 0xFF];
                }
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < rowCount; y++) {
                float[] line = lines[c][y];
                int row = base + c * channelStride + y * stride;
                if (taps == 2) {
                    for (int ox = 0; ox < size; ox++) {
                        int s = row + start[ox];
                        line[ox] = w[2 * ox] * value[src[s] & 0xFF]
                                + w[2 * ox + 1] * value[src[s + 1] & 0xFF];
                    }
                    continue;
                }
                for (int ox = 0; ox < size; ox++) {
                    int s = row + start[ox];
                    int wi = ox * taps;
                    float v = 0f;
                    for (int k = 0; k < taps; k++) {
                        v += w[wi + k] * value[src[s + k] & 0xFF];
                    }
                    line[ox] = v;
                }
            }
        }
    }

    /** As {@link #resample(byte[], int, int, int, int, CropBox, int, boolean, float[], int)}. */
    static void resample(float[] src, int srcOffset, int channels, int srcHeight, int srcWidth,
            CropBox box, int size, boolean mirror, float[] out, int outOffset) {
        Scratch scratch = SCRATCH.get();
        scratch.prepare(box, size, mirror);
        int base = srcOffset + box.top() * srcWidth + box.left();
        horizontal(src, base, srcWidth, srcHeight * srcWidth, channels, box.height(),
                scratch.columns, size, scratch.lines);
        for (int c = 0; c < channels; c++) {
            vertical(scratch.lines[c], scratch.rows, size, out, outOffset + c * size * size);
        }
    }

    /**
     * Resamples {@code rowCount} rows of each channel of {@code src} along their length (row
     * {@code y} of channel {@code c} starts at {@code base + c * channelStride + y * stride}):
     * {@code lines[c][y][ox] = sum_k w_k src[c, y, start_ox + k]}. Three two-tap channels share
     * one pass over the column table.
     */
    private static void horizontal(float[] src, int base, int stride, int channelStride,
            int channels, int rowCount, Axis columns, int size, float[][][] lines) {
        int taps = columns.taps;
        int[] start = columns.start;
        float[] w = columns.weights;
        if (channels == 3 && taps == 2) {
            for (int y = 0; y < rowCount; y++) {
                float[] red = lines[0][y];
                float[] green = lines[1][y];
                float[] blue = lines[2][y];
                int r = base + y * stride;
                int g = r + channelStride;
                int b = g + channelStride;
                for (int ox = 0; ox < size; ox++) {
                    int s = start[ox];
                    float w0 = w[2 * ox];
                    float w1 = w[2 * ox + 1];
                    red[ox] = w0 * src[r + s] + w1 * src[r + s + 1];
                    green[ox] = w0 * src[g + s] + w1 * src[g + s + 1];
                    blue[ox] = w0 * src[b + s] + w1 * src[b + s + 1];
                }
            }
            return;
        }
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < rowCount; y++) {
                float[] line = lines[c][y];
                int row = base + c * channelStride + y * stride;
                if (taps == 2) {
                    for (int ox = 0; ox < size; ox++) {
                        int s = row + start[ox];
                        line[ox] = w[2 * ox] * src[s] + w[2 * ox + 1] * src[s + 1];
                    }
                } else {
                    for (int ox = 0; ox < size; ox++) {
                        int s = row + start[ox];
                        int wi = ox * taps;
                        float v = 0f;
                        for (int k = 0; k < taps; k++) {
                            v += w[wi + k] * src[s + k];
                        }
                        line[ox] = v;
                    }
                }
            }
        }
    }

    /**
     * Combines the horizontally resampled lines down each column into the {@code (size, size)}
     * plane at {@code out[planeOut..]}: {@code out[oy][x] = sum_k w_k lines[start_oy + k][x]}.
     */
    private static void vertical(float[][] lines, Axis rows, int size, float[] out,
            int planeOut) {
        int taps = rows.taps;
        int[] start = rows.start;
        float[] w = rows.weights;
        for (int oy = 0; oy < size; oy++) {
            int o = planeOut + oy * size;
            int wi = oy * taps;
            float[] first = lines[start[oy]];
            float w0 = w[wi];
            if (taps == 2) {
                float[] second = lines[start[oy] + 1];
                float w1 = w[wi + 1];
                for (int x = 0; x < size; x++) {
                    out[o + x] = w0 * first[x] + w1 * second[x];
                }
            } else {
                for (int x = 0; x < size; x++) {
                    out[o + x] = w0 * first[x];
                }
                for (int k = 1; k < taps; k++) {
                    float[] line = lines[start[oy] + k];
                    float wk = w[wi + k];
                    for (int x = 0; x < size; x++) {
                        out[o + x] += wk * line[x];
                    }
                }
            }
        }
    }
}
