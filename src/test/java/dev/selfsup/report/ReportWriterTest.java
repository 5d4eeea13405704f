package dev.selfsup.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.DataFormatException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    @TempDir
    Path runDir;

    @Test
    void writesChartsAndAReportWithTheFinalFigures() throws Exception {
        writeMetrics(
                record(1, 6.25, null, null),
                record(2, 5.5, 0.4125, 0.81),
                record(3, 4.75, null, null),
                record(4, 4.125, 0.6875, 0.77));
        Files.writeString(runDir.resolve("config.json"),
                "{\"method\":\"simclr\",\"data\":\"shapes\",\"epochs\":4,\"lr\":0.3}");

        Path report = ReportWriter.write(runDir);

        assertThat(report).isEqualTo(runDir.resolve("report.html"));
        for (String chart : List.of("loss.png", "knn.png", "embedding_std.png")) {
            assertPng(runDir.resolve(chart), 640, 400);
        }
        String html = Files.readString(report);
        assertThat(html).startsWith("<!DOCTYPE html>")
                .contains("<img src=\"loss.png\"", "<img src=\"knn.png\"",
                        "<img src=\"embedding_std.png\"")
                .contains("<th>Final epoch</th><td>4 (4 logged)</td>")
                .contains("<th>Optimizer steps</th><td>400</td>")
                .contains("<th>Loss</th><td>4.1250</td>")
                .contains("<th>kNN top-1</th><td>0.6875</td>")
                .contains("<th>Best kNN top-1</th><td>0.6875 (epoch 4)</td>")
                .contains("<th>Embedding std</th><td>0.7700</td>")
                .contains("<th>Total training time</th><td>12.0 s</td>")
                .contains("&quot;method&quot; : &quot;simclr&quot;")
                .contains("<h2>Pictures</h2>")
                .endsWith("</html>\n");
        assertNoTemporaryFiles();
    }

    @Test
    void missingKnnValuesAreHandled() throws Exception {
        writeMetrics(record(1, 3.0, null, null), record(2, 2.0, null, null));
        Files.write(runDir.resolve("knn.png"), new byte[] {1, 2, 3}); // stale, from before

        ReportWriter.write(runDir);

        assertPng(runDir.resolve("loss.png"), 640, 400);
        assertThat(runDir.resolve("knn.png")).doesNotExist();
        assertThat(runDir.resolve("embedding_std.png")).doesNotExist();
        String html = Files.readString(runDir.resolve("report.html"));
        assertThat(html).contains("<img src=\"loss.png\"")
                .doesNotContain("knn.png", "embedding_std.png")
                .contains("No kNN evaluation logged yet.")
                .contains("<th>kNN top-1</th><td>not evaluated this epoch</td>")
                .doesNotContain("Best kNN top-1")
                .contains("No config.json in the run directory.");
    }

    @Test
    void singleEpochAndEmptyLogsStillGiveAReport() throws Exception {
        writeMetrics(record(1, 2.5, 0.3, 0.9));
        ReportWriter.write(runDir);
        assertPng(runDir.resolve("loss.png"), 640, 400);
        assertPng(runDir.resolve("knn.png"), 640, 400);

        writeMetrics();
        ReportWriter.write(runDir);
        assertThat(runDir.resolve("loss.png")).doesNotExist();
        assertThat(Files.readString(runDir.resolve("report.html")))
                .contains("No epochs logged yet");
    }

    @Test
    void picturesAreListedSortedByPath() throws Exception {
        writeMetrics(record(1, 1.0, null, null));
        Path pictures = Files.createDirectories(runDir.resolve("pictures"));
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("raw pixels", 0.31);
        bars.put("random init", 0.45);
        bars.put("trained", 0.82);
        ReportWriter.writeComparisonChart(pictures.resolve("b_knn.png"), "kNN top-1", bars);
        ReportWriter.writeComparisonChart(pictures.resolve("a grid.png"), "A", Map.of("x", 1.0));
        ReportWriter.writeComparisonChart(pictures.resolve("views/c.png"), "C", Map.of("y", 2.0));
        Files.writeString(pictures.resolve("notes.txt"), "not a picture");
        Files.writeString(pictures.resolve(".d.png.123.tmp"), "being written");

        ReportWriter.write(runDir);

        String html = Files.readString(runDir.resolve("report.html"));
        int a = html.indexOf("src=\"pictures/a%20grid.png\"");
        int b = html.indexOf("src=\"pictures/b_knn.png\"");
        int c = html.indexOf("src=\"pictures/views/c.png\"");
        assertThat(a).isPositive();
        assertThat(b).isGreaterThan(a);
        assertThat(c).isGreaterThan(b);
        assertThat(html).doesNotContain("notes.txt", ".tmp");
    }

    @Test
    void embeddingMapsStandSideBySideWithCaptions() throws Exception {
        writeMetrics(record(1, 1.0, 0.5, 0.5), record(2, 0.9, 0.6, 0.5));
        Path pictures = Files.createDirectories(runDir.resolve("pictures"));
        for (String picture : List.of(EmbeddingPictures.MAP_FILE, EmbeddingPictures.TSNE_FILE,
                EmbeddingPictures.RETRIEVAL_FILE, "other.png")) {
            ReportWriter.writeComparisonChart(pictures.resolve(picture), picture,
                    Map.of("x", 1.0));
        }
        dev.selfsup.util.Json.write(pictures.resolve(EmbeddingPictures.TSNE_INFO_FILE),
                new EmbeddingPictures.TsneMap(2, 2000, 10_000, 30, 1000, 1.2345));

        ReportWriter.write(runDir);

        String html = Files.readString(runDir.resolve("report.html"));
        int maps = html.indexOf("<div class=\"maps\">");
        int pca = html.indexOf("src=\"pictures/embedding-map.png\"");
        int tsne = html.indexOf("src=\"pictures/embedding-tsne.png\"");
        int end = html.indexOf("</div>", maps);
        int retrieval = html.indexOf("src=\"pictures/retrieval.png\"");
        int other = html.indexOf("src=\"pictures/other.png\"");
        assertThat(maps).isPositive();
        assertThat(pca).isGreaterThan(maps);
        assertThat(tsne).isGreaterThan(pca).isLessThan(end);
        assertThat(retrieval).isGreaterThan(end);
        assertThat(other).isGreaterThan(html.indexOf("<h2>Pictures</h2>"));
        assertThat(html.split("embedding-tsne.png\"", -1)).hasSize(3); // src and alt, once
        assertThat(html.substring(tsne, end))
                .contains("after epoch 2; a uniform sample of 2,000 of 10,000 points;")
                .contains("perplexity 30;").contains("KL divergence 1.235")
                .contains("nearest neighbours (by cosine)")
                .contains("how big a cluster looks, how far apart two clusters are and the "
                        + "axes mean nothing");
        assertThat(html.substring(pca, tsne)).contains("first two principal components");
    }

    @Test
    void aTsneMapWithoutItsRecordStillShows() throws Exception {
        writeMetrics(record(1, 1.0, 0.5, 0.5));
        Path pictures = Files.createDirectories(runDir.resolve("pictures"));
        ReportWriter.writeComparisonChart(pictures.resolve(EmbeddingPictures.TSNE_FILE), "t",
                Map.of("x", 1.0));

        ReportWriter.write(runDir);

        String html = Files.readString(runDir.resolve("report.html"));
        assertThat(html).contains("<b>t-SNE</b>: an exact t-SNE of the test embeddings")
                .doesNotContain("embedding-map.png");
        Files.writeString(pictures.resolve(EmbeddingPictures.TSNE_INFO_FILE), "{\"epoch\":");
        assertThatThrownBy(() -> ReportWriter.write(runDir))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining(EmbeddingPictures.TSNE_INFO_FILE)
                .hasMessageContaining("not a t-SNE map record");
    }

    @Test
    void comparisonChartIsABarChartOfTheExpectedSize() throws Exception {
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("raw pixels", 0.31);
        bars.put("random init", 0.45);
        bars.put("SimCLR", 0.82);
        Path png = runDir.resolve("nested/dir/knn_comparison.png");

        ReportWriter.writeComparisonChart(png, "kNN top-1 on shapes (test split)", bars);

        assertPng(png, 640, 400);
        assertThatThrownBy(() -> ReportWriter.writeComparisonChart(png, "t", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        Map<String, Double> bad = new LinkedHashMap<>();
        bad.put("nan", Double.NaN);
        assertThatThrownBy(() -> ReportWriter.writeComparisonChart(png, "t", bad))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nan = NaN");
    }

    @Test
    void malformedInputsAreReportedWithFileAndLine() throws Exception {
        Files.writeString(runDir.resolve("metrics.jsonl"),
                MetricsLogTest.line(1, 1.0) + "\nnot json\n");
        assertThatThrownBy(() -> ReportWriter.write(runDir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("metrics.jsonl").hasMessageContaining("line 2");
        assertThat(runDir.resolve("report.html")).doesNotExist();

        writeMetrics(record(1, 1.0, null, null));
        Files.writeString(runDir.resolve("config.json"), "{\"method\":");
        assertThatThrownBy(() -> ReportWriter.write(runDir))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("config.json");
        Files.writeString(runDir.resolve("config.json"), "[1]");
        assertThatThrownBy(() -> ReportWriter.write(runDir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("must hold a JSON object, found array");
    }

    @Test
    void labelEfficiencyGetsItsOwnSectionWithAChartPerProbe() throws Exception {
        writeMetrics(record(1, 1.0, 0.5, 0.9));
        Files.writeString(runDir.resolve("label-efficiency.json"), """
                {"data":"shapes","train_size":400,"test_size":200,"classes":10,"repeats":3,
                 "seed":0,"rows":[
                  %s, %s, %s, %s,
                  %s, %s, %s
                ]}""".formatted(
                labelRow("simclr mlp (epoch 1)", "main", "1/class", 10, "knn", 0.31, 0.04, 3),
                labelRow("simclr mlp (epoch 1)", "main", "1/class", 10, "linear", 0.28, 0.05, 3),
                labelRow("simclr mlp (epoch 1)", "main", "all", 400, "knn", 0.62, 0, 1),
                labelRow("simclr mlp (epoch 1)", "main", "all", 400, "linear", 0.66, 0, 1),
                labelRow("raw <pixels>", "baseline", "1/class", 10, "knn", 0.2, 0.03, 3),
                labelRow("raw <pixels>", "baseline", "10%", 40, "knn", 0.25, 0.02, 3),
                labelRow("raw <pixels>", "baseline", "all", 400, "knn", 0.4, 0, 1)));

        ReportWriter.write(runDir);

        assertPng(runDir.resolve("label-efficiency-knn.png"), 640, 400);
        assertPng(runDir.resolve("label-efficiency-linear.png"), 640, 400);
        String html = Files.readString(runDir.resolve("report.html"));
        assertThat(html).contains("<h2>Label efficiency</h2>")
                .contains("<img src=\"label-efficiency-knn.png\"",
                        "<img src=\"label-efficiency-linear.png\"")
                .contains("<tr><td>simclr mlp (epoch 1)</td><td>1/class</td><td>10</td>"
                        + "<td>0.3100 &plusmn; 0.0400</td><td>0.2800 &plusmn; 0.0500</td></tr>")
                .contains("<tr><td>simclr mlp (epoch 1)</td><td>all</td><td>400</td>"
                        + "<td>0.6200</td><td>0.6600</td></tr>")
                .contains("<tr><td>raw &lt;pixels&gt;</td><td>10%</td><td>40</td>"
                        + "<td>0.2500 &plusmn; 0.0200</td><td>-</td></tr>")
                .contains("3 seeded, class-balanced subsets");
        assertThat(html.indexOf("Label efficiency")).isLessThan(html.indexOf("<h2>Configuration"));
        assertNoTemporaryFiles();

        Files.delete(runDir.resolve("label-efficiency.json"));
        ReportWriter.write(runDir);
        assertThat(runDir.resolve("label-efficiency-knn.png")).doesNotExist();
        assertThat(runDir.resolve("label-efficiency-linear.png")).doesNotExist();
        assertThat(Files.readString(runDir.resolve("report.html"))).doesNotContain("Label efficiency");

        Files.writeString(runDir.resolve("label-efficiency.json"), "{\"rows\":[{\"probe\":\"svm\"}]}");
        assertThatThrownBy(() -> ReportWriter.write(runDir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("label-efficiency.json").hasMessageContaining("row 0");
    }

    private static String labelRow(String features, String role, String size, int used,
            String probe, double mean, double std, int repeats) {
        String values = String.join(",", java.util.Collections.nCopies(repeats, String.valueOf(mean)));
        return "{\"features\":\"" + features + "\",\"role\":\"" + role + "\",\"size\":\""
                + size + "\",\"labels_used\":" + used + ",\"probe\":\"" + probe
                + "\",\"mean\":" + mean + ",\"std\":" + std + ",\"values\":[" + values + "]}";
    }

    @Test
    void textIsEscapedAndPathsEncoded() {
        assertThat(ReportWriter.escape("<a href=\"x\">&'</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
        assertThat(ReportWriter.urlPath("pictures/ä b#1.png"))
                .isEqualTo("pictures/%C3%A4%20b%231.png");
        assertThat(ReportWriter.number(0.5, 4)).isEqualTo("0.5000");
        assertThat(ReportWriter.number(1.5e-7, 4)).isEqualTo("1.500e-07");
        assertThat(ReportWriter.number(Double.NaN, 4)).isEqualTo("NaN");
    }

    @Test
    void chartsRenderHeadless() {
        ReportWriter.ensureHeadless();
        assertThat(java.awt.GraphicsEnvironment.isHeadless()).isTrue();
    }

    private static String record(int epoch, double loss, Double knn, Double std) {
        return "{\"epoch\":" + epoch + ",\"step\":" + epoch * 100 + ",\"loss\":" + loss
                + ",\"lr\":0.3,\"views_per_second\":1234.5,\"knn_top1\":" + knn
                + ",\"embedding_std\":" + std + ",\"epoch_seconds\":3.0}";
    }

    private void writeMetrics(String... lines) throws Exception {
        Files.writeString(runDir.resolve("metrics.jsonl"),
                lines.length == 0 ? "" : String.join("\n", lines) + "\n");
    }

    private static void assertPng(Path png, int width, int height) throws Exception {
        assertThat(png).exists();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("%s decodes", png).isNotNull();
        assertThat(image.getWidth()).isEqualTo(width);
        assertThat(image.getHeight()).isEqualTo(height);
    }

    private void assertNoTemporaryFiles() throws Exception {
        try (Stream<Path> files = Files.walk(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".tmp"));
        }
    }
}
