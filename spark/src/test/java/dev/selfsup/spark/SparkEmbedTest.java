package dev.selfsup.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageFolderReader;
import dev.selfsup.data.ImageFolderReader.ColorMode;
import dev.selfsup.data.ImageSet;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Pretrainer;
import dev.selfsup.train.ProgressListener;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.train.TextPretrainer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job on {@code local[2]} against the single-process path ({@code selfsup embed}'s):
 * a folder of PNGs, a one-epoch checkpoint trained here, the same embeddings.
 */
class SparkEmbedTest {
    private static final int IMAGE_SIZE = 16;

    @TempDir
    static Path tmp;

    private static SparkSession spark;
    private static Path images;
    private static Path run;

    @BeforeAll
    static void setUp() throws IOException {
        images = tmp.resolve("images");
        writeImages(images);
        DataSplits data = ImageFolderReader.read(images, IMAGE_SIZE, ColorMode.AUTO);
        PretrainConfig config = PretrainConfig.builder()
                .setMethod("simclr")
                .setData(data)
                .optBackbone("mlp")
                .optEpochs(1)
                .optBatchSize(4)
                .optWorkers(1)
                .build();
        run = tmp.resolve("run");
        new Pretrainer(config, data, ProgressListener.silent()).run(run, false);
        spark = SparkSession.builder().master("local[2]").appName("selfsup-spark-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** 2 classes x (4 train + 3 test) colour PNGs of different sizes, written at random. */
    private static void writeImages(Path root) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        for (String split : List.of("train", "test")) {
            for (String label : List.of("bars", "dots")) {
                Path folder = Files.createDirectories(root.resolve(split).resolve(label));
                int count = split.equals("train") ? 4 : 3;
                for (int i = 0; i < count; i++) {
                    int width = 14 + random.nextInt(10);
                    int height = 14 + random.nextInt(10);
                    BufferedImage image = new BufferedImage(width, height,
                            BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            boolean on = label.equals("bars") ? x % 4 < 2 : (x + y) % 5 == 0;
                            int base = on ? 200 : 40;
                            image.setRGB(x, y, (base + random.nextInt(40)) << 16
                                    | random.nextInt(256) << 8 | (base / 2 + random.nextInt(30)));
                        }
                    }
                    ImageIO.write(image, "png", folder.resolve("img" + i + ".png").toFile());
                }
            }
        }
    }

    @Test
    void imageEmbeddingsEqualTheSingleProcessOnesAndRoundTripThroughParquet() throws IOException {
        Dataset<Row> embedded = SparkEmbed.embedImages(spark, images.toString(), run, 3);
        TreeMap<String, float[]> byPath = new TreeMap<>();
        for (Row row : embedded.collectAsList()) {
            Path file = Path.of(URI.create(row.getString(0)));
            byPath.put(images.relativize(file).toString(), floats(row.getList(1)));
        }
        assertThat(byPath).hasSize(14);

        DataSplits data = ImageFolderReader.read(images, IMAGE_SIZE, ColorMode.AUTO);
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.load(run, manager);
            for (String split : List.of("train", "test")) {
                ImageSet set = split.equals("train") ? data.train() : data.test();
                FeatureMatrix expected = encoder.embed(set, manager);
                List<String> paths = byPath.keySet().stream()
                        .filter(path -> path.startsWith(split + "/")).toList();
                assertThat(paths).hasSize(expected.rows());
                for (int i = 0; i < paths.size(); i++) {
                    assertClose(byPath.get(paths.get(i)), expected, i, paths.get(i));
                }
            }
        }

        String out = tmp.resolve("out.parquet").toString();
        SparkEmbed.write(embedded, out, false);
        assertThatThrownBy(() -> SparkEmbed.write(embedded, out, false))
                .hasMessageContaining("already exists");
        List<Row> read = spark.read().parquet(out).collectAsList();
        assertThat(read).hasSize(14);
        for (Row row : read) {
            String relative = images.relativize(Path.of(URI.create(row.getString(0)))).toString();
            assertThat(floats(row.getList(1))).as(relative).containsExactly(byPath.get(relative));
        }
        // a Parquet table of image bytes embeds the same
        String bytes = tmp.resolve("bytes.parquet").toString();
        spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .load(images.resolve("test").toString())
                .select("path", "content").write().parquet(bytes);
        List<Row> fromBytes = SparkEmbed.embedImageBytes(spark, spark.read().parquet(bytes), run,
                2).collectAsList();
        assertThat(fromBytes).hasSize(6);
        for (Row row : fromBytes) {
            String relative = images.relativize(Path.of(URI.create(row.getString(0)))).toString();
            float[] expected = byPath.get(relative);
            assertClose(floats(row.getList(1)), new FeatureMatrix(expected, 1, expected.length),
                    0, relative);
        }
        // the later jobs reused the first one's encoder: one load per executor JVM
        assertThat(SparkEmbed.loadedEncoders()).isEqualTo(1);
    }

    @Test
    void textEmbeddingsEqualTheSingleProcessOnesLineByLine() throws IOException {
        List<String> words = List.of("river", "stone", "cloud", "market", "price", "trade",
                "engine", "wheel", "road", "bread", "salt", "oven");
        SplittableRandom random = new SplittableRandom(3);
        List<TextCorpus.Document> documents = new ArrayList<>();
        for (int d = 0; d < 12; d++) {
            List<String> sentences = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                StringBuilder sentence = new StringBuilder();
                for (int w = 0; w < 5 + random.nextInt(5); w++) {
                    sentence.append(w == 0 ? "" : " ")
                            .append(words.get((d % 3) * 4 + random.nextInt(4)));
                }
                sentences.add(sentence.append('.').toString());
            }
            documents.add(new TextCorpus.Document("doc" + d, sentences));
        }
        TextPretrainConfig config = TextPretrainConfig.builder()
                .setData("text:generated")
                .optVocabularySize(120)
                .optEncoder(32, 1, 2)
                .optMaxLength(32)
                .optBatchSize(16)
                .optStepsPerEpoch(2)
                .optHeldOutExamples(4)
                .optEpochs(1)
                .build();
        Path textRun = tmp.resolve("text-run");
        new TextPretrainer(config, new TextCorpus("generated", documents),
                ProgressListener.silent(), metrics -> { }).run(textRun);

        List<String> lines = new ArrayList<>();
        for (TextCorpus.Document document : documents.subList(0, 5)) {
            lines.addAll(document.sentences());
            lines.add("   "); // blank: skipped, its number kept by the others
        }
        Path file = Files.write(tmp.resolve("lines.txt"), lines);
        List<Row> rows = new ArrayList<>(
                SparkEmbed.embedTexts(spark, file.toString(), textRun, 4).collectAsList());
        rows.sort(Comparator.comparingLong(row -> row.getLong(0)));
        List<String> texts = lines.stream().filter(line -> !line.isBlank()).toList();
        assertThat(rows).hasSize(texts.size());
        try (NDManager manager = NDManager.newBaseManager()) {
            FeatureMatrix expected = TextEncoder.load(textRun, manager).embed(texts, manager);
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                long line = row.getLong(0);
                assertThat(row.getString(1)).isEqualTo(lines.get((int) line - 1))
                        .isEqualTo(texts.get(i));
                assertClose(floats(row.getList(2)), expected, i, "line " + line);
            }
        }
    }

    @Test
    void aTextCheckpointIsRefusedForImagesAndBadBatchSizesAreNamed() {
        assertThatThrownBy(() -> SparkEmbed.embedImages(spark, images.toString(), run, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batchSize must be > 0, found 0");
        assertThatThrownBy(() -> SparkEmbed.embedTexts(spark, "lines.txt", run, 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is an image checkpoint");
    }

    @Test
    void badArgumentsAreNamedOnOneLine() {
        String checkpoint = run.toString();
        assertThatThrownBy(() -> SparkEmbed.Arguments.parse("--images", "x", "--checkpoint",
                checkpoint, "--out", "o", "--batch-size", "zero"))
                .hasMessage("--batch-size must be a positive integer, found 'zero'");
        assertThatThrownBy(() -> SparkEmbed.Arguments.parse("--images", "x", "--texts", "y",
                "--checkpoint", checkpoint, "--out", "o"))
                .hasMessage("give exactly one of --images and --texts");
        assertThatThrownBy(() -> SparkEmbed.Arguments.parse("--images", "x", "--checkpoint",
                "/no/such/run", "--out", "o"))
                .hasMessage("--checkpoint must be a directory, found '/no/such/run'");
        assertThatThrownBy(() -> SparkEmbed.Arguments.parse("--imgs", "x"))
                .hasMessage("unknown option '--imgs'");
        assertThat(SparkEmbed.Arguments.parse("--texts", "t.txt", "--checkpoint", checkpoint,
                "--out", "o", "--master", "local[2]", "--overwrite"))
                .isEqualTo(new SparkEmbed.Arguments(null, "t.txt", run, "o",
                        SparkEmbed.DEFAULT_BATCH_SIZE, "local[2]", true));
    }

    /** {@code actual} equals row {@code row} of {@code expected} within 1e-5 absolute. */
    private static void assertClose(float[] actual, FeatureMatrix expected, int row,
            String name) {
        assertThat(actual).as(name).hasSize(expected.dim());
        for (int j = 0; j < expected.dim(); j++) {
            assertThat((double) actual[j]).as(name + " [" + j + "]")
                    .isCloseTo(expected.values()[row * expected.dim() + j], offset(1e-5));
        }
    }

    private static float[] floats(List<Object> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (Float) values.get(i);
        }
        return out;
    }
}
