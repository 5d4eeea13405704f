package dev.selfsup.augment;

import dev.selfsup.data.ImageSet;
import java.util.Objects;

/**
 * A mutable float image of shape {@code (channels, height, width)} in channel-major order, values
 * nominally in [0, 1]. Transforms read one and return one (the same object when they work in
 * place).
 */
public final class FloatImage {
    private final int channels;
    private final int height;
    private final int width;
    private final float[] data;

    /** Wraps {@code data} (not copied); its length must be {@code channels * height * width}. */
    public FloatImage(int channels, int height, int width, float[] data) {
        Objects.requireNonNull(data, "data");
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive, found "
                    + channels + "x" + height + "x" + width);
        }
        if (data.length != channels * height * width) {
            throw new IllegalArgumentException("data length must be " + channels * height * width
                    + " for " + channels + "x" + height + "x" + width + ", found " + data.length);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.data = data;
    }

    /** A zero-filled image. */
    public static FloatImage zeros(int channels, int height, int width) {
        return new FloatImage(channels, height, width, new float[channels * height * width]);
    }

    /** Image {@code index} of {@code set}, scaled from bytes to [0, 1]. */
    public static FloatImage of(ImageSet set, int index) {
        int volume = set.imageVolume();
        byte[] pixels = set.pixels();
        int offset = set.offsetOf(index);
        float[] data = new float[volume];
        for (int i = 0; i < volume; i++) {
            data[i] = (pixels[offset + i] & 0xFF) * (1f / 255f);
        }
        return new FloatImage(set.channels(), set.height(), set.width(), data);
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The backing array, {@code (channels, height, width)}. */
    public float[] data() {
        return data;
    }

    /** Value at channel {@code c}, row {@code y}, column {@code x}. */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** Sets the value at channel {@code c}, row {@code y}, column {@code x}. */
    public void set(int c, int y, int x, float value) {
        data[(c * height + y) * width + x] = value;
    }

    /** A deep copy. */
    public FloatImage copy() {
        return new FloatImage(channels, height, width, data.clone());
    }
}
