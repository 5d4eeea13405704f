package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.data.ImageSet;
import dev.selfsup.method.PictureSheet;
import dev.selfsup.report.PictureGrid;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code selfsup index}, {@code search} and {@code duplicates} from the command line. */
class IndexCliTest {
    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Test
    void indexSearchAndDuplicatesOnAnImageRun(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path run = dir.resolve("run");
        CliTest.Run pretrain = CliTest.run("pretrain", "--method", "simclr", "--backbone", "mlp",
                "--data", "idx:" + data, "--epochs", "1", "--batch-size", "64", "--threads", "2",
                "--out", run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();

        Path index = dir.resolve("index");
        CliTest.Run built = CliTest.run("index", "--checkpoint", run.toString(), "--data",
                "idx:" + data, "--out", index.toString());
        assertThat(built.code()).as(built.err()).isZero();
        assertThat(built.out()).contains("indexed 384 x 128 embeddings").contains("recall@10");

        CliTest.Run byId = CliTest.run("search", "--index", index.toString(), "--id", "test/3",
                "-k", "5", "--json");
        assertThat(byId.code()).as(byId.err()).isZero();
        JsonNode hits = Json.MAPPER.readTree(lastLine(byId.out())).get("hits");
        assertThat(hits).hasSize(5);
        assertThat(hits.findValuesAsText("id")).doesNotContain("test/3");
        double previous = 2;
        for (JsonNode hit : hits) {
            assertThat(hit.get("cosine").asDouble()).isLessThanOrEqualTo(previous);
            previous = hit.get("cosine").asDouble();
        }

        // the same search drawn: the query and each hit are the data's images at the ids found
        Path picture = dir.resolve("hits.png");
        CliTest.Run drawn = CliTest.run("search", "--index", index.toString(), "--id", "test/3",
                "-k", "5", "--picture", picture.toString(), "--json");
        assertThat(drawn.code()).as(drawn.err()).isZero();
        assertThat(drawn.err()).contains("wrote " + picture);
        JsonNode drawnHits = Json.MAPPER.readTree(lastLine(drawn.out())).get("hits");
        assertThat(drawnHits).isEqualTo(hits);
        DataSplits read = Datasets.load("idx:" + data, Datasets.Options.defaults());
        List<PictureSheet.Panel> panels = new ArrayList<>();
        int queryLabel = read.test().labels()[3];
        panels.add(panelOf(read.test(), 3, read.test().classNames().get(queryLabel)));
        for (JsonNode hit : drawnHits) {
            String[] id = hit.get("id").asText().split("/");
            ImageSet set = id[0].equals("train") ? read.train() : read.test();
            int position = Integer.parseInt(id[1]);
            int label = set.labels()[position];
            panels.add(panelOf(set, position, String.format(Locale.ROOT, "%.3f %s%s",
                    hit.get("cosine").asDouble(), label != queryLabel ? "x " : "",
                    set.classNames().get(label))));
        }
        BufferedImage expected = PictureGrid.render(new PictureSheet(
                "the 5 nearest items of idx:" + data + " to test/3 (cosine); x: another class "
                        + "than the query's", List.of("query", "#1", "#2", "#3", "#4", "#5"),
                List.of(panels)));
        BufferedImage written = ImageIO.read(picture.toFile());
        assertThat(written.getWidth()).isEqualTo(expected.getWidth());
        assertThat(written.getHeight()).isEqualTo(expected.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertThat(written.getRGB(x, y)).as("pixel (%d, %d)", x, y)
                        .isEqualTo(expected.getRGB(x, y));
            }
        }
        CliTest.Run notPng = CliTest.run("search", "--index", index.toString(), "--id", "test/3",
                "--picture", dir.resolve("hits.jpg").toString());
        assertThat(notPng.code()).isEqualTo(1);
        assertThat(notPng.err()).contains("--picture must name a .png file, found '");

        // an image file as the query: test image 3 written as a PNG finds itself first
        JsonNode first = searchByPicture(index, 3, dir.resolve("query.png"));
        assertThat(first.get("id").asText()).isEqualTo("test/3");
        assertThat(first.get("cosine").asDouble()).isGreaterThan(0.999);

        CliTest.Run wrongKind = CliTest.run("search", "--index", index.toString(), "--text", "hi");
        assertThat(wrongKind.code()).isEqualTo(1);
        assertThat(wrongKind.err()).contains("--text needs an index of texts");

        CliTest.Run duplicates = CliTest.run("duplicates", "--index", index.toString(),
                "--threshold", "0.999", "--json");
        assertThat(duplicates.code()).as(duplicates.err()).isZero();
        JsonNode found = Json.MAPPER.readTree(lastLine(duplicates.out()));
        assertThat(found.get("threshold").asDouble()).isEqualTo(0.999);
        for (JsonNode pair : found.get("pairs")) {
            assertThat(pair.get("cosine").asDouble()).isGreaterThanOrEqualTo(0.999);
        }

        CliTest.Run again = CliTest.run("index", "--checkpoint", run.toString(), "--data",
                "idx:" + data, "--out", index.toString());
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).contains("already holds files");
        CliTest.Run missing = CliTest.run("search", "--index", dir.resolve("nope").toString(),
                "--id", "test/1");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("no such index folder");
    }

    @Test
    void aBf16IndexEmbedsItsPictureQueriesInBf16OrTheCpuIsNamed(@TempDir Path dir)
            throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path run = dir.resolve("run");
        CliTest.Run pretrain = CliTest.run("pretrain", "--backbone", "small-resnet", "--data",
                "idx:" + data, "--epochs", "1", "--batch-size", "64", "--out", run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        Path index = dir.resolve("index");
        CliTest.Run built = CliTest.run("index", "--checkpoint", run.toString(), "--data",
                "idx:" + data, "--out", index.toString(), "--precision", "bf16");
        if (!dev.selfsup.nn.Bf16Autocast.available()) {
            assertThat(built.code()).isEqualTo(1);
            assertThat(built.err()).contains("precision bf16 cannot run here");
            return;
        }
        assertThat(built.code()).as(built.err()).isZero();
        assertThat(built.out()).contains("indexed 384 x 128 embeddings").contains("s (bf16)");
        // test image 5 as a PNG: embedded in bf16 as the index was, it finds itself
        JsonNode first = searchByPicture(index, 5, dir.resolve("query.png"));
        assertThat(first.get("id").asText()).isEqualTo("test/5");
        // 1.0 here; the same query embedded in fp32 measured 0.99995
        assertThat(first.get("cosine").asDouble()).isGreaterThan(0.99999);
    }

    /**
     * Writes test image {@code position} of the tiny set ({@link CliTest#tinyIdx}) as a PNG
     * {@code file} and returns the first hit of {@code search --query file} in {@code index}.
     */
    private static JsonNode searchByPicture(Path index, int position, Path file)
            throws IOException {
        ImageSet test = TinyData.splits(256, 128, 5).test();
        BufferedImage png = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                int v = test.pixels()[position * 256 + y * 16 + x] & 0xFF;
                png.getRaster().setSample(x, y, 0, v);
            }
        }
        ImageIO.write(png, "png", file.toFile());
        CliTest.Run byFile = CliTest.run("search", "--index", index.toString(), "--query",
                file.toString(), "-k", "3", "--json");
        assertThat(byFile.code()).as(byFile.err()).isZero();
        return Json.MAPPER.readTree(lastLine(byFile.out())).get("hits").get(0);
    }

    private static PictureSheet.Panel panelOf(ImageSet set, int index, String caption) {
        float[] pixels = new float[set.imageVolume()];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (set.pixels()[set.offsetOf(index) + i] & 0xFF) / 255f;
        }
        return new PictureSheet.Panel(pixels, set.channels(), set.height(), set.width(), caption);
    }
}
