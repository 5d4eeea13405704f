package dev.selfsup.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.selfsup.data.DataFormatException;
import dev.selfsup.eval.KnnClassifier;
import dev.selfsup.util.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Writes a run directory's charts and its self-contained HTML report.
 *
 * <p>{@link #write(Path)} reads {@code RUN_DIR/metrics.jsonl} (required, see {@link MetricsLog})
 * and {@code RUN_DIR/config.json} (optional, any JSON object) and writes, next to them:
 * <ul>
 *   <li>{@code loss.png}: training loss per epoch;
 *   <li>{@code knn.png}: kNN top-1 per evaluated epoch (only if some epoch has one);
 *   <li>{@code embedding_std.png}: embedding spread per measured epoch (likewise);
 *   <li>{@code label-efficiency-knn.png}, {@code label-efficiency-linear.png}: when
 *       {@code RUN_DIR/label-efficiency.json} exists (written by {@code selfsup eval
 *       --labels-per-class ...}), test top-1 against the training labels used (log axis), one
 *       line per feature set with the std over repeats as error bars;
 *   <li>{@code report.html}: title, a summary of the final epoch, the charts, a Label
 *       efficiency section (the charts above and a table; only with that file), the
 *       pretty-printed config, and a Pictures section showing every PNG under {@code RUN_DIR/pictures/} (sorted
 *       by path), where other features drop image grids and comparison charts.
 * </ul>
 * Charts are {@value #CHART_WIDTH}x{@value #CHART_HEIGHT} PNGs drawn by XChart, headless. Every
 * file goes to a temporary sibling first and is renamed into place, so no half-written file ever
 * sits under a final name; the charts are written before the page that shows them. Calling it
 * again (e.g. after each epoch) refreshes everything.
 */
public final class ReportWriter {
    /** The report page's file name. */
    public static final String REPORT_FILE = "report.html";

    /** The optional run configuration's file name. */
    public static final String CONFIG_FILE = "config.json";

    /** Chart of loss per epoch. */
    public static final String LOSS_CHART = "loss.png";

    /** Chart of kNN top-1 per epoch. */
    public static final String KNN_CHART = "knn.png";

    /** Chart of embedding std per epoch. */
    public static final String EMBEDDING_STD_CHART = "embedding_std.png";

    /**
     * Label-efficiency results of the run, one JSON object: {@code data}, {@code train_size},
     * {@code test_size}, {@code repeats}, {@code seed} and {@code rows}, each row holding
     * {@code features}, {@code role} ({@code main} or {@code baseline}), {@code size}
     * ({@code 10/class}, {@code 1%}, {@code all}), {@code labels_used}, {@code probe}
     * ({@code knn} or {@code linear}), {@code mean}, {@code std} and {@code values} (per repeat).
     */
    public static final String LABEL_EFFICIENCY_FILE = "label-efficiency.json";

    /** Label-efficiency chart of a probe: this prefix, the probe, {@code .png}. */
    public static final String LABEL_EFFICIENCY_CHART_PREFIX = "label-efficiency-";

    /** The probes of label-efficiency rows, with the names their charts show. */
    private static final Map<String, String> PROBES = Map.of("knn", "kNN", "linear", "linear-probe");

    /** Folder (inside the run directory) whose PNGs the report shows under Pictures. */
    public static final String PICTURES_DIRECTORY = "pictures";

    /** Chart size in pixels. */
    public static final int CHART_WIDTH = 640;

    public static final int CHART_HEIGHT = 400;

    private static final ObjectMapper MAPPER = JsonMapper.builder().build();
    private static final Color LINE_COLOUR = new Color(0x1f77b4);
    private static final Color BAR_COLOUR = new Color(0x4c72b0);

    static {
        ensureHeadless();
    }

    private ReportWriter() {}

    /**
     * Writes the charts and {@code report.html} of a run directory.
     *
     * @param runDir a directory holding {@code metrics.jsonl} (and optionally {@code
     *     config.json} and {@code pictures/})
     * @return the path of the written {@code report.html}
     * @throws DataFormatException if {@code metrics.jsonl} or {@code config.json} is malformed
     *     (naming the file and line)
     * @throws IOException if a file cannot be read or written
     */
    public static Path write(Path runDir) throws IOException {
        Objects.requireNonNull(runDir, "runDir");
        ensureHeadless();
        MetricsLog log = MetricsLog.readRunDirectory(runDir);
        Optional<JsonNode> config = readJsonObject(runDir.resolve(CONFIG_FILE));
        List<MetricsRecord> epochs = log.perEpoch();

        List<ChartInfo> charts = new ArrayList<>();
        charts.add(writeEpochChart(runDir.resolve(LOSS_CHART), epochs, "Training loss", "loss",
                record -> OptionalDouble.of(record.loss())));
        charts.add(writeEpochChart(runDir.resolve(KNN_CHART), epochs,
                "kNN top-1 accuracy (test split)", "kNN top-1", MetricsRecord::knnTop1));
        charts.add(writeEpochChart(runDir.resolve(EMBEDDING_STD_CHART), epochs,
                "Embedding std (collapse check)", "embedding std",
                MetricsRecord::embeddingStd));

        Optional<LabelEfficiency> labels = readLabelEfficiency(
                runDir.resolve(LABEL_EFFICIENCY_FILE));
        List<ChartInfo> labelCharts = new ArrayList<>();
        for (String probe : List.of("knn", "linear")) {
            Path png = runDir.resolve(LABEL_EFFICIENCY_CHART_PREFIX + probe + ".png");
            List<LabelRow> rows = labels.map(l -> l.rows().stream()
                    .filter(r -> r.probe().equals(probe)).toList()).orElse(List.of());
            labelCharts.add(writeLabelEfficiencyChart(png, PROBES.get(probe), rows));
        }

        List<String> pictures = listPictures(runDir.resolve(PICTURES_DIRECTORY));
        Optional<NearestSentences> sentences = NearestSentences.read(runDir);
        String html = html(runDir, log, config, charts, labels, labelCharts, pictures, sentences);
        Path report = runDir.resolve(REPORT_FILE);
        AtomicFiles.write(report, html.getBytes(StandardCharsets.UTF_8));
        return report;
    }

    /**
     * Writes a bar chart comparing one figure across a few settings (e.g. kNN top-1 of raw
     * pixels, a randomly initialised encoder and the trained one), each bar labelled with its
     * value.
     *
     * @param png the PNG to write ({@value #CHART_WIDTH}x{@value #CHART_HEIGHT}); missing parent
     *     directories are created
     * @param title the chart's title, naming the figure
     * @param values bar label to value, in display order (use a {@link java.util.LinkedHashMap});
     *     not empty, values finite
     * @throws IOException if the file cannot be written
     */
    public static void writeComparisonChart(Path png, String title, Map<String, Double> values)
            throws IOException {
        Objects.requireNonNull(png, "png");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(values, "values");
        if (values.isEmpty()) {
            throw new IllegalArgumentException("values must not be empty");
        }
        List<String> labels = new ArrayList<>();
        List<Double> heights = new ArrayList<>();
        boolean negative = false;
        for (Map.Entry<String, Double> entry : values.entrySet()) {
            Double value = entry.getValue();
            if (entry.getKey() == null || value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException("values must map names to finite numbers, "
                        + "found " + entry.getKey() + " = " + value);
            }
            labels.add(entry.getKey());
            heights.add(value);
            negative |= value < 0;
        }
        ensureHeadless();
        CategoryChart chart = new CategoryChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title(title).build();
        styleCommon(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsPosition(0.9);
        chart.getStyler().setYAxisDecimalPattern("0.0##");
        if (!negative) {
            chart.getStyler().setYAxisMin(0.0);
        }
        chart.addSeries(title, labels, heights).setFillColor(BAR_COLOUR);
        writePng(png, chart);
    }

    /** Sets {@code java.awt.headless=true} unless the property was set explicitly. */
    static void ensureHeadless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** A chart the report may show: its file name, alt text, and whether it was written. */
    private record ChartInfo(String fileName, String title, boolean written) {}

    /** The label-efficiency file's figures that the report shows. */
    private record LabelEfficiency(String data, int trainSize, int testSize, int repeats,
            long seed, int knnK, double knnTemperature, List<LabelRow> rows) {}

    /** One (features, size, probe) row of the label-efficiency file. */
    private record LabelRow(String features, String role, String size, int labelsUsed,
            String probe, double mean, double std, int repeats) {}

    private static Optional<LabelEfficiency> readLabelEfficiency(Path file) throws IOException {
        Optional<JsonNode> read = readJsonObject(file);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        JsonNode node = read.get();
        if (!node.path("rows").isArray()) {
            throw new DataFormatException(file, "must hold a JSON object with a rows array");
        }
        List<LabelRow> rows = new ArrayList<>();
        for (int i = 0; i < node.get("rows").size(); i++) {
            JsonNode row = node.get("rows").get(i);
            String probe = row.path("probe").asText();
            if (!row.path("features").isTextual() || !PROBES.containsKey(probe)
                    || !row.path("labels_used").canConvertToInt()
                    || row.path("labels_used").asInt() < 1 || !row.path("mean").isNumber()
                    || !row.path("std").isNumber()) {
                throw new DataFormatException(file, "row " + i + " must have features, probe "
                        + "(knn or linear), labels_used >= 1, mean and std, found " + row);
            }
            rows.add(new LabelRow(row.get("features").asText(), row.path("role").asText("main"),
                    row.path("size").asText(), row.get("labels_used").asInt(), probe,
                    row.get("mean").asDouble(), row.get("std").asDouble(),
                    Math.max(1, row.path("values").size())));
        }
        return Optional.of(new LabelEfficiency(node.path("data").asText(""),
                node.path("train_size").asInt(), node.path("test_size").asInt(),
                node.path("repeats").asInt(), node.path("seed").asLong(),
                node.path("knn_k").asInt(KnnClassifier.standard().k()),
                node.path("knn_temperature").asDouble(KnnClassifier.standard().temperature()),
                rows));
    }

    /**
     * Top-1 against training labels used (log axis), one line per feature set in order of first
     * appearance, the std as error bars; the feature set the run is about is drawn thicker.
     */
    private static ChartInfo writeLabelEfficiencyChart(Path png, String probe, List<LabelRow> rows)
            throws IOException {
        String title = "Label efficiency: " + probe + " top-1 (test split)";
        String fileName = png.getFileName().toString();
        if (rows.isEmpty()) {
            Files.deleteIfExists(png); // a stale chart from an earlier evaluation must not linger
            return new ChartInfo(fileName, title, false);
        }
        Map<String, List<LabelRow>> curves = new java.util.LinkedHashMap<>();
        for (LabelRow row : rows) {
            curves.computeIfAbsent(row.features(), f -> new ArrayList<>()).add(row);
        }
        XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title(title).xAxisTitle("training labels used (log scale)")
                .yAxisTitle("top-1 accuracy").build();
        styleCommon(chart.getStyler());
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setXAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisDecimalPattern("0.00");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setMarkerSize(7);
        for (Map.Entry<String, List<LabelRow>> curve : curves.entrySet()) {
            List<LabelRow> points = new ArrayList<>(curve.getValue());
            points.sort(java.util.Comparator.comparingInt(LabelRow::labelsUsed));
            XYSeries series = chart.addSeries(curve.getKey(),
                    points.stream().map(p -> (double) p.labelsUsed()).toList(),
                    points.stream().map(LabelRow::mean).toList(),
                    points.stream().map(LabelRow::std).toList());
            series.setMarker(SeriesMarkers.CIRCLE);
            boolean main = "main".equals(points.get(0).role());
            series.setLineStyle(new BasicStroke(main ? 2.5f : 1.5f));
        }
        writePng(png, chart);
        return new ChartInfo(fileName, title, true);
    }

    private static void labelEfficiency(StringBuilder page, LabelEfficiency labels,
            List<ChartInfo> charts) {
        page.append("<p>Probes trained on ").append(labels.repeats())
                .append(" seeded, class-balanced subsets of the training labels per size (seed ")
                .append(labels.seed()).append(", ").append(labels.trainSize())
                .append(" training samples in all); the whole test split (")
                .append(labels.testSize()).append(" samples of ").append(escape(labels.data()))
                .append(") is scored every time. Mean &plusmn; std of test top-1 over the "
                        + "subsets. kNN: k = ").append(labels.knnK()).append(", T = ")
                .append(labels.knnTemperature()).append(" (a bank smaller than k votes whole).</p>\n");
        for (ChartInfo chart : charts) {
            if (chart.written()) {
                page.append("<figure><img src=\"").append(escape(urlPath(chart.fileName())))
                        .append("\" width=\"").append(CHART_WIDTH).append("\" height=\"")
                        .append(CHART_HEIGHT).append("\" alt=\"").append(escape(chart.title()))
                        .append("\"></figure>\n");
            }
        }
        page.append("<table class=\"summary\">\n<tr><th>features</th><th>labels</th>"
                + "<th>used</th><th>kNN top-1</th><th>linear top-1</th></tr>\n");
        Map<String, Map<String, LabelRow>> byRow = new java.util.LinkedHashMap<>();
        for (LabelRow row : labels.rows()) {
            byRow.computeIfAbsent(row.features() + "\u0000" + row.size(),
                    k -> new java.util.HashMap<>()).put(row.probe(), row);
        }
        for (Map<String, LabelRow> cells : byRow.values()) {
            LabelRow first = cells.values().iterator().next();
            page.append("<tr><td>").append(escape(first.features())).append("</td><td>")
                    .append(escape(first.size())).append("</td><td>").append(first.labelsUsed())
                    .append("</td>");
            for (String probe : List.of("knn", "linear")) {
                LabelRow cell = cells.get(probe);
                page.append("<td>").append(cell == null ? "-" : cell.repeats() < 2
                        ? number(cell.mean(), 4)
                        : number(cell.mean(), 4) + " &plusmn; " + number(cell.std(), 4))
                        .append("</td>");
            }
            page.append("</tr>\n");
        }
        page.append("</table>\n");
    }

    private static ChartInfo writeEpochChart(Path png, List<MetricsRecord> epochs, String title,
            String yAxisTitle, Function<MetricsRecord, OptionalDouble> figure)
            throws IOException {
        List<Double> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        for (MetricsRecord record : epochs) {
            OptionalDouble value = figure.apply(record);
            if (value.isPresent() && Double.isFinite(value.getAsDouble())) {
                x.add((double) record.epoch());
                y.add(value.getAsDouble());
            }
        }
        String fileName = png.getFileName().toString();
        if (x.isEmpty()) {
            Files.deleteIfExists(png); // a stale chart from an earlier run must not linger
            return new ChartInfo(fileName, title, false);
        }
        XYChart chart = new XYChartBuilder().width(CHART_WIDTH).height(CHART_HEIGHT)
                .title(title).xAxisTitle("epoch").yAxisTitle(yAxisTitle).build();
        styleCommon(chart.getStyler());
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisDecimalPattern("0.####"); // ticks, not 16 digits
        chart.getStyler().setMarkerSize(x.size() > 60 ? 4 : 7); // dense runs: smaller dots
        XYSeries series = chart.addSeries(yAxisTitle, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineColor(LINE_COLOUR);
        series.setMarkerColor(LINE_COLOUR);
        series.setLineStyle(new BasicStroke(2f));
        writePng(png, chart);
        return new ChartInfo(fileName, title, true);
    }

    private static void styleCommon(Styler styler) {
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.LIGHT_GRAY);
        styler.setAntiAlias(true);
        if (styler instanceof org.knowm.xchart.style.AxesChartStyler axes) {
            axes.setPlotGridLinesColor(new Color(0xe0e0e0));
        }
    }

    private static void writePng(Path png, Chart<?, ?> chart) throws IOException {
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out, BitmapFormat.PNG));
    }

    /**
     * The JSON object in {@code file}, or empty when there is no such file.
     *
     * @throws DataFormatException naming the file when it is not a JSON object
     */
    private static Optional<JsonNode> readJsonObject(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, "not valid JSON (" + e.getOriginalMessage()
                    + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new DataFormatException(file, "must hold a JSON object, found "
                    + (node == null || node.isMissingNode() ? "nothing"
                            : node.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        return Optional.of(node);
    }

    /** PNG files under {@code directory}, as '/'-separated paths relative to it, sorted. */
    private static List<String> listPictures(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile)
                    .map(directory::relativize)
                    .filter(relative -> {
                        for (Path part : relative) {
                            if (part.toString().startsWith(".")) {
                                return false; // hidden, or a temporary file being written
                            }
                        }
                        return relative.getFileName().toString().toLowerCase(Locale.ROOT)
                                .endsWith(".png");
                    })
                    .map(relative -> {
                        List<String> parts = new ArrayList<>();
                        relative.forEach(part -> parts.add(part.toString()));
                        return String.join("/", parts);
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }

    private static String html(Path runDir, MetricsLog log, Optional<JsonNode> config,
            List<ChartInfo> charts, Optional<LabelEfficiency> labels, List<ChartInfo> labelCharts,
            List<String> pictures, Optional<NearestSentences> sentences) throws IOException {
        Path name = runDir.toAbsolutePath().normalize().getFileName();
        String runName = name == null ? runDir.toString() : name.toString();
        StringBuilder page = new StringBuilder(8192);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" ")
                .append("content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>selfsup report: ").append(escape(runName)).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        page.append("<h1>selfsup report: ").append(escape(runName)).append("</h1>\n");
        page.append("<p class=\"meta\">Run directory <code>")
                .append(escape(runDir.toAbsolutePath().normalize().toString()))
                .append("</code>; report written ")
                .append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".</p>\n");

        page.append("<h2>Summary</h2>\n");
        summary(page, log);

        page.append("<h2>Charts</h2>\n");
        boolean anyChart = false;
        for (ChartInfo chart : charts) {
            if (chart.written()) {
                anyChart = true;
                page.append("<figure><img src=\"").append(escape(urlPath(chart.fileName())))
                        .append("\" width=\"").append(CHART_WIDTH).append("\" height=\"")
                        .append(CHART_HEIGHT).append("\" alt=\"").append(escape(chart.title()))
                        .append("\"></figure>\n"); // the chart carries its own title
            }
        }
        if (!anyChart) {
            page.append("<p class=\"none\">No epochs logged yet.</p>\n");
        } else {
            if (!charts.get(1).written()) {
                page.append("<p class=\"none\">No kNN evaluation logged yet.</p>\n");
            }
            if (!charts.get(2).written()) {
                page.append("<p class=\"none\">No embedding std logged yet.</p>\n");
            }
        }

        if (labels.isPresent()) {
            page.append("<h2>Label efficiency</h2>\n");
            labelEfficiency(page, labels.get(), labelCharts);
        }

        List<String> embeddings = pictures.stream().filter(p -> p.equals(EmbeddingPictures.MAP_FILE)
                || p.equals(EmbeddingPictures.TSNE_FILE)
                || p.equals(EmbeddingPictures.RETRIEVAL_FILE)).sorted().toList();
        if (sentences.isPresent()) {
            page.append("<h2>Embeddings</h2>\n<p>Held-out sentences embedded by the encoder "
                    + "after epoch ").append(sentences.get().epoch()).append(", mapped in 2-D "
                    + "coloured by document, and the nearest of ")
                    .append(sentences.get().bankSize()).append(" training sentences of a few "
                    + "of them (a neighbour from another document is marked x).</p>\n");
            embeddingPictures(page, runDir, embeddings, "held-out sentences");
            sentences.get().appendHtml(page);
        } else if (!embeddings.isEmpty()) {
            page.append("<h2>Embeddings</h2>\n<p>The test embeddings of the last kNN monitor "
                    + "run mapped in 2-D coloured by label, and the nearest training images of a "
                    + "few test images (a neighbour of another class is marked x).</p>\n");
            embeddingPictures(page, runDir, embeddings, "test embeddings");
        }

        page.append("<h2>Configuration</h2>\n");
        if (config.isPresent()) {
            page.append("<pre>").append(escape(MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsString(config.get()))).append("</pre>\n");
        } else {
            page.append("<p class=\"none\">No ").append(CONFIG_FILE)
                    .append(" in the run directory.</p>\n");
        }

        page.append("<h2>Pictures</h2>\n");
        if (pictures.size() == embeddings.size()) {
            page.append("<p class=\"none\">None yet: PNG files under <code>")
                    .append(PICTURES_DIRECTORY).append("/</code> appear here.</p>\n");
        }
        for (String picture : pictures) {
            if (!embeddings.contains(picture)) {
                figure(page, picture);
            }
        }
        page.append("</body>\n</html>\n");
        return page.toString();
    }

    /**
     * The PCA and t-SNE maps side by side, each with a caption that says what it shows, then
     * the other embedding pictures.
     *
     * @param points what the maps' points are, e.g. {@code "test embeddings"}
     */
    private static void embeddingPictures(StringBuilder page, Path runDir, List<String> embeddings,
            String points) throws IOException {
        boolean pca = embeddings.contains(EmbeddingPictures.MAP_FILE);
        boolean tsne = embeddings.contains(EmbeddingPictures.TSNE_FILE);
        if (pca || tsne) {
            page.append("<div class=\"maps\">\n");
            if (pca) {
                mapFigure(page, EmbeddingPictures.MAP_FILE, "<b>PCA</b>: the " + points
                        + " projected on their first two principal components. A linear view: "
                        + "distances along the axes are real, but only the share of the "
                        + "variance the axis titles give is shown, so groups that differ in "
                        + "other directions overlap.");
            }
            if (tsne) {
                Optional<EmbeddingPictures.TsneMap> info = EmbeddingPictures.TsneMap.read(
                        runDir.resolve(PICTURES_DIRECTORY));
                String figures = info.map(m -> String.format(Locale.ROOT, " (after epoch %d; "
                        + "%s; perplexity %s; KL divergence %.3f)", m.epoch(),
                        m.points() == m.rows() ? String.format(Locale.ROOT, "all %,d points",
                                m.rows()) : String.format(Locale.ROOT, "a uniform sample of "
                                + "%,d of %,d points", m.points(), m.rows()),
                        EmbeddingPictures.shortNumber(m.perplexity()), m.klDivergence()))
                        .orElse("");
                mapFigure(page, EmbeddingPictures.TSNE_FILE, "<b>t-SNE</b>" + escape(figures)
                        + ": an exact t-SNE of the " + points + " scaled to unit length, "
                        + "which keeps each point's nearest neighbours (by cosine) near it, so "
                        + "a tight group of one colour is one the encoder keeps together. It "
                        + "does not keep sizes or distances: how big a cluster looks, how far "
                        + "apart two clusters are and the axes mean nothing, and another "
                        + "perplexity or sample can draw the clusters elsewhere.");
            }
            page.append("</div>\n");
        }
        for (String picture : embeddings) {
            if (!picture.equals(EmbeddingPictures.MAP_FILE)
                    && !picture.equals(EmbeddingPictures.TSNE_FILE)) {
                figure(page, picture);
            }
        }
    }

    /** A map under {@code pictures/}, with a caption of HTML. */
    private static void mapFigure(StringBuilder page, String picture, String captionHtml) {
        page.append("<figure class=\"map\"><img src=\"")
                .append(escape(urlPath(PICTURES_DIRECTORY + "/" + picture)))
                .append("\" alt=\"").append(escape(picture)).append("\"><figcaption>")
                .append(captionHtml).append("</figcaption></figure>\n");
    }

    private static void figure(StringBuilder page, String picture) {
        page.append("<figure class=\"picture\"><img src=\"")
                .append(escape(urlPath(PICTURES_DIRECTORY + "/" + picture)))
                .append("\" alt=\"").append(escape(picture)).append("\"><figcaption>")
                .append(escape(picture)).append("</figcaption></figure>\n");
    }

    private static void summary(StringBuilder page, MetricsLog log) {
        List<MetricsRecord> epochs = log.perEpoch();
        if (epochs.isEmpty()) {
            page.append("<p class=\"none\">No epochs logged yet in <code>")
                    .append(MetricsLog.FILE_NAME).append("</code>.</p>\n");
            return;
        }
        MetricsRecord last = epochs.get(epochs.size() - 1);
        double totalSeconds = 0;
        MetricsRecord best = null;
        for (MetricsRecord record : epochs) {
            if (Double.isFinite(record.epochSeconds())) {
                totalSeconds += record.epochSeconds();
            }
            if (record.knnTop1().isPresent() && Double.isFinite(record.knnTop1().getAsDouble())
                    && (best == null || record.knnTop1().getAsDouble()
                            > best.knnTop1().getAsDouble())) {
                best = record;
            }
        }
        page.append("<table class=\"summary\">\n");
        row(page, "Final epoch", last.epoch() + " (" + epochs.size() + " logged)");
        row(page, "Optimizer steps", String.valueOf(last.step()));
        row(page, "Loss", number(last.loss(), 4));
        row(page, "Learning rate", String.format(Locale.ROOT, "%.4g", last.learningRate()));
        row(page, "Throughput", number(last.viewsPerSecond(), 1) + " views/s");
        row(page, "Epoch time", number(last.epochSeconds(), 1) + " s");
        row(page, "Total training time", duration(totalSeconds));
        row(page, "kNN top-1", last.knnTop1().isPresent()
                ? number(last.knnTop1().getAsDouble(), 4) : "not evaluated this epoch");
        if (best != null) {
            row(page, "Best kNN top-1", number(best.knnTop1().getAsDouble(), 4) + " (epoch "
                    + best.epoch() + ")");
        }
        row(page, "Embedding std", last.embeddingStd().isPresent()
                ? number(last.embeddingStd().getAsDouble(), 4) : "not measured this epoch");
        for (Map.Entry<String, Object> extra : last.extra().entrySet()) {
            Object value = extra.getValue();
            if (value instanceof Number number) {
                row(page, extra.getKey(), String.format(Locale.ROOT, "%.4g",
                        number.doubleValue()));
            } else if (value instanceof String || value instanceof Boolean) {
                row(page, extra.getKey(), value.toString());
            }
        }
        page.append("</table>\n");
    }

    private static void row(StringBuilder page, String name, String value) {
        page.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(value))
                .append("</td></tr>\n");
    }

    /** A figure with {@code decimals} decimals, or scientific for tiny ones; NaN stays NaN. */
    static String number(double value, int decimals) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        if (value != 0 && Math.abs(value) < Math.pow(10, -decimals)) {
            return String.format(Locale.ROOT, "%.3e", value);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static String duration(double seconds) {
        long whole = Math.round(seconds);
        if (whole < 60) {
            return number(seconds, 1) + " s";
        }
        long hours = whole / 3600;
        long minutes = whole % 3600 / 60;
        long rest = whole % 60;
        return hours > 0
                ? String.format(Locale.ROOT, "%d h %02d min %02d s", hours, minutes, rest)
                : String.format(Locale.ROOT, "%d min %02d s", minutes, rest);
    }

    /** Escapes text for HTML content and double-quoted attributes. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** Percent-encodes each segment of a relative '/'-separated path for use in a URL. */
    static String urlPath(String relativePath) {
        StringBuilder out = new StringBuilder();
        for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~'
                    || c == '/';
            if (unreserved) {
                out.append(c);
            } else {
                out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
                   max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222;
                   line-height: 1.45; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
            .meta { color: #666; font-size: 0.9em; }
            .none { color: #666; font-style: italic; }
            table.summary { border-collapse: collapse; }
            table.summary th, table.summary td { padding: 0.3em 1em; border-bottom: 1px solid #eee;
                   text-align: left; }
            table.summary th { font-weight: 600; color: #444; }
            table.summary td { font-variant-numeric: tabular-nums; }
            table.sentences { border-collapse: collapse; max-width: 70em; }
            table.sentences th, table.sentences td { padding: 0.4em 0.8em; text-align: left;
                   vertical-align: top; border-bottom: 1px solid #eee; }
            table.sentences ol { margin: 0; padding-left: 1.2em; }
            figure { display: inline-block; margin: 0.5em 1em 1em 0; vertical-align: top; }
            figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
            figure.picture img { image-rendering: pixelated; }
            figcaption { color: #555; font-size: 0.9em; text-align: center; }
            .maps { display: flex; gap: 1em; align-items: flex-start; }
            .maps figure { flex: 1 1 0; min-width: 0; margin: 0.5em 0 1em 0; }
            .maps figcaption { text-align: left; }
            pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: 0.9em; }
            code { font-size: 0.95em; }
            """;
}
