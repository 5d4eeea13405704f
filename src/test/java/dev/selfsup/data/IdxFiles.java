package dev.selfsup.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes idx files (MNIST format) for tests, plain or gzipped. */
public final class IdxFiles {
    private IdxFiles() {}

    /** An idx file: {@code magic}, big-endian {@code dims}, then {@code data}. */
    public static byte[] bytes(int magic, int[] dims, byte[] data) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buffer)) {
            out.writeInt(magic);
            for (int dim : dims) {
                out.writeInt(dim);
            }
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** Writes {@code content} to {@code file}, gzipped if asked. */
    public static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file))
                : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /** Writes an image file of {@code pixels.length / (height * width)} images. */
    public static Path writeImages(Path file, int height, int width, byte[] pixels, boolean gzip)
            throws IOException {
        int count = pixels.length / (height * width);
        return write(file,
                bytes(IdxReader.IMAGES_MAGIC, new int[] {count, height, width}, pixels), gzip);
    }

    /** Writes a label file. */
    public static Path writeLabels(Path file, int[] labels, boolean gzip) throws IOException {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            data[i] = (byte) labels[i];
        }
        return write(file, bytes(IdxReader.LABELS_MAGIC, new int[] {labels.length}, data), gzip);
    }

    /** The test pattern's pixel {@code index} of a split whose pattern starts at {@code seed}. */
    public static byte pixel(int seed, int index) {
        return (byte) (seed + index * 7);
    }

    /** The test pattern's label of image {@code index}. */
    public static int label(int seed, int index) {
        return (seed + index) % 10;
    }

    /**
     * Writes the four files of an idx directory with the test pattern ({@link #pixel}, {@link
     * #label}; seed 0 for train, 1 for test), named {@code train-images-idx3-ubyte} etc., with a
     * {@code .gz} suffix when gzipped.
     */
    public static void writeDataset(Path dir, int trainCount, int testCount, int height,
            int width, boolean gzip) throws IOException {
        String suffix = gzip ? ".gz" : "";
        writeSplit(dir, "train", 0, trainCount, height, width, suffix, gzip);
        writeSplit(dir, "t10k", 1, testCount, height, width, suffix, gzip);
    }

    private static void writeSplit(Path dir, String prefix, int seed, int count, int height,
            int width, String suffix, boolean gzip) throws IOException {
        byte[] pixels = new byte[count * height * width];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = pixel(seed, i);
        }
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = label(seed, i);
        }
        writeImages(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), height, width, pixels,
                gzip);
        writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix), labels, gzip);
    }
}
