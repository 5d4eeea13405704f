package dev.selfsup.data;

import dev.selfsup.util.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The built-in default dataset: procedurally generated, labelled 32x32 RGB images of ten shape
 * classes, made on the fly from a seed (no download).
 *
 * <p>Every image has shape {@code (3, 32, 32)} (CHW, unsigned bytes) and shows one shape: circle,
 * square, triangle, star (five points), cross (plus), ring, crescent, heart, arrow or lshape (the
 * labels 0 to 9 of {@link #CLASS_NAMES}). The ten stay distinguishable at 32x32 under any rotation:
 * there is no diamond (a rotated square) and no hexagon (a circle, at 7 pixels). Each shape has a
 * random size (circumradius 11 to 15 pixels, about its centroid), position (fully or mostly inside
 * the frame), rotation and foreground colour, over a textured background: a random base colour, a
 * linear colour gradient, one or two low-frequency colour stripe patterns, then per-pixel noise
 * over everything. The foreground and background base colours come from the same distribution and
 * are kept apart by a minimum RGB distance, so the shape is always visible while colour, position,
 * size and rotation are independent of the class. Edges are anti-aliased by 4x4 supersampling of
 * point-in-shape tests in the shape's own rotated coordinates (against a 512x512 rasterisation of
 * each shape, made once).
 *
 * <p><b>Determinism.</b> Image {@code i} of a split depends only on {@code (seed, split name, i)}:
 * its pixels come from {@code Seeds.random(seed, splitId, IMAGE_STREAM, i)} and its label from the
 * label permutation of its block of ten (below). Train and test have different split ids, so they
 * never share a stream, and a smaller split is a prefix of a larger one with the same seed. Java
 * arithmetic is strict IEEE and the trigonometry uses {@link StrictMath}, so the bytes are the
 * same on every JVM and at any thread count.
 *
 * <p><b>Labels.</b> Indices are grouped in blocks of ten ({@code i / 10}); each block holds every
 * class exactly once, in an order drawn from {@code Seeds.random(seed, splitId, LABEL_STREAM,
 * block)}. A split whose size is a multiple of ten is therefore exactly balanced, and any split is
 * balanced to within one image per class.
 *
 * <p>Images are rendered in parallel (one task per image on the common fork-join pool). Speed:
 * {@code java -cp target/classes:target/test-classes dev.selfsup.data.ShapesThroughput}.
 */
public final class ShapesDataset {
    /** The dataset's name, as used for {@link DataSplits#name()}. */
    public static final String NAME = "shapes";

    /** Image height and width in pixels. */
    public static final int IMAGE_SIZE = 32;

    /** Colour channels (RGB). */
    public static final int CHANNELS = 3;

    /** The class names; label {@code k} is {@code CLASS_NAMES.get(k)}. */
    public static final List<String> CLASS_NAMES = shapeNames();

    /** Number of classes. */
    public static final int CLASS_COUNT = CLASS_NAMES.size();

    /** Largest split size: the pixel array must be addressable by an {@code int}. */
    public static final int MAX_SPLIT_SIZE =
            Integer.MAX_VALUE / (CHANNELS * IMAGE_SIZE * IMAGE_SIZE);

    /** Smallest and largest shape circumradius in pixels. */
    static final double MIN_RADIUS = 11.0;

    static final double MAX_RADIUS = 15.0;

    /** Stream coordinate of an image's pixels (after seed and split id). */
    static final long IMAGE_STREAM = 0;

    /** Stream coordinate of a block's label permutation (after seed and split id). */
    static final long LABEL_STREAM = 1;

    private static final int PIXELS = IMAGE_SIZE * IMAGE_SIZE;
    private static final int SUBSAMPLES = 4;

    /** Base colours are drawn per channel from [LOW, HIGH] so texture rarely clips. */
    private static final double COLOUR_LOW = 24;
    private static final double COLOUR_HIGH = 232;

    /** Smallest RGB (Euclidean) distance between foreground and background base colours. */
    static final double MIN_CONTRAST = 150;

    private static final double GRADIENT_AMPLITUDE = 9;
    private static final double STRIPE_AMPLITUDE = 6;
    private static final double SHADING_AMPLITUDE = 14;
    private static final double NOISE_AMPLITUDE = 18;

    private ShapesDataset() {}

    /**
     * Generates the train and test splits.
     *
     * @param trainSize number of training images, {@code >= 0}
     * @param testSize number of test images, {@code >= 0}
     * @param seed the run seed
     * @return splits named {@value #NAME} with images of shape {@code (3, 32, 32)}
     */
    public static DataSplits generate(int trainSize, int testSize, long seed) {
        checkSize("trainSize", trainSize);
        checkSize("testSize", testSize);
        return new DataSplits(NAME, generateSplit("train", trainSize, seed),
                generateSplit("test", testSize, seed));
    }

    /**
     * Generates one split. Different split names give independent images; the same name, size
     * and seed give identical bytes.
     *
     * @param splitName the split's name (e.g. {@code train}, {@code test}); not blank
     * @param size number of images, {@code >= 0}
     * @param seed the run seed
     * @return a labelled set of {@code size} images of shape {@code (3, 32, 32)}, identity like
     *     {@code shapes(seed=42) train (10000 images)}
     */
    public static ImageSet generateSplit(String splitName, int size, long seed) {
        Objects.requireNonNull(splitName, "splitName");
        if (splitName.isBlank()) {
            throw new IllegalArgumentException("splitName must not be blank, found \""
                    + splitName + "\"");
        }
        checkSize("size", size);
        long splitId = splitId(splitName);
        int[] labels = labels(splitId, size, seed);
        int volume = CHANNELS * PIXELS;
        byte[] pixels = new byte[size * volume];
        Shape[] shapes = Shape.values();
        Arrays.stream(shapes).parallel().forEach(Shape::raster); // built once, in parallel
        // Each image writes only its own slice of pixels, from its own random stream.
        IntStream.range(0, size).parallel().forEach(i -> renderImage(
                Seeds.random(seed, splitId, IMAGE_STREAM, i), shapes[labels[i]], pixels,
                i * volume));
        String identity = NAME + "(seed=" + seed + ") " + splitName + " (" + size + " images)";
        return new ImageSet(identity, CHANNELS, IMAGE_SIZE, IMAGE_SIZE, pixels, labels,
                CLASS_NAMES);
    }

    /**
     * The stream id of a split: the 64-bit FNV-1a hash of its UTF-8 name, so any name maps to a
     * stable id and {@code train} and {@code test} differ.
     */
    static long splitId(String splitName) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : splitName.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xFF;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    private static void checkSize(String name, int size) {
        if (size < 0 || size > MAX_SPLIT_SIZE) {
            throw new IllegalArgumentException(name + " must be in [0, " + MAX_SPLIT_SIZE
                    + "], found " + size);
        }
    }

    /** Labels in blocks of ten, each block a seeded permutation of the ten classes. */
    private static int[] labels(long splitId, int size, long seed) {
        int[] labels = new int[size];
        int[] block = new int[CLASS_COUNT];
        for (int start = 0; start < size; start += CLASS_COUNT) {
            SplittableRandom random =
                    Seeds.random(seed, splitId, LABEL_STREAM, start / CLASS_COUNT);
            for (int k = 0; k < CLASS_COUNT; k++) {
                block[k] = k;
            }
            for (int k = CLASS_COUNT - 1; k > 0; k--) { // Fisher-Yates
                int j = random.nextInt(k + 1);
                int t = block[k];
                block[k] = block[j];
                block[j] = t;
            }
            System.arraycopy(block, 0, labels, start, Math.min(CLASS_COUNT, size - start));
        }
        return labels;
    }

    /** Draws one image's geometry, colours and texture from {@code random} and renders it. */
    private static void renderImage(SplittableRandom random, Shape shape, byte[] out,
            int offset) {
        // Geometry: circumradius, centre (shape fully or mostly inside), rotation.
        double radius = MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * random.nextDouble();
        double margin = Math.min(0.85 * radius, IMAGE_SIZE / 2.0);
        double centreX = margin + (IMAGE_SIZE - 2 * margin) * random.nextDouble();
        double centreY = margin + (IMAGE_SIZE - 2 * margin) * random.nextDouble();
        double rotation = 2 * Math.PI * random.nextDouble();

        // Colours: foreground and background base from the same distribution, kept apart.
        double[] foreground = new double[CHANNELS];
        double[] background = new double[CHANNELS];
        do {
            for (int c = 0; c < CHANNELS; c++) {
                foreground[c] = uniform(random, COLOUR_LOW, COLOUR_HIGH);
                background[c] = uniform(random, COLOUR_LOW, COLOUR_HIGH);
            }
        } while (distance(foreground, background) < MIN_CONTRAST);

        // Texture: a background gradient, one or two stripe patterns, a foreground shading ramp,
        // each a (32 * 32) row-major plane scaled per channel by a random colour vector.
        float[] gradientPlane = linearRamp(random);
        double[] gradient = randomColourVector(random, GRADIENT_AMPLITUDE);
        int stripeCount = 1 + random.nextInt(2);
        float[] stripePlane0 = stripes(random);
        double[] stripe0 = randomColourVector(random, STRIPE_AMPLITUDE);
        float[] stripePlane1 = stripeCount > 1 ? stripes(random) : stripePlane0;
        double[] stripe1 = stripeCount > 1
                ? randomColourVector(random, STRIPE_AMPLITUDE) : new double[CHANNELS];
        float[] shadingPlane = linearRamp(random);
        double[] shading = randomColourVector(random, SHADING_AMPLITUDE);

        float[] coverage = new float[PIXELS];
        renderMask(shape, centreX, centreY, radius, rotation, coverage);
        float[] noise = noise(random, CHANNELS * PIXELS);

        for (int c = 0; c < CHANNELS; c++) {
            float base = (float) background[c];
            float gradientWeight = (float) gradient[c];
            float stripeWeight0 = (float) stripe0[c];
            float stripeWeight1 = (float) stripe1[c];
            float ink = (float) foreground[c];
            float shadingWeight = (float) shading[c];
            int plane = c * PIXELS;
            for (int p = 0; p < PIXELS; p++) {
                float value = base + gradientWeight * gradientPlane[p]
                        + stripeWeight0 * stripePlane0[p] + stripeWeight1 * stripePlane1[p];
                float alpha = coverage[p];
                if (alpha != 0) {
                    value += alpha * (ink + shadingWeight * shadingPlane[p] - value);
                }
                value += noise[plane + p];
                out[offset + plane + p] = toByte(value);
            }
        }
    }

    private static double uniform(SplittableRandom random, double low, double high) {
        return low + (high - low) * random.nextDouble();
    }

    private static double distance(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum);
    }

    private static double[] randomColourVector(SplittableRandom random, double amplitude) {
        double[] vector = new double[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            vector[c] = uniform(random, -amplitude, amplitude);
        }
        return vector;
    }

    /** A linear ramp across the image in a random direction, from about -1 to about 1. */
    private static float[] linearRamp(SplittableRandom random) {
        double angle = 2 * Math.PI * random.nextDouble();
        double dx = StrictMath.cos(angle) / (IMAGE_SIZE / 2.0);
        double dy = StrictMath.sin(angle) / (IMAGE_SIZE / 2.0);
        double mid = (IMAGE_SIZE - 1) / 2.0;
        float[] ramp = new float[PIXELS];
        for (int y = 0; y < IMAGE_SIZE; y++) {
            for (int x = 0; x < IMAGE_SIZE; x++) {
                ramp[y * IMAGE_SIZE + x] = (float) ((x - mid) * dx + (y - mid) * dy);
            }
        }
        return ramp;
    }

    /**
     * A plane wave {@code sin(kx x + ky y + phase)} with a random direction, wavelength 8 to 24
     * pixels and phase, as values in [-1, 1] per pixel. Uses {@code sin(a + b)} expanded so only
     * 4 * 32 {@link StrictMath} calls are needed.
     */
    private static float[] stripes(SplittableRandom random) {
        double angle = 2 * Math.PI * random.nextDouble();
        double wavelength = uniform(random, 8, 24);
        double phase = 2 * Math.PI * random.nextDouble();
        double k = 2 * Math.PI / wavelength;
        double kx = k * StrictMath.cos(angle);
        double ky = k * StrictMath.sin(angle);
        double[] sinX = new double[IMAGE_SIZE];
        double[] cosX = new double[IMAGE_SIZE];
        double[] sinY = new double[IMAGE_SIZE];
        double[] cosY = new double[IMAGE_SIZE];
        for (int i = 0; i < IMAGE_SIZE; i++) {
            sinX[i] = StrictMath.sin(kx * i);
            cosX[i] = StrictMath.cos(kx * i);
            sinY[i] = StrictMath.sin(ky * i + phase);
            cosY[i] = StrictMath.cos(ky * i + phase);
        }
        float[] wave = new float[PIXELS];
        for (int y = 0; y < IMAGE_SIZE; y++) {
            for (int x = 0; x < IMAGE_SIZE; x++) {
                wave[y * IMAGE_SIZE + x] = (float) (sinX[x] * cosY[y] + cosX[x] * sinY[y]);
            }
        }
        return wave;
    }

    /**
     * {@code count} (a multiple of 4) samples of zero-mean triangular noise in
     * [-NOISE_AMPLITUDE, NOISE_AMPLITUDE]: each the sum of two 8-bit uniforms, eight uniforms per
     * random long (the result is rounded to whole levels anyway).
     */
    private static float[] noise(SplittableRandom random, int count) {
        float[] noise = new float[count];
        float scale = (float) (NOISE_AMPLITUDE / 255.0);
        for (int i = 0; i < count; i += 4) {
            long bits = random.nextLong();
            for (int k = 0; k < 4; k++) {
                int a = (int) (bits >>> (16 * k)) & 0xFF;
                int b = (int) (bits >>> (16 * k + 8)) & 0xFF;
                noise[i + k] = (a + b - 255) * scale;
            }
        }
        return noise;
    }

    /** Rounds to the nearest of 0..255 (as a byte, to be read unsigned). */
    private static byte toByte(float value) {
        if (value <= 0) {
            return 0;
        }
        if (value >= 255) {
            return (byte) 255;
        }
        return (byte) (int) (value + 0.5f);
    }

    /**
     * Renders a shape's anti-aliased coverage mask: for each pixel of the 32x32 image, the
     * fraction of its 4x4 subsamples that fall inside the shape.
     *
     * @param shape the shape class
     * @param centreX centre (the shape's centroid) in pixels; pixel {@code x} spans [x, x+1)
     * @param centreY centre in pixels
     * @param radius circumradius in pixels: the shape lies within this distance of its centre
     * @param rotation rotation in radians
     * @param coverage {@code 32 * 32} values in [0, 1], row-major; overwritten
     */
    static void renderMask(Shape shape, double centreX, double centreY, double radius,
            double rotation, float[] coverage) {
        if (coverage.length != PIXELS) {
            throw new IllegalArgumentException("coverage must hold " + PIXELS + " values, found "
                    + coverage.length);
        }
        java.util.Arrays.fill(coverage, 0f);
        Raster raster = shape.raster();
        // (u, v) = rotation(d) / radius maps an offset d from the centre (pixels) to shape-local
        // coordinates, in which the shape has circumradius 1.
        double cos = StrictMath.cos(rotation) / radius;
        double sin = StrictMath.sin(rotation) / radius;
        // The subsamples of a pixel lie within this (u, v) box around the pixel's centre.
        double halfWidth = (0.5 - 0.5 / SUBSAMPLES) * (Math.abs(cos) + Math.abs(sin)) + 1e-9;
        // A pixel whose centre is farther than this from the shape's centre cannot touch it.
        double reach = radius * Shape.EXTENT_MARGIN + Math.sqrt(0.5);
        int x0 = Math.max(0, (int) Math.floor(centreX - reach));
        int x1 = Math.min(IMAGE_SIZE - 1, (int) Math.ceil(centreX + reach));
        int y0 = Math.max(0, (int) Math.floor(centreY - reach));
        int y1 = Math.min(IMAGE_SIZE - 1, (int) Math.ceil(centreY + reach));
        // Subsample offsets from a pixel's centre, already rotated and scaled to (u, v).
        double[] offsetU = new double[SUBSAMPLES * SUBSAMPLES];
        double[] offsetV = new double[SUBSAMPLES * SUBSAMPLES];
        for (int sy = 0; sy < SUBSAMPLES; sy++) {
            double dy = (sy + 0.5) / SUBSAMPLES - 0.5;
            for (int sx = 0; sx < SUBSAMPLES; sx++) {
                double dx = (sx + 0.5) / SUBSAMPLES - 0.5;
                offsetU[sy * SUBSAMPLES + sx] = cos * dx + sin * dy;
                offsetV[sy * SUBSAMPLES + sx] = -sin * dx + cos * dy;
            }
        }
        float weight = 1f / (SUBSAMPLES * SUBSAMPLES);
        for (int y = y0; y <= y1; y++) {
            for (int x = x0; x <= x1; x++) {
                double px = x + 0.5 - centreX;
                double py = y + 0.5 - centreY;
                if (px * px + py * py > reach * reach) {
                    continue;
                }
                double u = cos * px + sin * py;
                double v = -sin * px + cos * py;
                // Pixels wholly inside or outside need no subsamples: same result, much faster.
                int uniform = raster.uniformity(u, v, halfWidth);
                if (uniform >= 0) {
                    coverage[y * IMAGE_SIZE + x] = uniform;
                    continue;
                }
                int inside = 0;
                for (int s = 0; s < offsetU.length; s++) {
                    if (raster.covers(u + offsetU[s], v + offsetV[s])) {
                        inside++;
                    }
                }
                coverage[y * IMAGE_SIZE + x] = inside * weight;
            }
        }
    }

    private static List<String> shapeNames() {
        List<String> names = new ArrayList<>();
        for (Shape shape : Shape.values()) {
            names.add(shape.className());
        }
        return List.copyOf(names);
    }

    /**
     * The ten shape classes, in label order. Each is defined by a point-in-shape test in its own
     * (raw) coordinates; rendering samples its {@link Raster} in normalised coordinates, in which
     * the centroid is the origin and the circumradius about it is 1.
     */
    enum Shape {
        CIRCLE("circle") {
            @Override
            boolean rawContains(double x, double y) {
                return x * x + y * y <= 1;
            }
        },
        SQUARE("square") {
            @Override
            boolean rawContains(double x, double y) {
                return Math.abs(x) <= 1 && Math.abs(y) <= 1;
            }
        },
        TRIANGLE("triangle") {
            @Override
            boolean rawContains(double x, double y) {
                // equilateral, apex up, circumradius 1 about the origin (apothem 1/2)
                return y >= -0.5 && SQRT3 * x + y <= 1 && -SQRT3 * x + y <= 1;
            }
        },
        STAR("star") {
            @Override
            boolean rawContains(double x, double y) {
                return Star.contains(x, y);
            }
        },
        CROSS("cross") {
            @Override
            boolean rawContains(double x, double y) {
                double ax = Math.abs(x);
                double ay = Math.abs(y);
                return (ax <= 0.32 && ay <= 1) || (ay <= 0.32 && ax <= 1);
            }
        },
        RING("ring") {
            @Override
            boolean rawContains(double x, double y) {
                double r2 = x * x + y * y;
                return r2 <= 1 && r2 >= RING_HOLE * RING_HOLE;
            }
        },
        CRESCENT("crescent") {
            @Override
            boolean rawContains(double x, double y) {
                // the unit disk less a disk of radius 0.72 centred at (0.6, 0)
                double bx = x - 0.6;
                return x * x + y * y <= 1 && bx * bx + y * y > 0.72 * 0.72;
            }
        },
        HEART("heart") {
            @Override
            boolean rawContains(double x, double y) {
                // two lobes (disks of radius 1/2 at (+-1/2, 0.35)) over a triangle to the tip
                // at (0, -1); the lobes meet at x = 0, which makes a deep notch
                double lx = Math.abs(x) - 0.5;
                double ly = y - 0.35;
                if (lx * lx + ly * ly <= 0.25) {
                    return true;
                }
                return y <= 0.35 && y >= -1 && Math.abs(x) <= 0.95 * (y + 1) / 1.35;
            }
        },
        ARROW("arrow") {
            @Override
            boolean rawContains(double x, double y) {
                // shaft from x = -1 to 0.1, head from 0.1 to the tip at 1
                if (x >= -1 && x <= 0.1) {
                    return Math.abs(y) <= 0.2;
                }
                return x > 0.1 && x <= 1 && Math.abs(y) <= 0.68 * (1 - x) / 0.9;
            }
        },
        L_SHAPE("lshape") {
            @Override
            boolean rawContains(double x, double y) {
                // a vertical bar and a shorter foot to its right
                boolean upright = x >= -0.6 && x <= -0.1 && y >= -0.8 && y <= 0.8;
                boolean foot = x >= -0.6 && x <= 0.55 && y >= -0.8 && y <= -0.3;
                return upright || foot;
            }
        };

        /** Safety factor on the circumradius (the raster never covers beyond 1), for rounding. */
        static final double EXTENT_MARGIN = 1.02;

        private static final double SQRT3 = Math.sqrt(3);
        static final double RING_HOLE = 0.55;

        private final String className;
        private volatile Raster raster; // built on first use

        Shape(String className) {
            this.className = className;
        }

        /** The class name (a lower-case word). */
        String className() {
            return className;
        }

        /** Whether the point lies inside, in the shape's own (raw) coordinates. */
        abstract boolean rawContains(double x, double y);

        /** This shape's raster, built on first use (thread-safe; the same one afterwards). */
        Raster raster() {
            Raster built = raster;
            if (built == null) {
                synchronized (this) {
                    built = raster;
                    if (built == null) {
                        built = new Raster(this);
                        raster = built;
                    }
                }
            }
            return built;
        }
    }

    /**
     * One shape sampled at the cell centres of a {@value #SIZE}x{@value #SIZE} raster over its
     * raw coordinates, with its centroid and circumradius measured on it, so that rendering
     * works in normalised coordinates {@code (u, v) = (raw - centroid) / circumradius}.
     * Immutable once built.
     */
    static final class Raster {
        /** Cells per side, over the raw square [-HALF_WIDTH, HALF_WIDTH]^2. */
        static final int SIZE = 512;

        /** Every raw shape lies inside this half-width (checked when rasterising). */
        private static final double HALF_WIDTH = 1.1;
        private static final double CELL = 2 * HALF_WIDTH / SIZE;
        private static final int BLOCK = 8;
        private static final int BLOCKS = SIZE / BLOCK;

        // The raw shape at cell centres, one bit per cell, row-major.
        private final long[] bits;
        // Inclusive prefix sums of inside cells over BLOCK x BLOCK blocks, (BLOCKS + 1)^2
        // entries, row-major: answers "is this box all in or all out?".
        private final int[] blockPrefix;
        // Normalised (u, v) -> cell coordinates: cellX = u * cellsPerUnit + cellX0.
        private final double cellsPerUnit;
        private final double cellX0;
        private final double cellY0;

        /**
         * Samples {@code shape.rawContains} at every cell centre, then measures the centroid and
         * the circumradius about it (to the far corner of each inside cell, so never less than
         * the true one) and builds the block sums.
         */
        Raster(Shape shape) {
            long[] inside = new long[SIZE * SIZE / 64];
            double sumX = 0;
            double sumY = 0;
            long count = 0;
            for (int j = 0; j < SIZE; j++) {
                double y = -HALF_WIDTH + (j + 0.5) * CELL;
                for (int i = 0; i < SIZE; i++) {
                    double x = -HALF_WIDTH + (i + 0.5) * CELL;
                    if (shape.rawContains(x, y)) {
                        if (i == 0 || j == 0 || i == SIZE - 1 || j == SIZE - 1) {
                            throw new IllegalStateException("shape " + shape.className()
                                    + " reaches the edge of its raster");
                        }
                        int cell = j * SIZE + i;
                        inside[cell >>> 6] |= 1L << cell;
                        sumX += x;
                        sumY += y;
                        count++;
                    }
                }
            }
            if (count == 0) {
                throw new IllegalStateException("shape " + shape.className() + " is empty");
            }
            double centroidX = sumX / count;
            double centroidY = sumY / count;
            double extentSquared = 0;
            for (int j = 0; j < SIZE; j++) {
                double ey = Math.abs(-HALF_WIDTH + (j + 0.5) * CELL - centroidY) + CELL / 2;
                for (int i = 0; i < SIZE; i++) {
                    int cell = j * SIZE + i;
                    if ((inside[cell >>> 6] & (1L << cell)) != 0) {
                        double ex = Math.abs(-HALF_WIDTH + (i + 0.5) * CELL - centroidX)
                                + CELL / 2;
                        extentSquared = Math.max(extentSquared, ex * ex + ey * ey);
                    }
                }
            }
            int stride = BLOCKS + 1;
            int[] prefix = new int[stride * stride];
            for (int by = 0; by < BLOCKS; by++) {
                for (int bx = 0; bx < BLOCKS; bx++) {
                    int blockCount = 0;
                    for (int j = by * BLOCK; j < (by + 1) * BLOCK; j++) {
                        for (int i = bx * BLOCK; i < (bx + 1) * BLOCK; i++) {
                            int cell = j * SIZE + i;
                            blockCount += (int) ((inside[cell >>> 6] >>> cell) & 1L);
                        }
                    }
                    prefix[(by + 1) * stride + bx + 1] = blockCount
                            + prefix[by * stride + bx + 1] + prefix[(by + 1) * stride + bx]
                            - prefix[by * stride + bx];
                }
            }
            this.bits = inside;
            this.blockPrefix = prefix;
            // raw = u * extent + centroid, and cell = (raw + HALF_WIDTH) / CELL
            this.cellsPerUnit = Math.sqrt(extentSquared) / CELL;
            this.cellX0 = (centroidX + HALF_WIDTH) / CELL;
            this.cellY0 = (centroidY + HALF_WIDTH) / CELL;
        }

        /**
         * Whether the point lies inside, in normalised coordinates (centroid 0, circumradius
         * 1): the raw test at the centre of the cell holding the point, so off by at most 0.003
         * circumradii at edges.
         */
        boolean covers(double u, double v) {
            double x = u * cellsPerUnit + cellX0;
            double y = v * cellsPerUnit + cellY0;
            if (!(x >= 0 && x < SIZE && y >= 0 && y < SIZE)) {
                return false;
            }
            int cell = (int) y * SIZE + (int) x;
            return (bits[cell >>> 6] & (1L << cell)) != 0;
        }

        /**
         * Whether {@link #covers} is the same for every point of the box {@code |u - u0| <=
         * halfWidth, |v - v0| <= halfWidth}: 0 if false everywhere, 1 if true everywhere, -1 if
         * it may differ. Conservative (whole blocks of cells), so 0 and 1 are always right.
         */
        int uniformity(double u0, double v0, double halfWidth) {
            double reach = halfWidth * cellsPerUnit;
            double lowX = u0 * cellsPerUnit + cellX0 - reach;
            double highX = u0 * cellsPerUnit + cellX0 + reach;
            double lowY = v0 * cellsPerUnit + cellY0 - reach;
            double highY = v0 * cellsPerUnit + cellY0 + reach;
            if (highX < 0 || highY < 0 || lowX >= SIZE || lowY >= SIZE) {
                return 0; // wholly off the raster
            }
            boolean clipped = lowX < 0 || lowY < 0 || highX >= SIZE || highY >= SIZE;
            int bx0 = (int) Math.max(0, lowX) / BLOCK;
            int bx1 = (int) Math.min(SIZE - 1, highX) / BLOCK;
            int by0 = (int) Math.max(0, lowY) / BLOCK;
            int by1 = (int) Math.min(SIZE - 1, highY) / BLOCK;
            int stride = BLOCKS + 1;
            int count = blockPrefix[(by1 + 1) * stride + bx1 + 1]
                    - blockPrefix[by0 * stride + bx1 + 1]
                    - blockPrefix[(by1 + 1) * stride + bx0]
                    + blockPrefix[by0 * stride + bx0];
            if (count == 0) {
                return 0;
            }
            int blocks = (bx1 - bx0 + 1) * (by1 - by0 + 1);
            return !clipped && count == blocks * BLOCK * BLOCK ? 1 : -1;
        }
    }

    /** A five-pointed star, outer radius 1, inner radius {@link #INNER}; tested without trig. */
    private static final class Star {
        static final double INNER = 0.46;
        private static final int POINTS = 5;
        private static final double[] TIP_X = new double[POINTS];
        private static final double[] TIP_Y = new double[POINTS];
        // The edge from the tip (1, 0) to the inner vertex at angle pi/5, in a tip's frame.
        private static final double VALLEY_X;
        private static final double VALLEY_Y;

        static {
            for (int k = 0; k < POINTS; k++) {
                double angle = Math.PI / 2 + 2 * Math.PI * k / POINTS;
                TIP_X[k] = StrictMath.cos(angle);
                TIP_Y[k] = StrictMath.sin(angle);
            }
            VALLEY_X = INNER * StrictMath.cos(Math.PI / POINTS);
            VALLEY_Y = INNER * StrictMath.sin(Math.PI / POINTS);
        }

        private Star() {}

        static boolean contains(double x, double y) {
            // Fold into the frame of the nearest tip: a = along the tip, b = |across| (0..36 deg).
            int best = 0;
            double bestDot = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < POINTS; k++) {
                double dot = x * TIP_X[k] + y * TIP_Y[k];
                if (dot > bestDot) {
                    bestDot = dot;
                    best = k;
                }
            }
            double a = bestDot;
            double b = Math.abs(x * TIP_Y[best] - y * TIP_X[best]);
            // inside iff on the origin's side of the line tip (1, 0) -> valley
            double ex = VALLEY_X - 1;
            double ey = VALLEY_Y;
            double side = ex * b - ey * (a - 1);
            double origin = ex * 0 - ey * (0 - 1);
            return side * origin >= 0;
        }
    }
}
