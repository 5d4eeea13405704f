package dev.selfsup.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.util.AtomicFiles;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text runs' retrieval picture, as text: a few held-out sentences, each with its nearest
 * training sentences by cosine of their embeddings, and whether each neighbour comes from the
 * query's own document. Written to {@value #FILE} in the run directory and shown in
 * {@code report.html}.
 *
 * @param epoch the epoch whose encoder found the neighbours
 * @param bankSize the training sentences searched
 * @param queries the held-out sentences and their neighbours
 */
public record NearestSentences(int epoch, @JsonProperty("bank_size") int bankSize,
        List<Query> queries) {
    /** The file in the run directory. */
    public static final String FILE = "nearest-sentences.json";

    /** A held-out sentence and its neighbours, most similar first. */
    public record Query(String text, String document, List<Neighbour> neighbours) {}

    /**
     * A training sentence near a query.
     *
     * @param sameDocument whether it comes from the query's document
     */
    public record Neighbour(String text, String document, double cosine,
            @JsonProperty("same_document") boolean sameDocument) {}

    /**
     * The {@code neighbours} nearest bank sentences of the first {@code queryCount} queries.
     *
     * @param queryDocuments each query's document name
     * @param bankDocuments each bank sentence's document name
     */
    public static NearestSentences find(int epoch, FeatureMatrix queryFeatures,
            List<String> queryTexts, List<String> queryDocuments, FeatureMatrix bankFeatures,
            List<String> bankTexts, List<String> bankDocuments, int queryCount, int neighbours) {
        int[][] found = EmbeddingPictures.neighbours(bankFeatures, queryFeatures, queryCount,
                neighbours);
        float[][] unitQueries = EmbeddingPictures.unitRows(queryFeatures);
        float[][] unitBank = EmbeddingPictures.unitRows(bankFeatures);
        List<Query> queries = new ArrayList<>();
        for (int q = 0; q < found.length; q++) {
            List<Neighbour> near = new ArrayList<>();
            for (int b : found[q]) {
                double cosine = 0;
                for (int d = 0; d < unitBank[b].length; d++) {
                    cosine += unitQueries[q][d] * unitBank[b][d];
                }
                near.add(new Neighbour(bankTexts.get(b), bankDocuments.get(b), cosine,
                        bankDocuments.get(b).equals(queryDocuments.get(q))));
            }
            queries.add(new Query(queryTexts.get(q), queryDocuments.get(q), near));
        }
        return new NearestSentences(epoch, bankFeatures.rows(), queries);
    }

    /** Writes this to {@value #FILE} in {@code runDir}, atomically. */
    public void write(Path runDir) throws IOException {
        AtomicFiles.write(runDir.resolve(FILE),
                Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    /**
     * The file in {@code runDir}, if there is one.
     *
     * @throws IOException if it cannot be read or parsed, naming it
     */
    public static Optional<NearestSentences> read(Path runDir) throws IOException {
        return Json.readIfExists(runDir.resolve(FILE), NearestSentences.class,
                "a nearest-sentences file");
    }

    /** An HTML table: each query, then its neighbours with their cosines. */
    void appendHtml(StringBuilder page) {
        page.append("<table class=\"sentences\">\n<tr><th>held-out sentence</th>"
                + "<th>nearest training sentences (cosine; x: another document)</th></tr>\n");
        for (Query query : queries) {
            page.append("<tr><td>").append(ReportWriter.escape(query.text()))
                    .append("<br><span class=\"meta\">").append(ReportWriter.escape(query.document()))
                    .append("</span></td><td><ol>");
            for (Neighbour neighbour : query.neighbours()) {
                page.append("<li>").append(String.format(java.util.Locale.ROOT, "%.3f ",
                        neighbour.cosine())).append(neighbour.sameDocument() ? "" : "x ")
                        .append(ReportWriter.escape(neighbour.text())).append("</li>");
            }
            page.append("</ol></td></tr>\n");
        }
        page.append("</table>\n");
    }
}
