package dev.selfsup.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Pca;
import dev.selfsup.eval.Tsne;
import dev.selfsup.method.PictureSheet;
import dev.selfsup.util.AtomicFiles;
import dev.selfsup.util.Json;
import dev.selfsup.util.Permutations;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures of what the embeddings do, for {@code report.html}: 2-D maps of the test embeddings
 * coloured by label (their first two principal components, and an exact {@link Tsne} of at most
 * {@value #TSNE_POINTS} of them, scaled to unit length), and a retrieval grid (query images with their nearest training
 * images by cosine, the neighbours of another label marked).
 */
public final class EmbeddingPictures {
    /** File name of the PCA map under {@code pictures/}. */
    public static final String MAP_FILE = "embedding-map.png";
    /** File name of the t-SNE map under {@code pictures/}. */
    public static final String TSNE_FILE = "embedding-tsne.png";
    /** File under {@code pictures/} that describes the t-SNE map ({@link TsneMap}, JSON). */
    public static final String TSNE_INFO_FILE = "embedding-tsne.json";
    /** File name of the retrieval grid under {@code pictures/}. */
    public static final String RETRIEVAL_FILE = "retrieval.png";
    /** Query images in the retrieval grid. */
    public static final int QUERIES = 8;
    /** Neighbours shown per query. */
    public static final int NEIGHBOURS = 8;
    /** Points on the t-SNE map, at most: exact t-SNE's time grows as their square. */
    public static final int TSNE_POINTS = 2000;
    /** The t-SNE map's perplexity, where there are enough points (see {@link #tsnePerplexity}). */
    public static final double TSNE_PERPLEXITY = 30;
    /** Points from which a t-SNE map takes long enough to say so first. */
    static final int TSNE_NOTE_POINTS = 500;

    private static final long TSNE_SAMPLE_SEED = 17;
    /** Map size in pixels: the report shows two side by side, at about 500 pixels each. */
    static final int MAP_WIDTH = 640;
    static final int MAP_HEIGHT = 480;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e),
        new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b),
        new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private EmbeddingPictures() {}

    /**
     * What {@link #TSNE_INFO_FILE} records of the t-SNE map, for the report's caption.
     *
     * @param epoch the 1-based epoch whose embeddings it maps
     * @param points the rows on the map
     * @param rows the rows there were (a uniform sample of {@code points} of them was mapped)
     * @param perplexity the t-SNE perplexity
     * @param iterations the t-SNE iterations
     * @param klDivergence the map's {@code KL(P || Q)}
     */
    public record TsneMap(int epoch, int points, int rows, double perplexity, int iterations,
            @JsonProperty("kl_divergence") double klDivergence) {
        /**
         * The record in {@code pictures}, if there is one.
         *
         * @throws IOException if it cannot be read or parsed, naming it
         */
        public static Optional<TsneMap> read(Path pictures) throws IOException {
            return Json.readIfExists(pictures.resolve(TSNE_INFO_FILE), TsneMap.class,
                    "a t-SNE map record");
        }
    }

    /**
     * Writes the maps of {@code features} after an epoch, one point per row coloured by its
     * label (points of more than 10 classes share colours): the PCA map ({@link #MAP_FILE})
     * every time, and the t-SNE map ({@link #TSNE_FILE} and {@link #TSNE_INFO_FILE}) when one is
     * due, as {@link #tsneDue} says: an exact t-SNE takes seconds.
     *
     * @param pictures the run's {@code pictures/} directory
     * @param labels one per row, or -1 for unlabelled rows (drawn gray)
     * @param classNames names of the labels, for the legend
     * @param subject what the rows are, for the titles (e.g. {@code "test embeddings"})
     * @param epoch the 1-based epoch whose embeddings these are
     * @param epochs the run's epochs in all
     * @param note receives one line before a t-SNE fit that takes seconds
     */
    public static void writeMaps(Path pictures, FeatureMatrix features, int[] labels,
            List<String> classNames, String subject, int epoch, int epochs, Consumer<String> note)
            throws IOException {
        String after = String.format(Locale.ROOT, "%s after epoch %d", subject, epoch);
        writeMap(pictures.resolve(MAP_FILE), features, labels, classNames,
                after + ", first two principal components");
        Optional<TsneMap> last = TsneMap.read(pictures);
        if (!tsneDue(epoch, epochs, last.map(TsneMap::epoch)) || features.rows() < 4) {
            return;
        }
        int[] sample = tsneSample(features.rows());
        double perplexity = tsnePerplexity(sample.length);
        Tsne tsne = Tsne.builder().optPerplexity(perplexity).build();
        if (sample.length >= TSNE_NOTE_POINTS) {
            note.accept(String.format(Locale.ROOT, "epoch %d: t-SNE map of %,d %s (exact "
                    + "t-SNE, %,d iterations)...", epoch, sample.length, subject,
                    tsne.iterations()));
        }
        // unit rows: near means a high cosine, as for the kNN monitor and the retrieval grid
        Tsne.Result result = tsne.fit(features.rows(sample).l2Normalized());
        int[] sampleLabels = new int[sample.length];
        for (int i = 0; i < sample.length; i++) {
            sampleLabels[i] = labels[sample[i]];
        }
        scatter(pictures.resolve(TSNE_FILE), result.map(), sampleLabels, classNames,
                String.format(Locale.ROOT, "%s, t-SNE (perplexity %s)", after,
                        shortNumber(perplexity)),
                sample.length == features.rows()
                        ? String.format(Locale.ROOT, "t-SNE 1 (all %,d points)", sample.length)
                        : String.format(Locale.ROOT, "t-SNE 1 (a uniform sample of %,d of %,d "
                                + "points)", sample.length, features.rows()),
                "t-SNE 2", false);
        Json.write(pictures.resolve(TSNE_INFO_FILE), new TsneMap(epoch, sample.length,
                features.rows(), perplexity, tsne.iterations(), result.klDivergence()));
    }

    /**
     * Whether a t-SNE map is due after {@code epoch}: after the last epoch, when there is none
     * yet (or one from a later epoch, of an earlier run), and when the epoch is at least twice
     * that of the last map, so a long run draws {@code log2(epochs)} of them.
     *
     * @param lastMap the epoch of the t-SNE map there is, if any
     */
    static boolean tsneDue(int epoch, int epochs, Optional<Integer> lastMap) {
        return epoch >= epochs || lastMap.isEmpty() || lastMap.get() > epoch
                || epoch >= 2 * lastMap.get();
    }

    /**
     * The rows on the t-SNE map: all when there are at most {@link #TSNE_POINTS}, else a uniform
     * random sample of that many drawn with a fixed seed (the same rows every epoch), in their
     * order.
     */
    static int[] tsneSample(int rows) {
        if (rows <= TSNE_POINTS) {
            return IntStream.range(0, rows).toArray();
        }
        int[] order = Permutations.shuffled(rows, new SplittableRandom(TSNE_SAMPLE_SEED));
        int[] sample = Arrays.copyOf(order, TSNE_POINTS);
        Arrays.sort(sample);
        return sample;
    }

    /**
     * {@link #TSNE_PERPLEXITY}, or a third of the other points where there are too few for it
     * (t-SNE needs it below {@code points - 1}).
     */
    static double tsnePerplexity(int points) {
        return Math.min(TSNE_PERPLEXITY, (points - 1) / 3.0);
    }

    /** {@code value} to 3 significant digits, without trailing zeros: 30, 6.33. */
    static String shortNumber(double value) {
        return new java.math.BigDecimal(value).round(new java.math.MathContext(3))
                .stripTrailingZeros().toPlainString();
    }

    /**
     * Writes the PCA map of {@code features} (one point per row, coloured by its label; points
     * of more than 10 classes share colours) to {@code png}.
     *
     * @param labels one per row, or -1 for unlabelled rows (drawn gray)
     * @param classNames names of the labels, for the legend
     */
    public static void writeMap(Path png, FeatureMatrix features, int[] labels,
            List<String> classNames, String title) throws IOException {
        Pca pca = Pca.fit(features, 2);
        scatter(png, pca.project(features), labels, classNames, title,
                String.format(Locale.ROOT, "PC 1 (%.0f%% of the variance)", 100 * pca.explained(0)),
                String.format(Locale.ROOT, "PC 2 (%.0f%%)", 100 * pca.explained(1)), true);
    }

    /**
     * Draws the 2-D points {@code xy} {@code (rows, 2)}, one series per label.
     *
     * @param ticks whether the axes carry their values (not for t-SNE, whose axes mean nothing)
     */
    private static void scatter(Path png, double[] xy, int[] labels, List<String> classNames,
            String title, String xTitle, String yTitle, boolean ticks) throws IOException {
        int classes = Math.max(1, classNames.size());
        List<List<Double>> xs = new ArrayList<>();
        List<List<Double>> ys = new ArrayList<>();
        for (int c = 0; c <= classes; c++) {
            xs.add(new ArrayList<>());
            ys.add(new ArrayList<>());
        }
        for (int r = 0; r < labels.length; r++) {
            int series = labels[r] >= 0 && labels[r] < classes ? labels[r] : classes;
            xs.get(series).add(xy[2 * r]);
            ys.get(series).add(xy[2 * r + 1]);
        }
        ReportWriter.ensureHeadless();
        XYChart chart = new XYChartBuilder().width(MAP_WIDTH).height(MAP_HEIGHT).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setAxisTicksVisible(ticks);
        for (int c = 0; c <= classes; c++) {
            if (xs.get(c).isEmpty()) {
                continue;
            }
            String name = c < classNames.size() ? classNames.get(c)
                    : c == classes ? "unlabelled" : "class " + c;
            XYSeries series = chart.addSeries(name, xs.get(c), ys.get(c));
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setMarkerColor(c == classes ? Color.GRAY : PALETTE[c % PALETTE.length]);
        }
        AtomicFiles.write(png, out -> BitmapEncoder.saveBitmap(chart, out,
                BitmapEncoder.BitmapFormat.PNG));
    }

    /**
     * The nearest training images (cosine) of the first {@link #QUERIES} test images: for each,
     * row indices into {@code bank}, most similar first.
     */
    static int[][] neighbours(FeatureMatrix bank, FeatureMatrix queries, int queryCount, int k) {
        float[][] unitBank = unitRows(bank);
        float[][] unitQueries = unitRows(queries);
        int[][] result = new int[Math.min(queryCount, queries.rows())][];
        for (int q = 0; q < result.length; q++) {
            double[] cosines = new double[bank.rows()];
            for (int b = 0; b < bank.rows(); b++) {
                double sum = 0;
                for (int d = 0; d < bank.dim(); d++) {
                    sum += unitQueries[q][d] * unitBank[b][d];
                }
                cosines[b] = sum;
            }
            result[q] = java.util.stream.IntStream.range(0, bank.rows()).boxed()
                    .sorted((a, b) -> Double.compare(cosines[b], cosines[a])).limit(k)
                    .mapToInt(Integer::intValue).toArray();
        }
        return result;
    }

    /**
     * Writes the retrieval grid: one row per query (the first {@link #QUERIES} test images), the
     * query and its {@link #NEIGHBOURS} nearest training images, each captioned with its class;
     * a neighbour of another class than the query's is captioned {@code x CLASS}.
     */
    public static void writeRetrieval(Path png, FeatureMatrix bank, ImageSet bankImages,
            FeatureMatrix queries, ImageSet queryImages) throws IOException {
        int[][] found = neighbours(bank, queries, QUERIES, NEIGHBOURS);
        List<String> columns = new ArrayList<>(List.of("query"));
        for (int n = 1; n <= NEIGHBOURS; n++) {
            columns.add("#" + n);
        }
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        int wrong = 0;
        for (int q = 0; q < found.length; q++) {
            int label = queryImages.labels()[q];
            List<PictureSheet.Panel> row = new ArrayList<>();
            row.add(panel(queryImages, q, className(queryImages, label)));
            for (int b : found[q]) {
                int other = bankImages.labels()[b];
                boolean mismatch = label >= 0 && other != label;
                wrong += mismatch ? 1 : 0;
                row.add(panel(bankImages, b, (mismatch ? "x " : "") + className(bankImages, other)));
            }
            rows.add(row);
        }
        PictureGrid.write(png, new PictureSheet(String.format(Locale.ROOT, "nearest training "
                + "images (cosine) of the first %d test images; x: another class than the query's "
                + "(%d of %d)", found.length, wrong, found.length * NEIGHBOURS), columns, rows));
    }

    /**
     * One row of search results to {@code png}: the query, then each hit captioned with its
     * cosine similarity and class ({@code x CLASS} where the query has a label and the hit's
     * differs).
     *
     * @param query the set holding the query image
     * @param queryIndex the query's position in {@code query}
     * @param queryLabel the query's label, or {@link ImageSet#UNLABELLED}
     * @param hits the hits' images, as (set, index) pairs in rank order
     * @param cosines the hits' cosine similarities, in the same order
     * @param title the sheet's title
     */
    public static void writeSearch(Path png, ImageSet query, int queryIndex, int queryLabel,
            List<Map.Entry<ImageSet, Integer>> hits, List<Double> cosines, String title)
            throws IOException {
        if (hits.size() != cosines.size()) {
            throw new IllegalArgumentException(hits.size() + " hits but " + cosines.size()
                    + " similarities");
        }
        List<String> columns = new ArrayList<>(List.of("query"));
        List<PictureSheet.Panel> row = new ArrayList<>();
        row.add(panel(query, queryIndex, queryLabel >= 0 ? className(query, queryLabel) : ""));
        for (int i = 0; i < hits.size(); i++) {
            ImageSet set = hits.get(i).getKey();
            int index = hits.get(i).getValue();
            int label = set.labels()[index];
            boolean mismatch = queryLabel >= 0 && label >= 0 && label != queryLabel;
            columns.add("#" + (i + 1));
            row.add(panel(set, index, String.format(Locale.ROOT, "%.3f %s%s", cosines.get(i),
                    mismatch ? "x " : "", className(set, label)).trim()));
        }
        PictureGrid.write(png, new PictureSheet(title, columns, List.of(row)));
    }

    private static String className(ImageSet set, int label) {
        return label >= 0 && label < set.classNames().size() ? set.classNames().get(label) : "";
    }

    private static PictureSheet.Panel panel(ImageSet set, int index, String caption) {
        int volume = set.imageVolume();
        float[] pixels = new float[volume];
        int offset = set.offsetOf(index);
        for (int i = 0; i < volume; i++) {
            pixels[i] = (set.pixels()[offset + i] & 0xFF) / 255f;
        }
        return new PictureSheet.Panel(pixels, set.channels(), set.height(), set.width(), caption);
    }

    static float[][] unitRows(FeatureMatrix features) {
        float[][] rows = new float[features.rows()][features.dim()];
        for (int r = 0; r < features.rows(); r++) {
            double norm = 0;
            for (int d = 0; d < features.dim(); d++) {
                float v = features.values()[r * features.dim() + d];
                rows[r][d] = v;
                norm += v * v;
            }
            double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
            for (int d = 0; d < features.dim(); d++) {
                rows[r][d] *= (float) scale;
            }
        }
        return rows;
    }
}
