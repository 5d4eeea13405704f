package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.IdxFiles;
import dev.selfsup.data.ImageSet;
import dev.selfsup.testing.ParquetRow;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {
    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        dev.selfsup.testing.Cli.Run run = dev.selfsup.testing.Cli.run(args);
        return new Run(run.code(), run.out(), run.err());
    }

    /** Writes the tiny synthetic set as a real idx directory. */
    static Path tinyIdx(Path dir) throws IOException {
        DataSplits data = TinyData.splits(256, 128, 5);
        write(dir, "train", data.train());
        write(dir, "t10k", data.test());
        return dir;
    }

    private static void write(Path dir, String prefix, ImageSet set) throws IOException {
        IdxFiles.writeImages(dir.resolve(prefix + "-images-idx3-ubyte.gz"), set.height(), set.width(),
                set.pixels(), true);
        IdxFiles.writeLabels(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), set.labels(), true);
    }

    private static String[] lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toArray(String[]::new);
    }

    @Test
    void unknownOptionsAreRejected() {
        Run run = run("pretrain", "--bogus", "1");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option").contains("'--bogus'");
    }

    @Test
    void methodOptionsAreCheckedAgainstTheMethod() {
        Run notMoco = run("pretrain", "--method", "simclr", "--queue-size", "1024", "--data", "shapes");
        assertThat(notMoco.code()).isEqualTo(1);
        assertThat(lines(notMoco.err())).containsExactly(
                "selfsup: error: --queue-size does not apply to simclr");
        Run small = run("pretrain", "--method", "moco", "--queue-size", "100", "--batch-size", "64",
                "--data", "shapes");
        assertThat(small.code()).isEqualTo(1);
        assertThat(small.err()).contains("queue size must be at least 2 x batch size = 128")
                .contains("found 100");
        Run noTemperature = run("pretrain", "--method", "byol", "--temperature", "0.1", "--data", "shapes");
        assertThat(lines(noTemperature.err())).containsExactly(
                "selfsup: error: --temperature does not apply to byol");
    }

    @Test
    void aMissingDirectoryIsOneLine() {
        Run run = run("eval", "knn", "--data", "idx:/nonexistent/fm");
        assertThat(run.code()).isEqualTo(1);
        assertThat(lines(run.err())).containsExactly(
                "selfsup: error: /nonexistent/fm: not a directory (from --data idx:/nonexistent/fm)");
    }

    @Test
    void aTruncatedIdxFileIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        IdxFiles.writeDataset(dir, 20, 10, 4, 4, false);
        Path images = dir.resolve("train-images-idx3-ubyte");
        byte[] bytes = Files.readAllBytes(images);
        Files.write(images, Arrays.copyOf(bytes, bytes.length - 5));
        Run run = run("eval", "knn", "--data", "idx:" + dir);
        assertThat(run.code()).isEqualTo(1);
        String[] err = lines(run.err());
        assertThat(err).hasSize(1);
        assertThat(err[0]).startsWith("selfsup: error: " + images).contains("truncated");
    }

    @Test
    void aMislabelledIdxFileNamesTheRecord(@TempDir Path dir) throws IOException {
        IdxFiles.writeDataset(dir, 20, 10, 4, 4, false);
        int[] labels = new int[10];
        labels[7] = 12;
        IdxFiles.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), labels, false);
        Run run = run("eval", "knn", "--data", "idx:" + dir);
        assertThat(run.code()).isEqualTo(1);
        assertThat(lines(run.err())).singleElement().asString()
                .contains("t10k-labels-idx1-ubyte").contains("7").contains("12");
    }

    @Test
    void thePickledCifarIsRefusedWithAPointerToTheBinaryVersion(@TempDir Path dir) throws IOException {
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i), new byte[] {(byte) 0x80, 2, 0});
        }
        Files.write(dir.resolve("test_batch"), new byte[] {(byte) 0x80, 2, 0});
        Run run = run("eval", "knn", "--data", "cifar10:" + dir);
        assertThat(run.code()).isEqualTo(1);
        assertThat(lines(run.err())).singleElement().asString().contains("binary");
    }

    @Test
    void aTruncatedCifarBatchIsOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] record = new byte[3073];
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), record);
        }
        Files.write(dir.resolve("test_batch.bin"), Arrays.copyOf(record, 3073 + 100));
        Run run = run("eval", "knn", "--data", "cifar10:" + dir);
        assertThat(run.code()).isEqualTo(1);
        assertThat(lines(run.err())).singleElement().asString()
                .startsWith("selfsup: error: " + dir.resolve("test_batch.bin")).contains("3073");
    }

    @Test
    void benchCommandsPrintOneJsonObjectOnTheLastLine() throws IOException {
        String[][] commands = {
            {"bench", "augment", "--seconds", "0.2", "--json"},
            {"bench", "train", "--backbone", "mlp", "--batch-size", "8", "--steps", "2", "--json"},
            {"bench", "knn", "--queries", "300", "--bank", "1000", "--dim", "16", "--json"},
            {"bench", "embed", "--backbone", "small-resnet", "--image-size", "16", "--images",
                "300", "--repeats", "1", "--json"},
            {"bench", "pipeline", "--backbone", "mlp", "--batch-size", "8", "--steps", "3",
                "--memory-steps", "5", "--json"},
            {"bench", "tsne", "--points", "100", "--dim", "8", "--threads", "1", "--json"},
        };
        for (String[] command : commands) {
            Run run = run(command);
            assertThat(run.code()).as(String.join(" ", command) + ": " + run.err()).isZero();
            String[] out = lines(run.out());
            JsonNode figures = Json.MAPPER.readTree(out[out.length - 1]);
            assertThat(figures.get("benchmark").asText()).isEqualTo(command[1]);
            // what the figures were measured on comes with them
            assertThat(figures.at("/setup/djl").asText()).isNotEmpty();
            assertThat(figures.at("/setup/allocator").asText()).isNotEmpty();
            assertThat(figures.at("/setup/variables").isObject()).isTrue();
        }
        Run train = run("bench", "train", "--backbone", "mlp", "--batch-size", "8", "--steps", "2", "--json");
        JsonNode figures = Json.MAPPER.readTree(lines(train.out())[0]);
        assertThat(figures.get("median_step_ms").asDouble()).isPositive();
        assertThat(figures.get("views_per_second").asDouble()).isPositive();
        Run embed = run("bench", "embed", "--image-size", "16", "--images", "300", "--repeats",
                "1", "--json");
        JsonNode embedded = Json.MAPPER.readTree(lines(embed.out())[0]);
        assertThat(embedded.get("images_per_second").asDouble()).isPositive();
        assertThat(embedded.get("model").asText()).isEqualTo("small-resnet");
        assertThat(embedded.get("batch_norm_folded").asBoolean()).isTrue();
    }

    @Test
    void benchTrainWritesAProfilerTraceOfItsSteps(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("trace.json");
        Run train = run("bench", "train", "--backbone", "small-resnet", "--channels", "1",
                "--image-size", "8", "--batch-size", "4", "--steps", "2", "--json",
                "--profile", trace.toString());
        assertThat(train.code()).as(train.err()).isZero();
        JsonNode events = Json.MAPPER.readTree(trace.toFile()); // an array of events
        java.util.Set<String> names = new java.util.HashSet<>();
        events.forEach(e -> names.add(e.path("name").asText()));
        // the forward and the backward of the convolutions are both in it
        assertThat(names).contains("aten::convolution", "aten::convolution_backward");
    }

    @Test
    void pretrainResumeEvalAndEmbedEndToEnd(@TempDir Path dir) throws Exception {
        Path data = tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path out = dir.resolve("run");
        Run pretrain = run("pretrain", "--method", "simclr", "--backbone", "mlp", "--data",
                "idx:" + data, "--epochs", "2", "--batch-size", "64", "--threads", "2",
                "--out", out.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        assertThat(pretrain.out()).contains("epoch 2:").contains("knn_top1");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(2);

        // an interrupted run: the last checkpoint is gone; --resume redoes epoch 2
        dev.selfsup.train.Checkpoints.latest(out).ifPresent(p -> {
            try (var walk = Files.walk(p)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Run resume = run("pretrain", "--resume", out.toString());
        assertThat(resume.code()).as(resume.err()).isZero();
        assertThat(resume.out()).contains("epoch 2:").doesNotContain("epoch 1:");
        assertThat(Files.readAllLines(out.resolve("metrics.jsonl"))).hasSize(2);

        Run eval = run("eval", "all", "--data", "idx:" + data, "--checkpoint", out.toString(), "--json");
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode result = Json.MAPPER.readTree(lines(eval.out())[0]);
        assertThat(result.get("knn_top1").asDouble()).isBetween(0.0, 1.0);
        assertThat(result.get("linear_top1").asDouble()).isBetween(0.0, 1.0);

        Run raw = run("eval", "knn", "--data", "idx:" + data);
        assertThat(raw.code()).isZero();
        assertThat(raw.out()).contains("raw pixels");

        Path npy = dir.resolve("emb.npy");
        Run embed = run("embed", "--checkpoint", out.toString(), "--data", "idx:" + data,
                "--out", npy.toString());
        assertThat(embed.code()).as(embed.err()).isZero();
        assertThat(Files.size(npy)).isGreaterThan(128L * 128 * 4);
        assertThat(Files.exists(dir.resolve("emb.labels.npy"))).isTrue();

        // Parquet: the same embeddings as the csv, with ids and labels, read back by DuckDB
        Path csv = dir.resolve("emb.csv");
        Path parquet = dir.resolve("emb.parquet");
        for (Path file : List.of(csv, parquet)) {
            Run written = run("embed", "--checkpoint", out.toString(), "--data", "idx:" + data,
                    "--out", file.toString());
            assertThat(written.code()).as(written.err()).isZero();
        }
        List<String> lines = Files.readAllLines(csv);
        List<ParquetRow> rows = ParquetRow.read(parquet);
        assertThat(rows).hasSize(lines.size() - 1);
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertThat(rows.get(i).id()).isEqualTo("test/" + i);
            assertThat(rows.get(i).label()).isEqualTo(Integer.valueOf(cells[0]));
            float[] expected = new float[cells.length - 1];
            for (int j = 0; j < expected.length; j++) {
                expected[j] = Float.parseFloat(cells[j + 1]);
            }
            assertThat(rows.get(i).embedding()).isEqualTo(expected);
        }
        Run wrong = run("embed", "--checkpoint", out.toString(), "--data", "idx:" + data,
                "--out", dir.resolve("emb.json").toString());
        assertThat(wrong.code()).isNotZero();
        assertThat(wrong.err()).contains("--out must end in .npy, .csv or .parquet")
                .contains("emb.json");
    }
}
