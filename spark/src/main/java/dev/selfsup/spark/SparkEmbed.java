package dev.selfsup.spark;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.ImageFolderReader;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.train.CheckpointState;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.TextCheckpointState;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Embeds images or texts with a selfsup checkpoint on Apache Spark, for data beyond one machine.
 *
 * <p>The checkpoint directory is shipped to every executor as a zip
 * ({@code SparkContext.addArchive}, unpacked there), found with {@link SparkFiles#get} and loaded
 * once per executor JVM (a static cache shared by that JVM's tasks). Each partition is embedded in batches of {@code batchSize},
 * each under its own {@link NDManager} closed after the batch, so no native memory outlives it.
 * Images are decoded exactly as {@code selfsup embed --data folder:DIR} decodes them
 * ({@link ImageFolderReader#readImage(byte[], String, int, int)}), at the checkpoint's own
 * channels and size; texts are embedded as {@code selfsup embed} embeds text data (mean pooling,
 * {@link TextEncoder#DEFAULT_WINDOWS} windows).
 *
 * <p>Also a job for {@code spark-submit}: see {@link #main} and docs/spark.md.
 */
public final class SparkEmbed {
    /** Images or texts per forward pass unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 256;

    /** The image extensions the {@code binaryFile} source reads, as a folder read does. */
    static final String IMAGE_GLOB = "*.{png,PNG,Png,jpg,JPG,Jpg,jpeg,JPEG,Jpeg}";

    private static final String USAGE = "usage: SparkEmbed (--images DIR|GLOB | --texts FILE) "
            + "--checkpoint DIR --out OUT.parquet [--batch-size N] [--master URL] [--overwrite]";

    /** The encoders this JVM has loaded, by their local checkpoint directory: one per executor. */
    private static final Map<String, Object> ENCODERS = new ConcurrentHashMap<>();

    /** Where the driver writes the checkpoint archives it ships (one folder per JVM). */
    private static Path archives;

    private SparkEmbed() {}

    /**
     * Embeds every image file under {@code imagesGlobOrDir} (a directory, read recursively, or a
     * glob; {@code .png}, {@code .jpg}, {@code .jpeg}) with Spark's {@code binaryFile} source.
     *
     * @param checkpoint an image checkpoint directory, or a run directory (its newest checkpoint)
     * @return columns {@code path} (the file's URI) and {@code embedding} ({@code array<float>},
     *     the backbone's feature dimension), one row per image, unordered
     * @throws IllegalArgumentException if {@code batchSize <= 0} or the checkpoint is a text one
     */
    public static Dataset<Row> embedImages(SparkSession spark, String imagesGlobOrDir,
            Path checkpoint, int batchSize) throws IOException {
        Objects.requireNonNull(imagesGlobOrDir, "imagesGlobOrDir");
        Dataset<Row> files = spark.read().format("binaryFile")
                .option("pathGlobFilter", IMAGE_GLOB)
                .option("recursiveFileLookup", "true")
                .load(imagesGlobOrDir);
        return embedImageBytes(spark, files, checkpoint, batchSize);
    }

    /**
     * Embeds images held as bytes: a {@code binaryFile} read, or a Parquet table of encoded
     * images ({@code spark.read().parquet(...)}), with a string column {@code path} (any name for
     * each image; it names the image in errors) and a binary column {@code content} (the PNG or
     * JPEG file's bytes). Other columns are ignored.
     *
     * @param checkpoint an image checkpoint directory, or a run directory (its newest checkpoint)
     * @return columns {@code path} and {@code embedding} ({@code array<float>}), one row per
     *     image, unordered
     * @throws IllegalArgumentException if {@code batchSize <= 0} or the checkpoint is a text one
     */
    public static Dataset<Row> embedImageBytes(SparkSession spark, Dataset<Row> images,
            Path checkpoint, int batchSize) throws IOException {
        Objects.requireNonNull(images, "images");
        Shipped shipped = ship(spark, checkpoint, batchSize, false);
        CheckpointState state = Checkpoints.readState(shipped.local);
        ImagePartition embed = new ImagePartition(shipped.name, state.channels(), state.height(),
                batchSize);
        JavaRDD<Row> rows = images.select("path", "content").javaRDD().mapPartitions(embed);
        StructType schema = new StructType()
                .add("path", DataTypes.StringType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(rows, schema);
    }

    /**
     * Embeds every non-blank line of a text file (one text per line).
     *
     * @param checkpoint a text checkpoint directory, or a run directory (its newest checkpoint)
     * @return columns {@code line} (1-based line number in the file), {@code text} and
     *     {@code embedding} ({@code array<float>}), one row per non-blank line, unordered
     * @throws IllegalArgumentException if {@code batchSize <= 0} or the checkpoint is an image one
     */
    public static Dataset<Row> embedTexts(SparkSession spark, String textFile, Path checkpoint,
            int batchSize) throws IOException {
        Objects.requireNonNull(textFile, "textFile");
        Shipped shipped = ship(spark, checkpoint, batchSize, true);
        JavaRDD<Row> lines = spark.read().textFile(textFile).javaRDD().zipWithIndex()
                .filter(line -> !line._1().isBlank())
                .map(line -> RowFactory.create(line._2() + 1, line._1()));
        JavaRDD<Row> rows = lines.mapPartitions(new TextPartition(shipped.name, batchSize));
        StructType schema = new StructType()
                .add("line", DataTypes.LongType, false)
                .add("text", DataTypes.StringType, false)
                .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), false);
        return spark.createDataFrame(rows, schema);
    }

    /**
     * Writes embeddings as Parquet with Spark's writer (a directory of part files).
     *
     * @param overwrite replace {@code out} if it exists; otherwise an existing {@code out} is an
     *     error (Spark's {@code errorifexists})
     */
    public static void write(Dataset<Row> embeddings, String out, boolean overwrite) {
        embeddings.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                .parquet(out);
    }

    /** A checkpoint shipped to the executors: its local directory and its name there. */
    private record Shipped(Path local, String name) {}

    private static Shipped ship(SparkSession spark, Path checkpoint, int batchSize, boolean text)
            throws IOException {
        Objects.requireNonNull(spark, "spark");
        Objects.requireNonNull(checkpoint, "checkpoint");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batchSize must be > 0, found " + batchSize);
        }
        Path local = Checkpoints.resolve(checkpoint.toAbsolutePath().normalize());
        boolean isText = TextCheckpointState.TEXT.equals(Json.MAPPER
                .readTree(local.resolve(Checkpoints.STATE_FILE).toFile())
                .path("modality").asText());
        if (isText != text) {
            throw new IllegalArgumentException("checkpoint " + local + " is a"
                    + (isText ? " text" : "n image") + " checkpoint, found where "
                    + (text ? "a text" : "an image") + " one is needed");
        }
        Path archive = archive(local);
        spark.sparkContext().addArchive(archive.toString());
        return new Shipped(local, archive.getFileName().toString());
    }

    /**
     * The checkpoint's files (the optimiser state left out: embedding does not need it) as a zip
     * that Spark ships and unpacks on every executor. {@code addFile(dir, true)} would ship the
     * directory only in local mode: Spark refuses a driver-local directory on a cluster. The zip
     * is named after the checkpoint's path, so one session can ship several checkpoints.
     */
    private static synchronized Path archive(Path checkpoint) throws IOException {
        if (archives == null) {
            archives = Files.createTempDirectory("selfsup-spark-");
            archives.toFile().deleteOnExit();
        }
        String name = "selfsup-" + checkpoint.getFileName() + "-"
                + Integer.toHexString(checkpoint.toString().hashCode()) + ".zip";
        Path zip = archives.resolve(name);
        if (Files.exists(zip)) {
            return zip; // shipped before in this session: Spark keeps the first
        }
        Path partial = archives.resolve(name + ".partial");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(partial));
                Stream<Path> files = Files.list(checkpoint)) {
            for (Path file : files.sorted().toList()) {
                String entry = file.getFileName().toString();
                if (Files.isRegularFile(file) && !entry.equals(Checkpoints.OPTIMIZER_FILE)) {
                    out.putNextEntry(new ZipEntry(entry));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
        }
        Files.move(partial, zip, StandardCopyOption.ATOMIC_MOVE);
        zip.toFile().deleteOnExit();
        return zip;
    }

    /** The encoder of a shipped checkpoint, loaded once in this JVM and kept for its lifetime. */
    static <E> E encoder(String shippedName, boolean text) {
        String dir = SparkFiles.get(shippedName);
        Object encoder = ENCODERS.computeIfAbsent(dir, key -> {
            // parameters live as long as the JVM: this manager is never closed
            NDManager manager = NDManager.newBaseManager();
            try {
                return text ? TextEncoder.load(Path.of(key), manager)
                        : Encoder.load(Path.of(key), manager);
            } catch (IOException e) {
                manager.close();
                throw new UncheckedIOException(e);
            }
        });
        @SuppressWarnings("unchecked")
        E typed = (E) encoder;
        return typed;
    }

    /** How many encoders this JVM has loaded (one per shipped checkpoint). */
    static int loadedEncoders() {
        return ENCODERS.size();
    }

    /** Turns a partition's rows into embedded rows, one batch at a time. */
    private abstract static class BatchPartition implements FlatMapFunction<Iterator<Row>, Row> {
        private static final long serialVersionUID = 1L;
        final String checkpoint;
        final int batchSize;

        BatchPartition(String checkpoint, int batchSize) {
            this.checkpoint = checkpoint;
            this.batchSize = batchSize;
        }

        /** The output rows of one batch of input rows, in order. */
        abstract List<Row> embed(List<Row> batch, NDManager manager) throws IOException;

        @Override
        public Iterator<Row> call(Iterator<Row> input) {
            return new Iterator<>() {
                private Iterator<Row> current = List.<Row>of().iterator();

                @Override
                public boolean hasNext() {
                    while (!current.hasNext() && input.hasNext()) {
                        List<Row> batch = new ArrayList<>(batchSize);
                        while (batch.size() < batchSize && input.hasNext()) {
                            batch.add(input.next());
                        }
                        try (NDManager manager = NDManager.newBaseManager()) {
                            current = embed(batch, manager).iterator();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    return current.hasNext();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return current.next();
                }
            };
        }
    }

    /** Rows (path, content) to rows (path, embedding). */
    private static final class ImagePartition extends BatchPartition {
        private static final long serialVersionUID = 1L;
        private final int channels;
        private final int imageSize;

        ImagePartition(String checkpoint, int channels, int imageSize, int batchSize) {
            super(checkpoint, batchSize);
            this.channels = channels;
            this.imageSize = imageSize;
        }

        @Override
        List<Row> embed(List<Row> batch, NDManager manager) throws IOException {
            Encoder encoder = encoder(checkpoint, false);
            int volume = channels * imageSize * imageSize;
            byte[] pixels = new byte[batch.size() * volume];
            for (int i = 0; i < batch.size(); i++) {
                Row row = batch.get(i);
                ImageSet one = ImageFolderReader.readImage(row.<byte[]>getAs("content"),
                        row.<String>getAs("path"), imageSize, channels);
                System.arraycopy(one.pixels(), 0, pixels, i * volume, volume);
            }
            int[] labels = new int[batch.size()];
            Arrays.fill(labels, ImageSet.UNLABELLED);
            ImageSet set = new ImageSet("spark batch", channels, imageSize, imageSize, pixels,
                    labels, List.of());
            FeatureMatrix features = encoder.embed(set, manager); // (batch, dim)
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                out.add(RowFactory.create(batch.get(i).<String>getAs("path"), row(features, i)));
            }
            return out;
        }
    }

    /** Rows (line, text) to rows (line, text, embedding). */
    private static final class TextPartition extends BatchPartition {
        private static final long serialVersionUID = 1L;

        TextPartition(String checkpoint, int batchSize) {
            super(checkpoint, batchSize);
        }

        @Override
        List<Row> embed(List<Row> batch, NDManager manager) {
            TextEncoder encoder = encoder(checkpoint, true);
            List<String> texts = batch.stream().map(row -> row.getString(1)).toList();
            FeatureMatrix features = encoder.embed(texts, manager); // (batch, dim)
            List<Row> out = new ArrayList<>(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                out.add(RowFactory.create(batch.get(i).getLong(0), texts.get(i),
                        row(features, i)));
            }
            return out;
        }
    }

    /** Row {@code i} of a feature matrix. */
    private static float[] row(FeatureMatrix features, int i) {
        return Arrays.copyOfRange(features.values(), i * features.dim(),
                (i + 1) * features.dim());
    }

    /**
     * The job: {@code (--images DIR|GLOB | --texts FILE) --checkpoint DIR --out OUT.parquet
     * [--batch-size N] [--master URL] [--overwrite]}. Without {@code --master}, the master is
     * spark-submit's. A bad argument exits with status 2 and one line naming it; a checkpoint
     * that is not one (or of the other modality) exits with status 1 and one line.
     */
    public static void main(String[] args) throws IOException {
        Arguments arguments;
        try {
            arguments = Arguments.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("selfsup-spark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        SparkSession.Builder builder = SparkSession.builder().appName("selfsup-embed");
        if (arguments.master != null) {
            builder.master(arguments.master);
        }
        SparkSession spark = builder.getOrCreate();
        try {
            long start = System.nanoTime();
            Dataset<Row> embeddings = arguments.images != null
                    ? embedImages(spark, arguments.images, arguments.checkpoint,
                            arguments.batchSize)
                    : embedTexts(spark, arguments.texts, arguments.checkpoint,
                            arguments.batchSize);
            write(embeddings, arguments.out, arguments.overwrite);
            long rows = spark.read().parquet(arguments.out).count();
            System.out.printf("wrote %d embeddings to %s in %.1f s%n", rows, arguments.out,
                    (System.nanoTime() - start) / 1e9);
        } catch (IOException | IllegalArgumentException e) {
            // a checkpoint that is not one, of the wrong modality: one line, no stack trace
            System.err.println("selfsup-spark: " + e.getMessage());
            spark.stop();
            System.exit(1);
        } finally {
            spark.stop();
        }
    }

    /** The job's parsed command line. */
    record Arguments(String images, String texts, Path checkpoint, String out, int batchSize,
            String master, boolean overwrite) {

        static Arguments parse(String... args) {
            String images = null;
            String texts = null;
            String checkpoint = null;
            String out = null;
            String master = null;
            int batchSize = DEFAULT_BATCH_SIZE;
            boolean overwrite = false;
            for (int i = 0; i < args.length; i++) {
                String option = args[i];
                if (option.equals("--overwrite")) {
                    overwrite = true;
                    continue;
                }
                if (!List.of("--images", "--texts", "--checkpoint", "--out", "--batch-size",
                        "--master").contains(option)) {
                    throw new IllegalArgumentException("unknown option '" + option + "'");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                String value = args[++i];
                switch (option) {
                    case "--images" -> images = value;
                    case "--texts" -> texts = value;
                    case "--checkpoint" -> checkpoint = value;
                    case "--out" -> out = value;
                    case "--master" -> master = value;
                    default -> batchSize = positive(option, value);
                }
            }
            if ((images == null) == (texts == null)) {
                throw new IllegalArgumentException("give exactly one of --images and --texts");
            }
            if (checkpoint == null || out == null) {
                throw new IllegalArgumentException("--checkpoint and --out are required");
            }
            Path checkpointDir = Path.of(checkpoint);
            if (!Files.isDirectory(checkpointDir)) {
                throw new IllegalArgumentException("--checkpoint must be a directory, found '"
                        + checkpoint + "'");
            }
            return new Arguments(images, texts, checkpointDir, out, batchSize, master, overwrite);
        }

        private static int positive(String option, String value) {
            try {
                int number = Integer.parseInt(value);
                if (number > 0) {
                    return number;
                }
            } catch (NumberFormatException e) {
                // named below
            }
            throw new IllegalArgumentException(option + " must be a positive integer, found '"
                    + value + "'");
        }
    }
}
