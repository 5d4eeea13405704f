package dev.selfsup.data;

import dev.selfsup.util.Seeds;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads a folder of PNG and JPEG images into {@link DataSplits} of square images of shape {@code
 * (count, channels, imageSize, imageSize)}.
 *
 * <p><b>Splits.</b> If the folder has both a {@code train} and a {@code test} subfolder, each is
 * one split. Otherwise every image under the folder is used, and a deterministic 20% of it is held
 * out as the test split (the rest is the train split; the two are disjoint): within each class (or
 * the whole set, if unlabelled) the images are ranked by a 64-bit hash of their path relative to
 * the folder (with {@code /} separators, so the choice is the same on every run and machine) and
 * the first {@code round(n / 5)} go to test, at least one when {@code n >= 2}.
 *
 * <p><b>Labels.</b> Within a split folder, subfolders are classes: their names, sorted, are the
 * class names, and every image below a class folder (at any depth) has that class's label. Images
 * directly in a split folder that has no subfolders are unlabelled ({@link ImageSet#UNLABELLED},
 * no class names). Loose images next to class subfolders are an error. With {@code train}/{@code
 * test}, both must be labelled or both unlabelled, and every test class must also be a train
 * class; both splits use the train class names. One class subfolder makes a labelled set of one
 * class: it pre-trains (labels are not used; there is no kNN monitor), but evaluation refuses it.
 *
 * <p><b>Files.</b> Files ending in {@code .png}, {@code .jpg} or {@code .jpeg} (in any case) are
 * read, in sorted order of their relative path; other files, and anything whose name starts with
 * a dot, are skipped. Images are decoded with ImageIO (the TwelveMonkeys JPEG plugin adds CMYK and
 * YCCK JPEGs), in parallel, with a deterministic output order. A file that does not decode, or
 * whose pixel data ends early (a truncated PNG or JPEG), is an error naming it.
 *
 * <p><b>Pixels.</b> An image is gray when its colour model is single-channel gray (or a palette of
 * gray entries); its stored values are used as they are (16-bit values scaled to 8 bits). Other
 * images are converted to sRGB. Alpha is dropped, not composited: a transparent pixel
 * gives the colour stored under it. {@link ColorMode#GRAY} converts
 * colour to luma {@code 0.299 R + 0.587 G + 0.114 B}; {@link ColorMode#RGB} repeats gray into
 * three channels. Each channel is then resized so that its shorter side is {@code imageSize}
 * (area averaging when shrinking, bilinear interpolation with half-pixel centres when enlarging,
 * per axis) and centre-cropped to {@code imageSize x imageSize}.
 */
public final class ImageFolderReader {
    /** How decoded images become channels. */
    public enum ColorMode {
        /** Gray (1 channel) if every image of both splits is gray, else RGB (3 channels). */
        AUTO,
        /** Always 3 channels; gray images are repeated into R, G and B. */
        RGB,
        /** Always 1 channel; colour images are converted to luma. */
        GRAY
    }

    /**
     * Largest image, in pixels, that is decoded (Pillow's limit): larger ones are refused from
     * their header, before decoding.
     */
    public static final long MAX_PIXELS = 89_478_485L;

    /** Fraction of the images held out as test when the folder has no train/test subfolders. */
    public static final double TEST_FRACTION = 0.2;

    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");
    private static final String IMAGE_KINDS = ".png, .jpg or .jpeg images";

    private ImageFolderReader() {}

    /**
     * Reads the images under {@code dir} as train and test splits.
     *
     * <p>The splits' identity is {@code folder:<absolute dir> train (N images, CxSxS)} (and {@code
     * test} likewise); the {@link DataSplits#name()} is {@code folder:<absolute dir>}.
     *
     * @param dir the folder (see the class description for its layouts)
     * @param imageSize side of the square output images, in pixels
     * @param mode how images become channels
     * @throws IllegalArgumentException if {@code imageSize <= 0}
     * @throws NoSuchFileException if {@code dir} is not a directory
     * @throws DataFormatException if the layout is wrong, a folder holds no images, or an image
     *     cannot be decoded (naming the folder or file)
     */
    public static DataSplits read(Path dir, int imageSize, ColorMode mode) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(mode, "mode");
        if (imageSize <= 0) {
            throw new IllegalArgumentException("imageSize must be > 0, found " + imageSize);
        }
        Path root = ReaderSupport.absolute(dir);
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null,
                    "no such directory; expected a folder of " + IMAGE_KINDS);
        }
        Listing train;
        Listing test;
        Path trainDir = root.resolve("train");
        Path testDir = root.resolve("test");
        if (Files.isDirectory(trainDir) && Files.isDirectory(testDir)) {
            train = list(root, trainDir);
            test = relabel(list(root, testDir), train);
        } else {
            Listing all = list(root, root);
            Listing[] split = holdOut(all);
            train = split[0];
            test = split[1];
        }
        int minimumChannels = mode == ColorMode.RGB ? 3 : 1;
        ReaderSupport.arrayLength(root, "pixels of " + train.entries.size() + " train images",
                train.entries.size(), minimumChannels, imageSize, imageSize);

        List<Entry> all = new ArrayList<>(train.entries);
        all.addAll(test.entries);
        byte[][] decoded = decodeAll(all, imageSize, mode);
        int channels = switch (mode) {
            case RGB -> 3;
            case GRAY -> 1;
            case AUTO -> Arrays.stream(decoded).allMatch(d -> d.length == imageSize * imageSize)
                    ? 1 : 3;
        };
        String name = "folder:" + root;
        byte[][] trainImages = Arrays.copyOfRange(decoded, 0, train.entries.size());
        byte[][] testImages = Arrays.copyOfRange(decoded, train.entries.size(), decoded.length);
        return new DataSplits(name,
                assemble(root, name + " train", train, trainImages, channels, imageSize),
                assemble(root, name + " test", test, testImages, channels, imageSize));
    }

    /** One image file and its label. */
    /**
     * One image file as an unlabelled set of one, resized to {@code imageSize} and read with
     * {@code channels} channels (1: gray, 3: RGB), as a folder's images are: for a query image
     * against data of that shape.
     *
     * @throws DataFormatException naming the file when it cannot be decoded
     */
    public static ImageSet readImage(Path file, int imageSize, int channels) throws IOException {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
        }
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such image file");
        }
        return single(file.toFile(), file, imageSize, channels);
    }

    /**
     * An image file's bytes (PNG or JPEG, as read from a file, a Parquet column or Spark's
     * {@code binaryFile} source) as an unlabelled set of one, decoded exactly as
     * {@link #readImage(Path, int, int)} decodes the file.
     *
     * @param name names the image in errors (its path or URI)
     * @throws DataFormatException naming {@code name} when the bytes cannot be decoded
     */
    public static ImageSet readImage(byte[] bytes, String name, int imageSize, int channels)
            throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(name, "name");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
        }
        return single(new ByteArrayInputStream(bytes), Path.of(name), imageSize, channels);
    }

    /** One image from {@code input} (a File or an InputStream) as an unlabelled set of one. */
    private static ImageSet single(Object input, Path name, int imageSize, int channels)
            throws IOException {
        byte[] pixels = decode(input, name, imageSize,
                channels == 1 ? ColorMode.GRAY : ColorMode.RGB);
        return new ImageSet("image " + name, channels, imageSize, imageSize, pixels,
                new int[] {ImageSet.UNLABELLED}, List.of());
    }

    private record Entry(Path file, String relativePath, int label) {}

    /** The images of one split folder, in order, with its class names (empty if unlabelled). */
    private record Listing(Path folder, List<String> classNames, List<Entry> entries) {
        boolean labelled() {
            return !classNames.isEmpty();
        }
    }

    private static Listing list(Path root, Path folder) throws IOException {
        List<Path> children;
        try (Stream<Path> stream = Files.list(folder)) {
            children = stream.filter(p -> !isHidden(p)).sorted(byName()).toList();
        }
        List<Path> classDirs = children.stream().filter(Files::isDirectory).toList();
        List<Path> looseImages = children.stream().filter(ImageFolderReader::isImageFile).toList();
        if (!classDirs.isEmpty() && !looseImages.isEmpty()) {
            throw new DataFormatException(folder, "mixes loose images with class subfolders: "
                    + "put every image in a class subfolder (labelled) or remove the subfolders "
                    + "(unlabelled), found images such as " + looseImages.get(0).getFileName()
                    + " next to subfolders such as " + classDirs.get(0).getFileName() + "/");
        }
        if (classDirs.isEmpty()) {
            if (looseImages.isEmpty()) {
                throw new DataFormatException(folder, "holds no " + IMAGE_KINDS + ", found "
                        + children.size() + " other entries");
            }
            List<Entry> entries = looseImages.stream()
                    .map(p -> new Entry(p, relative(root, p), ImageSet.UNLABELLED)).toList();
            return new Listing(folder, List.of(), entries);
        }
        List<String> classNames = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        for (Path classDir : classDirs) {
            int label = classNames.size();
            classNames.add(classDir.getFileName().toString());
            List<Path> images;
            try (Stream<Path> walk = Files.walk(classDir)) {
                images = walk.filter(p -> !isHiddenBelow(classDir, p))
                        .filter(ImageFolderReader::isImageFile)
                        .sorted(Comparator.comparing(p -> relative(classDir, p))).toList();
            }
            if (images.isEmpty()) {
                throw new DataFormatException(classDir, "class folder holds no " + IMAGE_KINDS
                        + ", found none at any depth");
            }
            for (Path image : images) {
                entries.add(new Entry(image, relative(root, image), label));
            }
        }
        return new Listing(folder, classNames, entries);
    }

    /** {@code test} with its labels mapped onto {@code train}'s class names. */
    private static Listing relabel(Listing test, Listing train) throws DataFormatException {
        if (test.labelled() != train.labelled()) {
            Listing unlabelled = test.labelled() ? train : test;
            throw new DataFormatException(unlabelled.folder, "train and test must both have "
                    + "class subfolders or both have none, found loose images here and class "
                    + "subfolders in " + (test.labelled() ? test : train).folder);
        }
        if (!test.labelled()) {
            return test;
        }
        Map<String, Integer> trainIndex = new HashMap<>();
        for (int i = 0; i < train.classNames.size(); i++) {
            trainIndex.put(train.classNames.get(i), i);
        }
        List<Entry> entries = new ArrayList<>(test.entries.size());
        for (Entry entry : test.entries) {
            String className = test.classNames.get(entry.label);
            Integer label = trainIndex.get(className);
            if (label == null) {
                throw new DataFormatException(test.folder.resolve(className), "test class must "
                        + "also be a train class " + train.classNames + ", found " + className);
            }
            entries.add(new Entry(entry.file, entry.relativePath, label));
        }
        return new Listing(test.folder, train.classNames, entries);
    }

    /** Splits {@code all} into {train, test}, holding out {@link #TEST_FRACTION} per class. */
    private static Listing[] holdOut(Listing all) {
        Map<Integer, List<Entry>> groups = new HashMap<>();
        for (Entry entry : all.entries) {
            groups.computeIfAbsent(entry.label, k -> new ArrayList<>()).add(entry);
        }
        Set<Entry> held = new HashSet<>();
        for (List<Entry> group : groups.values()) {
            int n = group.size();
            int testCount = (int) Math.round(n * TEST_FRACTION);
            if (n >= 2) {
                testCount = Math.max(1, testCount);
            }
            group.stream()
                    .sorted(Comparator.comparingLong((Entry e) -> splitHash(e.relativePath))
                            .thenComparing(Entry::relativePath))
                    .limit(testCount)
                    .forEach(held::add);
        }
        List<Entry> train = all.entries.stream().filter(e -> !held.contains(e)).toList();
        List<Entry> test = all.entries.stream().filter(held::contains).toList();
        return new Listing[] {
            new Listing(all.folder, all.classNames, train),
            new Listing(all.folder, all.classNames, test)
        };
    }

    /** FNV-1a over the UTF-8 bytes of {@code relativePath}, then SplitMix64's finaliser. */
    static long splitHash(String relativePath) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        return Seeds.mix(hash);
    }

    /**
     * Decodes every entry in parallel. Each result is one {@code (imageSize, imageSize)} plane for
     * a gray result or three (R, G, B) for colour. The first failing entry in list order is
     * reported, so errors are deterministic too.
     */
    private static byte[][] decodeAll(List<Entry> entries, int imageSize, ColorMode mode)
            throws IOException {
        byte[][] results = new byte[entries.size()][];
        IOException[] errors = new IOException[entries.size()];
        IntStream.range(0, entries.size()).parallel().forEach(i -> {
            Path file = entries.get(i).file;
            try {
                results[i] = decode(file.toFile(), file, imageSize, mode);
            } catch (IOException e) {
                errors[i] = e;
            } catch (UncheckedIOException e) {
                errors[i] = e.getCause();
            } catch (RuntimeException e) {
                errors[i] = new DataFormatException(file, "cannot decode image, found " + e, e);
            }
        });
        for (IOException error : errors) {
            if (error != null) {
                throw error;
            }
        }
        return results;
    }

    /**
     * Decodes the first image of a file, or returns null when no decoder recognises it. The size
     * the header claims is checked before any pixel is decoded, so a small file that claims a
     * huge image (a decompression bomb) costs nothing. A JPEG whose data ends early is refused
     * (as Pillow refuses it), not returned with its missing rows filled in; one that lacks only
     * its end marker is read.
     */
    private static BufferedImage read(Object input, Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(input)) {
            if (in == null) {
                return null;
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width * height > MAX_PIXELS) {
                    throw new DataFormatException(file, "its header claims " + width + "x"
                            + height + " pixels, more than the " + MAX_PIXELS
                            + " selfsup decodes (a decompression bomb?)");
                }
                BufferedImage image = reader.read(0);
                for (String warning : warnings) {
                    // the JPEG decoder fills the missing rest with gray and only warns
                    if (warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                        throw new DataFormatException(file, "cannot decode image: it is "
                                + "truncated, its pixel data ends early (" + warning + ")");
                    }
                }
                return image;
            } finally {
                reader.dispose();
            }
        }
    }

    /**
     * Decodes one image from {@code input}, a {@code File} or an {@code InputStream} (what
     * {@link ImageIO#createImageInputStream} takes), named {@code file} in errors: the one decode
     * path of files and of bytes.
     */
    private static byte[] decode(Object input, Path file, int imageSize, ColorMode mode)
            throws IOException {
        BufferedImage image;
        try {
            image = read(input, file);
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DataFormatException(file, "cannot decode image, found " + e.getMessage(), e);
        }
        if (image == null) {
            throw new DataFormatException(file,
                    "cannot decode image: no PNG or JPEG decoder recognises its content");
        }
        int height = image.getHeight();
        int width = image.getWidth();
        boolean gray = isGray(image.getColorModel());
        byte[][] planes;
        if (gray) {
            byte[] plane = grayPlane(image);
            planes = mode == ColorMode.RGB ? new byte[][] {plane, plane, plane}
                    : new byte[][] {plane};
        } else {
            planes = rgbPlanes(image);
            if (mode == ColorMode.GRAY) {
                planes = new byte[][] {luma(planes)};
            }
        }
        int area = imageSize * imageSize;
        byte[] out = new byte[planes.length * area];
        Resampler rows = Resampler.of(height, width, imageSize);
        Resampler columns = Resampler.of(width, height, imageSize);
        for (int c = 0; c < planes.length; c++) {
            if (c > 0 && planes[c] == planes[0]) {
                System.arraycopy(out, 0, out, c * area, area);
            } else {
                resizeCrop(planes[c], height, width, rows, columns, imageSize, out, c * area);
            }
        }
        return out;
    }

    private static boolean isGray(ColorModel model) {
        if (model instanceof IndexColorModel palette) {
            for (int i = 0; i < palette.getMapSize(); i++) {
                int r = palette.getRed(i);
                if (r != palette.getGreen(i) || r != palette.getBlue(i)) {
                    return false;
                }
            }
            return true;
        }
        return model.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && model.getNumColorComponents() == 1;
    }

    /** The stored gray values (band 0), scaled to 0..255. */
    private static byte[] grayPlane(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[] plane = new byte[height * width];
        int[] row = new int[width];
        if (image.getColorModel() instanceof IndexColorModel) {
            for (int y = 0; y < height; y++) {
                image.getRGB(0, y, width, 1, row, 0, width);
                for (int x = 0; x < width; x++) {
                    plane[y * width + x] = (byte) row[x]; // blue = red = green for a gray palette
                }
            }
            return plane;
        }
        Raster raster = image.getRaster();
        int bits = image.getColorModel().getComponentSize(0);
        long max = (1L << bits) - 1;
        for (int y = 0; y < height; y++) {
            raster.getSamples(0, y, width, 1, 0, row);
            for (int x = 0; x < width; x++) {
                int value = bits == 8 ? row[x] : (int) ((row[x] * 255L + max / 2) / max);
                plane[y * width + x] = (byte) value;
            }
        }
        return plane;
    }

    /** The sRGB values as three {@code (height, width)} planes R, G, B. */
    private static byte[][] rgbPlanes(BufferedImage image) {
        int width = image.getWidth();
        int height = image.getHeight();
        byte[][] planes = new byte[3][height * width];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int argb = row[x];
                planes[0][y * width + x] = (byte) (argb >>> 16);
                planes[1][y * width + x] = (byte) (argb >>> 8);
                planes[2][y * width + x] = (byte) argb;
            }
        }
        return planes;
    }

    /** Luma {@code 0.299 R + 0.587 G + 0.114 B}, rounded. */
    private static byte[] luma(byte[][] rgb) {
        byte[] gray = new byte[rgb[0].length];
        for (int i = 0; i < gray.length; i++) {
            double value = 0.299 * (rgb[0][i] & 0xFF) + 0.587 * (rgb[1][i] & 0xFF)
                    + 0.114 * (rgb[2][i] & 0xFF);
            gray[i] = (byte) Math.min(255, (int) Math.round(value));
        }
        return gray;
    }

    /**
     * Resizes a {@code (height, width)} plane so its shorter side is {@code size} and writes the
     * centre {@code (size, size)} crop to {@code out} at {@code offset}; rows first, then columns.
     */
    private static void resizeCrop(byte[] plane, int height, int width, Resampler rows,
            Resampler columns, int size, byte[] out, int offset) {
        float[] tmp = new float[height * size]; // (height, size): columns resampled
        for (int y = 0; y < height; y++) {
            int rowStart = y * width;
            for (int x = 0; x < size; x++) {
                int start = columns.start[x];
                float[] weights = columns.weights[x];
                float sum = 0;
                for (int t = 0; t < weights.length; t++) {
                    sum += weights[t] * (plane[rowStart + start + t] & 0xFF);
                }
                tmp[y * size + x] = sum;
            }
        }
        for (int y = 0; y < size; y++) {
            int start = rows.start[y];
            float[] weights = rows.weights[y];
            for (int x = 0; x < size; x++) {
                float sum = 0;
                for (int t = 0; t < weights.length; t++) {
                    sum += weights[t] * tmp[(start + t) * size + x];
                }
                int value = Math.round(sum);
                out[offset + y * size + x] = (byte) Math.max(0, Math.min(255, value));
            }
        }
    }

    /**
     * Per output pixel of one axis, the first source index and the weights of consecutive source
     * pixels, for resizing so that the shorter side is {@code size} and centre-cropping.
     */
    private record Resampler(int[] start, float[][] weights) {
        /** For the axis of length {@code length}, the other axis being {@code otherLength}. */
        static Resampler of(int length, int otherLength, int size) {
            int shorter = Math.min(length, otherLength);
            int resized = length == shorter ? size
                    : (int) Math.max(size, Math.round((double) length * size / shorter));
            int crop = (resized - size) / 2;
            double scale = (double) length / resized;
            int[] start = new int[size];
            float[][] weights = new float[size][];
            for (int j = 0; j < size; j++) {
                int k = j + crop; // index on the resized axis
                if (scale >= 1) {
                    // area average: output pixel k covers source [k*scale, (k+1)*scale)
                    double lo = k * scale;
                    double hi = Math.min(length, (k + 1) * scale);
                    int first = (int) Math.floor(lo);
                    int last = Math.min(length - 1, (int) Math.ceil(hi) - 1);
                    double[] w = new double[last - first + 1];
                    double total = 0;
                    for (int i = first; i <= last; i++) {
                        w[i - first] = Math.max(0, Math.min(i + 1, hi) - Math.max(i, lo));
                        total += w[i - first];
                    }
                    start[j] = first;
                    weights[j] = new float[w.length];
                    for (int t = 0; t < w.length; t++) {
                        weights[j][t] = (float) (w[t] / total);
                    }
                } else {
                    // bilinear with half-pixel centres, clamped at the edges
                    double centre = (k + 0.5) * scale - 0.5;
                    centre = Math.max(0, Math.min(length - 1, centre));
                    int first = (int) Math.floor(centre);
                    double fraction = centre - first;
                    if (first + 1 >= length || fraction == 0) {
                        start[j] = first;
                        weights[j] = new float[] {1f};
                    } else {
                        start[j] = first;
                        weights[j] = new float[] {(float) (1 - fraction), (float) fraction};
                    }
                }
            }
            return new Resampler(start, weights);
        }
    }

    private static ImageSet assemble(Path root, String identity, Listing listing,
            byte[][] images, int channels, int size) throws DataFormatException {
        int area = size * size;
        int volume = channels * area;
        byte[] pixels = new byte[ReaderSupport.arrayLength(root, "pixels of " + images.length
                + " images", images.length, volume)];
        int[] labels = new int[images.length];
        for (int i = 0; i < images.length; i++) {
            byte[] image = images[i];
            if (image.length == volume) {
                System.arraycopy(image, 0, pixels, i * volume, volume);
            } else {
                // a gray image in an RGB set: repeat its plane as R, G and B
                for (int c = 0; c < channels; c++) {
                    System.arraycopy(image, 0, pixels, i * volume + c * area, area);
                }
            }
            labels[i] = listing.entries.get(i).label;
        }
        return new ImageSet(identity + " (" + images.length + " images, " + channels + "x" + size
                + "x" + size + ")", channels, size, size, pixels, labels, listing.classNames);
    }

    private static boolean isImageFile(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith)
                && Files.isRegularFile(path);
    }

    private static boolean isHidden(Path path) {
        return path.getFileName().toString().startsWith(".");
    }

    /** Whether any name of {@code path} below {@code base} starts with a dot. */
    private static boolean isHiddenBelow(Path base, Path path) {
        for (Path name : base.relativize(path)) {
            if (name.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static Comparator<Path> byName() {
        return Comparator.comparing(p -> p.getFileName().toString());
    }

    /** {@code path} relative to {@code base}, with {@code /} separators on every platform. */
    private static String relative(Path base, Path path) {
        List<String> names = new ArrayList<>();
        for (Path name : base.relativize(path)) {
            names.add(name.toString());
        }
        return String.join("/", names);
    }
}
