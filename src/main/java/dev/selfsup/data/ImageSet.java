package dev.selfsup.data;

import java.util.List;
import java.util.Objects;

/**
 * An in-memory set of 8-bit images, stored as one {@code (count, channels, height, width)} byte
 * array in channel-major (CHW) order, with optional labels.
 *
 * <p>Pixels are unsigned bytes (0..255); {@link #pixel(int)} returns them as {@code int}. Labels
 * are class indices into {@link #classNames()}, or {@link #UNLABELLED} for every sample of an
 * unlabelled set. Labels are used only for evaluation, never for training.
 *
 * @param identity a short, stable description of where the data came from (for provenance)
 * @param channels 1 (gray) or 3 (RGB)
 * @param height image height in pixels
 * @param width image width in pixels
 * @param pixels {@code count * channels * height * width} bytes, CHW per image
 * @param labels one label per image, or all {@link #UNLABELLED}
 * @param classNames names of the classes, index = label (empty for unlabelled sets)
 */
public record ImageSet(
        String identity,
        int channels,
        int height,
        int width,
        byte[] pixels,
        int[] labels,
        List<String> classNames) {

    /** Label of a sample that has none. */
    public static final int UNLABELLED = -1;

    public ImageSet {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        classNames = List.copyOf(classNames);
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException(
                    "image size must be positive, found " + height + "x" + width);
        }
        long expected = (long) labels.length * channels * height * width;
        if (expected != pixels.length) {
            throw new IllegalArgumentException(
                    "pixels must hold count*channels*height*width = " + expected
                            + " bytes, found " + pixels.length);
        }
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label != UNLABELLED && (label < 0 || label >= classNames.size())) {
                throw new IllegalArgumentException(
                        "label of sample " + i + " must be in [0, " + classNames.size()
                                + "), found " + label);
            }
        }
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** Values per image: {@code channels * height * width}. */
    public int imageVolume() {
        return channels * height * width;
    }

    /** Whether every sample has a label. */
    public boolean isLabelled() {
        if (labels.length == 0 || classNames.isEmpty()) {
            return false;
        }
        for (int label : labels) {
            if (label == UNLABELLED) {
                return false;
            }
        }
        return true;
    }

    /** Number of classes (0 for unlabelled sets). */
    public int classCount() {
        return classNames.size();
    }

    /** The unsigned value (0..255) of the flat pixel index {@code i}. */
    public int pixel(int i) {
        return pixels[i] & 0xFF;
    }

    /** Offset of image {@code index} in {@link #pixels()}. */
    public int offsetOf(int index) {
        return index * imageVolume();
    }

    /** Count of samples per label, index = label. */
    public int[] labelHistogram() {
        int[] histogram = new int[classNames.size()];
        for (int label : labels) {
            if (label != UNLABELLED) {
                histogram[label]++;
            }
        }
        return histogram;
    }

    /** The images at {@code indices}, in that order. */
    public ImageSet subset(int[] indices, String subsetIdentity) {
        int volume = imageVolume();
        byte[] out = new byte[indices.length * volume];
        int[] outLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * volume, out, i * volume, volume);
            outLabels[i] = labels[indices[i]];
        }
        return new ImageSet(subsetIdentity, channels, height, width, out, outLabels, classNames);
    }

    /**
     * A deterministic random subset of {@code count} images (all, if fewer), kept in their
     * original order, so that a subset of class-sorted data still has every class.
     */
    public ImageSet randomSubset(int count, long seed) {
        if (count >= size()) {
            return this;
        }
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.SplittableRandom random = dev.selfsup.util.Seeds.random(seed, size(), count);
        for (int i = 0; i < count; i++) { // partial Fisher-Yates: the first count are the sample
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(order, count);
        java.util.Arrays.sort(chosen);
        return subset(chosen, identity + " subset(" + count + ", seed=" + seed + ")");
    }
}
