package dev.selfsup.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Loads a dataset from the spec the CLI's {@code --data} takes:
 * <ul>
 *   <li>{@code shapes} or {@code shapes:SEED}: the built-in generated shapes (default);
 *   <li>{@code idx:DIR}: MNIST / Fashion-MNIST idx files, gzipped or not;
 *   <li>{@code cifar10:DIR}: the CIFAR-10 binary version;
 *   <li>{@code folder:DIR}: PNG/JPEG images, in class subfolders or flat.
 * </ul>
 */
public final class Datasets {
    /** Default sizes of the generated {@code shapes} splits. */
    public static final int SHAPES_TRAIN_SIZE = 10_000;
    public static final int SHAPES_TEST_SIZE = 2_000;
    /** Default image side for folder data. */
    public static final int DEFAULT_IMAGE_SIZE = 32;

    private Datasets() {}

    /**
     * How to load: sizes (null = the source's default: all for files, 10000/2000 for shapes),
     * the image side and colour mode for folder data.
     *
     * @param trainSize keep a fixed random subset of this many training images (or generate this many)
     * @param testSize keep a fixed random subset of this many test images (or generate this many)
     * @param imageSize side of folder images after resizing
     * @param colorMode colour handling of folder images
     */
    public record Options(Integer trainSize, Integer testSize, int imageSize,
            ImageFolderReader.ColorMode colorMode) {
        public Options {
            if (trainSize != null && trainSize <= 0) {
                throw new IllegalArgumentException("train size must be > 0, found " + trainSize);
            }
            if (testSize != null && testSize <= 0) {
                throw new IllegalArgumentException("test size must be > 0, found " + testSize);
            }
            if (imageSize < 8 || imageSize > 512) {
                throw new IllegalArgumentException("image size must be in [8, 512], found " + imageSize);
            }
        }

        public static Options defaults() {
            return new Options(null, null, DEFAULT_IMAGE_SIZE, ImageFolderReader.ColorMode.AUTO);
        }
    }

    /** Loads {@code spec}. */
    public static DataSplits load(String spec, Options options) throws IOException {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? spec : spec.substring(0, colon);
        String argument = colon < 0 ? "" : spec.substring(colon + 1);
        DataSplits splits = switch (kind) {
            case "shapes" -> {
                long seed = 0;
                if (!argument.isEmpty()) {
                    try {
                        seed = Long.parseLong(argument);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(
                                "shapes seed must be an integer, found '" + argument + "'");
                    }
                }
                yield ShapesDataset.generate(
                        options.trainSize() != null ? options.trainSize() : SHAPES_TRAIN_SIZE,
                        options.testSize() != null ? options.testSize() : SHAPES_TEST_SIZE, seed);
            }
            case "idx" -> IdxReader.read(directory(spec, argument));
            case "cifar10" -> Cifar10Reader.read(directory(spec, argument));
            case "folder" -> ImageFolderReader.read(directory(spec, argument),
                    options.imageSize(), options.colorMode());
            default -> throw new IllegalArgumentException("data must be shapes, idx:DIR, "
                    + "cifar10:DIR or folder:DIR, found '" + spec + "'");
        };
        if (!kind.equals("shapes")) {
            splits = trim(splits, options);
        }
        return new DataSplits(spec, splits.train(), splits.test());
    }

    private static Path directory(String spec, String argument) throws IOException {
        if (argument.isEmpty()) {
            throw new IllegalArgumentException("data spec '" + spec + "' needs a directory after ':'");
        }
        Path dir = Path.of(argument);
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(argument, null, "not a directory (from --data " + spec + ")");
        }
        return dir;
    }

    private static DataSplits trim(DataSplits splits, Options options) {
        ImageSet train = options.trainSize() != null ? splits.train().randomSubset(options.trainSize(), 0)
                : splits.train();
        ImageSet test = options.testSize() != null ? splits.test().randomSubset(options.testSize(), 1)
                : splits.test();
        return new DataSplits(splits.name(), train, test);
    }
}
