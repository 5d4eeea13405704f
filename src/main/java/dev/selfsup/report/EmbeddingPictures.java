package dev.selfsup.report;

import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Pca;
import dev.selfsup.method.PictureSheet;
import dev.selfsup.util.AtomicFiles;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures of what the embeddings do, for {@code report.html}: a 2-D map of the test embeddings
 * (their first two principal components) coloured by label, and a retrieval grid (query images
 * with their nearest training images by cosine, the neighbours of another label marked).
 */
public final class EmbeddingPictures {
    /** File name of the map under {@code pictures/}. */
    public static final String MAP_FILE = "embedding-map.png";
    /** File name of the retrieval grid under {@code pictures/}. */
    public static final String RETRIEVAL_FILE = "retrieval.png";
    /** Query images in the retrieval grid. */
    public static final int QUERIES = 8;
    /** Neighbours shown per query. */
    public static final int NEIGHBOURS = 8;

    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xff7f0e),
        new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b),
        new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    private EmbeddingPictures() {}

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
        double[] xy = pca.project(features);
        int classes = Math.max(1, classNames.size());
        List<List<Double>> xs = new ArrayList<>();
        List<List<Double>> ys = new ArrayList<>();
        for (int c = 0; c <= classes; c++) {
            xs.add(new ArrayList<>());
            ys.add(new ArrayList<>());
        }
        for (int r = 0; r < features.rows(); r++) {
            int series = labels[r] >= 0 && labels[r] < classes ? labels[r] : classes;
            xs.get(series).add(xy[2 * r]);
            ys.get(series).add(xy[2 * r + 1]);
        }
        ReportWriter.ensureHeadless();
        XYChart chart = new XYChartBuilder().width(760).height(560).title(title)
                .xAxisTitle(String.format(Locale.ROOT, "PC 1 (%.0f%% of the variance)",
                        100 * pca.explained(0)))
                .yAxisTitle(String.format(Locale.ROOT, "PC 2 (%.0f%%)", 100 * pca.explained(1)))
                .build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
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
