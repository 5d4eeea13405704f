package dev.selfsup.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the binary version of CIFAR-10 ({@code cifar-10-binary.tar.gz}) into {@link DataSplits}
 * of RGB images of shape {@code (count, 3, 32, 32)}.
 *
 * <p>The directory (or its {@code cifar-10-batches-bin} subfolder, as the archive unpacks) holds
 * {@code data_batch_1.bin} .. {@code data_batch_5.bin} (the train split, read in that order) and
 * {@code test_batch.bin} (the test split). Each file is a sequence of 3073-byte records: one label
 * byte (0..9), then 1024 red, 1024 green and 1024 blue bytes, each a row-major 32x32 plane, which
 * is exactly CHW. Class names come from {@code batches.meta.txt} (one per line, blank lines
 * ignored, exactly 10) when present, else {@link #CLASSES}.
 *
 * <p>The Python (pickle) version ({@code cifar-10-python.tar.gz}) is refused with a message that
 * points to the binary version.
 */
public final class Cifar10Reader {
    /** The standard CIFAR-10 class names, index = label. */
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat",
            "deer", "dog", "frog", "horse", "ship", "truck");

    /** Image side in pixels. */
    public static final int SIZE = 32;

    /** Bytes per record: one label byte and {@code 3 * 32 * 32} pixel bytes. */
    public static final int RECORD_BYTES = 1 + 3 * SIZE * SIZE;

    /** The train files, in reading order. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin",
            "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

    /** The test file. */
    public static final String TEST_FILE = "test_batch.bin";

    private static final int IMAGE_BYTES = RECORD_BYTES - 1;
    private static final int PICKLE_PROTOCOL_BYTE = 0x80;
    private static final String PICKLE_MESSAGE = "this is the Python (pickle) version of "
            + "CIFAR-10; selfsup reads the binary version cifar-10-binary.tar.gz (files "
            + "data_batch_1.bin .. data_batch_5.bin and test_batch.bin)";

    private Cifar10Reader() {}

    /**
     * Reads the train and test splits of a CIFAR-10 binary directory.
     *
     * <p>The splits' identity is {@code cifar10:<absolute dir> train (50000 images)} (and {@code
     * test} likewise); the {@link DataSplits#name()} is {@code cifar10:<absolute dir>}.
     *
     * @throws NoSuchFileException if {@code dir} or a batch file is missing, naming the directory
     *     and the expected files
     * @throws DataFormatException if the directory holds the pickled Python version, or a file's
     *     length or a label is wrong (naming the file and the record)
     */
    public static DataSplits read(Path dir) throws IOException {
        Path root = resolveRoot(ReaderSupport.absolute(dir));
        List<String> missing = new ArrayList<>();
        for (String name : allFiles()) {
            if (!Files.isRegularFile(root.resolve(name))) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            if (looksPickled(root)) {
                throw new DataFormatException(root, PICKLE_MESSAGE);
            }
            throw new NoSuchFileException(root.toString(), null, "missing "
                    + String.join(", ", missing) + "; a CIFAR-10 binary directory holds "
                    + String.join(", ", allFiles()) + " (from cifar-10-binary.tar.gz)");
        }
        for (String name : allFiles()) {
            refusePickle(root.resolve(name));
        }
        List<String> classNames = classNames(root);
        String name = "cifar10:" + root;
        List<Path> trainFiles = TRAIN_FILES.stream().map(root::resolve).toList();
        ImageSet train = readSplit(trainFiles, classNames, name + " train");
        ImageSet test = readSplit(List.of(root.resolve(TEST_FILE)), classNames, name + " test");
        return new DataSplits(name, train, test);
    }

    private static List<String> allFiles() {
        List<String> all = new ArrayList<>(TRAIN_FILES);
        all.add(TEST_FILE);
        return all;
    }

    /** {@code dir}, or its {@code cifar-10-batches-*} subfolder when the batches are there. */
    private static Path resolveRoot(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no such directory; expected a "
                    + "CIFAR-10 binary directory holding " + String.join(", ", allFiles()));
        }
        if (Files.exists(dir.resolve(TRAIN_FILES.get(0)))) {
            return dir;
        }
        Path binary = dir.resolve("cifar-10-batches-bin");
        if (Files.isDirectory(binary)) {
            return binary;
        }
        Path python = dir.resolve("cifar-10-batches-py");
        if (Files.isDirectory(python)) {
            throw new DataFormatException(python, PICKLE_MESSAGE);
        }
        return dir;
    }

    private static boolean looksPickled(Path dir) {
        return Files.exists(dir.resolve("data_batch_1")) || Files.exists(dir.resolve("test_batch"))
                || Files.exists(dir.resolve("batches.meta"));
    }

    private static void refusePickle(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            if (in.read() == PICKLE_PROTOCOL_BYTE) {
                throw new DataFormatException(file,
                        "starts with the pickle protocol byte 0x80: " + PICKLE_MESSAGE);
            }
        }
    }

    private static List<String> classNames(Path dir) throws IOException {
        Path meta = dir.resolve("batches.meta.txt");
        if (!Files.isRegularFile(meta)) {
            return CLASSES;
        }
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(meta, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                names.add(line.strip());
            }
        }
        if (names.size() != CLASSES.size()) {
            throw new DataFormatException(meta, "must list " + CLASSES.size()
                    + " class names, one per line, found " + names.size() + " " + names);
        }
        return names;
    }

    private static ImageSet readSplit(List<Path> files, List<String> classNames, String identity)
            throws IOException {
        long records = 0;
        for (Path file : files) {
            records += recordCount(file);
        }
        int pixelBytes = ReaderSupport.arrayLength(files.get(0).getParent(),
                "pixels of " + records + " images", records, IMAGE_BYTES);
        byte[] pixels = new byte[pixelBytes];
        int[] labels = new int[(int) records];
        int image = 0;
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % RECORD_BYTES != 0 || bytes.length == 0) {
                throw new DataFormatException(file, "changed while being read: length must be "
                        + "a positive multiple of " + RECORD_BYTES + ", found " + bytes.length);
            }
            for (int record = 0; record < bytes.length / RECORD_BYTES; record++, image++) {
                int offset = record * RECORD_BYTES;
                int label = bytes[offset] & 0xFF;
                if (label >= classNames.size()) {
                    throw new DataFormatException(file, "record " + record
                            + ": label must be in 0.." + (classNames.size() - 1) + ", found "
                            + label);
                }
                labels[image] = label;
                // the record's 3072 bytes are (3, 32, 32) planes R, G, B: CHW as stored
                System.arraycopy(bytes, offset + 1, pixels, image * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new ImageSet(identity + " (" + records + " images)", 3, SIZE, SIZE, pixels, labels,
                classNames);
    }

    private static long recordCount(Path file) throws IOException {
        long length = Files.size(file);
        if (length == 0) {
            throw new DataFormatException(file, "empty file: length must be a positive multiple "
                    + "of " + RECORD_BYTES + "-byte records, found 0 bytes");
        }
        if (length % RECORD_BYTES != 0) {
            throw new DataFormatException(file, "length is not a multiple of " + RECORD_BYTES
                    + "-byte records: record " + length / RECORD_BYTES + " is truncated to "
                    + length % RECORD_BYTES + " of " + RECORD_BYTES + " bytes, found " + length
                    + " bytes");
        }
        return length / RECORD_BYTES;
    }
}
