package dev.selfsup.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.ZipException;

/**
 * Reads MNIST and Fashion-MNIST in the idx format (plain or gzipped) into {@link DataSplits} of
 * gray images of shape {@code (count, 1, height, width)}.
 *
 * <p>A directory holds four files: {@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each
 * optionally with a {@code .gz} suffix, and also accepted with a dot before {@code idx} ({@code
 * train-images.idx3-ubyte}). Gzip is detected by the magic bytes {@code 0x1f 0x8b}, not by the
 * name. An image file is the magic number {@code 0x00000803}, three big-endian 32-bit dimensions
 * {@code (count, rows, columns)} and {@code count * rows * columns} unsigned bytes in row-major
 * order; a label file is {@code 0x00000801}, one dimension {@code (count)} and {@code count} bytes
 * in 0..9. Every file is checked against its header to the exact byte.
 *
 * <p>Class names are {@link #FASHION_MNIST_CLASSES} when the directory's absolute path contains
 * {@code fashion} (in any case), else {@link #DIGIT_CLASSES}.
 */
public final class IdxReader {
    /** The Fashion-MNIST class names, index = label. */
    public static final List<String> FASHION_MNIST_CLASSES = List.of("T-shirt/top", "Trouser",
            "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** The MNIST class names "0".."9", index = label. */
    public static final List<String> DIGIT_CLASSES =
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    /** Magic number of an idx file of unsigned-byte images {@code (count, rows, columns)}. */
    public static final int IMAGES_MAGIC = 0x00000803;

    /** Magic number of an idx file of unsigned-byte labels {@code (count)}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int UNSIGNED_BYTE = 0x08;
    private static final int LABEL_COUNT = 10;
    private static final String LAYOUT = "an idx directory holds train-images-idx3-ubyte, "
            + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, "
            + "each optionally gzipped (.gz) and also accepted as train-images.idx3-ubyte etc.";

    private IdxReader() {}

    /**
     * The images of one idx image file, stored as {@code (count, rows, columns)} unsigned bytes in
     * row-major order, which is CHW for one channel.
     *
     * @param count number of images
     * @param height rows per image
     * @param width columns per image
     * @param pixels {@code count * height * width} bytes (not copied; equality is by identity)
     */
    public record Images(int count, int height, int width, byte[] pixels) {
        public Images {
            Objects.requireNonNull(pixels, "pixels");
            if (count < 0 || height <= 0 || width <= 0) {
                throw new IllegalArgumentException("shape must be (count >= 0, height > 0, "
                        + "width > 0), found (" + count + ", " + height + ", " + width + ")");
            }
            if ((long) count * height * width != pixels.length) {
                throw new IllegalArgumentException("pixels must hold count*height*width = "
                        + (long) count * height * width + " bytes, found " + pixels.length);
            }
        }
    }

    /**
     * Reads the train ({@code train-*}) and test ({@code t10k-*}) splits of an idx directory.
     *
     * <p>The splits' identity is {@code idx:<absolute dir> train (60000 images)} (and {@code test}
     * likewise); the {@link DataSplits#name()} is {@code idx:<absolute dir>}.
     *
     * @throws NoSuchFileException if {@code dir} or one of the four files is missing; the message
     *     names the directory and the expected file names
     * @throws DataFormatException if a file is not what its header claims, naming the file
     */
    public static DataSplits read(Path dir) throws IOException {
        Path root = ReaderSupport.absolute(dir);
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "no such directory; " + LAYOUT);
        }
        List<String> missing = new ArrayList<>();
        Path trainImages = find(root, "train-images", 3, missing);
        Path trainLabels = find(root, "train-labels", 1, missing);
        Path testImages = find(root, "t10k-images", 3, missing);
        Path testLabels = find(root, "t10k-labels", 1, missing);
        if (!missing.isEmpty()) {
            throw new NoSuchFileException(root.toString(), null,
                    "missing " + String.join(", ", missing) + "; " + LAYOUT);
        }
        List<String> classNames = root.toString().toLowerCase(Locale.ROOT).contains("fashion")
                ? FASHION_MNIST_CLASSES
                : DIGIT_CLASSES;
        String name = "idx:" + root;
        ImageSet train = readSplit(trainImages, trainLabels, classNames, name + " train");
        ImageSet test = readSplit(testImages, testLabels, classNames, name + " test");
        return new DataSplits(name, train, test);
    }

    /**
     * Reads an idx image file ({@code idx3-ubyte}, plain or gzipped).
     *
     * @throws DataFormatException naming the file if the magic number, data type, dimensions or
     *     byte count is wrong
     */
    public static Images readImages(Path file) throws IOException {
        try (InputStream in = ReaderSupport.openMaybeGzipped(file)) {
            checkMagic(file, in, IMAGES_MAGIC, "image");
            long[] dims = readDimensions(file, in, "image count", "rows", "columns");
            int bytes = ReaderSupport.arrayLength(file, "image data", dims);
            byte[] pixels = readPayload(file, in, bytes, "image data");
            return new Images((int) dims[0], (int) dims[1], (int) dims[2], pixels);
        } catch (ZipException | EOFException e) {
            throw new DataFormatException(file, "corrupt gzip stream: " + e.getMessage(), e);
        }
    }

    /**
     * Reads an idx label file ({@code idx1-ubyte}, plain or gzipped) whose labels are 0..9.
     *
     * @return one label per record
     * @throws DataFormatException naming the file (and the record, for a label out of range)
     */
    public static int[] readLabels(Path file) throws IOException {
        byte[] bytes;
        try (InputStream in = ReaderSupport.openMaybeGzipped(file)) {
            checkMagic(file, in, LABELS_MAGIC, "label");
            long[] dims = readDimensions(file, in, "label count");
            int count = ReaderSupport.arrayLength(file, "label data", dims);
            bytes = readPayload(file, in, count, "label data");
        } catch (ZipException | EOFException e) {
            throw new DataFormatException(file, "corrupt gzip stream: " + e.getMessage(), e);
        }
        int[] labels = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int label = bytes[i] & 0xFF;
            if (label >= LABEL_COUNT) {
                throw new DataFormatException(file, "record " + i + ": label must be in 0.."
                        + (LABEL_COUNT - 1) + ", found " + label);
            }
            labels[i] = label;
        }
        return labels;
    }

    private static ImageSet readSplit(Path imagesFile, Path labelsFile, List<String> classNames,
            String identity) throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (labels.length != images.count()) {
            throw new DataFormatException(labelsFile, "label count must equal the image count of "
                    + imagesFile + " (" + images.count() + "), found " + labels.length);
        }
        return new ImageSet(identity + " (" + images.count() + " images)", 1, images.height(),
                images.width(), images.pixels(), labels, classNames);
    }

    /** The first existing candidate name for {@code prefix}, or null (recorded in missing). */
    private static Path find(Path dir, String prefix, int dims, List<String> missing) {
        String hyphen = prefix + "-idx" + dims + "-ubyte";
        String dot = prefix + ".idx" + dims + "-ubyte";
        for (String name : List.of(hyphen, hyphen + ".gz", dot, dot + ".gz")) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        missing.add(hyphen + "[.gz]");
        return null;
    }

    private static void checkMagic(Path file, InputStream in, int expected, String kind)
            throws IOException {
        int magic = readInt(file, in);
        int expectedDims = expected & 0xFF;
        if ((magic >>> 16) != 0) {
            throw new DataFormatException(file, String.format(Locale.ROOT,
                    "not an idx %s file: magic number must be 0x%08X, found 0x%08X", kind,
                    expected, magic));
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new DataFormatException(file, String.format(Locale.ROOT,
                    "unsupported idx data type: must be 0x%02X (unsigned byte), found 0x%02X (%s)",
                    UNSIGNED_BYTE, type, typeName(type)));
        }
        int dims = magic & 0xFF;
        if (dims != expectedDims) {
            String hint = magic == IMAGES_MAGIC ? " (an idx image file)"
                    : magic == LABELS_MAGIC ? " (an idx label file)" : "";
            throw new DataFormatException(file, String.format(Locale.ROOT,
                    "not an idx %s file: magic number must be 0x%08X (%d dimension%s), "
                            + "found 0x%08X%s",
                    kind, expected, expectedDims, expectedDims == 1 ? "" : "s", magic, hint));
        }
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "not an idx data type";
        };
    }

    private static long[] readDimensions(Path file, InputStream in, String... names)
            throws IOException {
        long[] dims = new long[names.length];
        for (int i = 0; i < names.length; i++) {
            dims[i] = Integer.toUnsignedLong(readInt(file, in));
            if (dims[i] <= 0 || dims[i] > Integer.MAX_VALUE) {
                throw new DataFormatException(file, "header: " + names[i]
                        + " must be in 1.." + Integer.MAX_VALUE + ", found " + dims[i]);
            }
        }
        return dims;
    }

    private static int readInt(Path file, InputStream in) throws IOException {
        byte[] b = in.readNBytes(4);
        if (b.length < 4) {
            throw new DataFormatException(file,
                    "truncated idx header: expected 4 more header bytes, found " + b.length);
        }
        return ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
    }

    /** Reads exactly {@code count} bytes and checks that nothing follows them. */
    private static byte[] readPayload(Path file, InputStream in, int count, String what)
            throws IOException {
        byte[] data = in.readNBytes(count);
        if (data.length < count) {
            throw new DataFormatException(file, "truncated: expected " + count + " bytes of "
                    + what + ", found " + data.length);
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new DataFormatException(file, "trailing bytes: expected the file to end after "
                    + count + " bytes of " + what + ", found " + extra + " more");
        }
        return data;
    }
}
