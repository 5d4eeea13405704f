package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageFolderReader;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.search.EmbeddingIndex;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code selfsup index}, {@code search} and {@code duplicates}: a Lucene HNSW index of a trained
 * encoder's embeddings, nearest-neighbour search in it, and near-duplicate pairs.
 */
final class IndexCommands {
    /** Queries drawn from the index to measure the graph's recall against exact search. */
    static final int RECALL_QUERIES = 200;

    private IndexCommands() {}

    /** {@code selfsup index}. */
    @Command(name = "index", mixinStandardHelpOptions = true,
            description = "Embed a data set with a trained encoder and write a nearest-neighbour "
                    + "index (Lucene HNSW, cosine) of it; prints its recall@10 against exact "
                    + "search and the search latency.")
    static final class Index extends DataCommand {
        @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
                description = "A run directory (its newest checkpoint) or a checkpoint directory.")
        Path checkpoint;

        @Option(names = "--out", required = true, paramLabel = "DIR",
                description = "The index folder to write (new or empty).")
        Path out;

        @Option(names = "--split", defaultValue = "all",
                description = "train, test or all (default: ${DEFAULT-VALUE}).")
        String split;

        @Mixin
        ThreadsOption threads = new ThreadsOption();

        @Override
        public Integer call() throws Exception {
            if (!List.of("train", "test", "all").contains(split)) {
                throw new IllegalArgumentException("--split must be train, test or all, found '"
                        + split + "'");
            }
            threads.apply();
            long start = System.nanoTime();
            List<EmbeddingIndex.Entry> entries = new ArrayList<>();
            Map<String, String> properties = new LinkedHashMap<>();
            try (NDManager manager = NDManager.newBaseManager()) {
                if (textData()) {
                    TextCommands.Texts texts = TextCommands.texts(data, text, split);
                    TextEncoder encoder = TextEncoder.load(checkpoint, manager);
                    FeatureMatrix features = encoder.embed(texts.texts(), text.cls(),
                            text.windows(), manager);
                    for (int i = 0; i < features.rows(); i++) {
                        entries.add(new EmbeddingIndex.Entry(split + "/" + i, texts.labels()[i],
                                texts.texts().get(i), row(features, i)));
                    }
                    properties.put("modality", "text");
                    properties.put("pooling", text.pooling);
                    properties.put("windows", Integer.toString(text.windows()));
                } else {
                    DataSplits splits = data.load();
                    Encoder encoder = Encoder.load(checkpoint, manager);
                    for (String part : split.equals("all") ? List.of("train", "test")
                            : List.of(split)) {
                        ImageSet images = part.equals("train") ? splits.train() : splits.test();
                        FeatureMatrix features = encoder.embed(images, manager);
                        for (int i = 0; i < features.rows(); i++) {
                            entries.add(new EmbeddingIndex.Entry(part + "/" + i,
                                    images.labels()[i], null, row(features, i)));
                        }
                    }
                    ImageSet like = splits.train();
                    properties.put("modality", "image");
                    properties.put("channels", Integer.toString(like.channels()));
                    properties.put("image_size", Integer.toString(like.height()));
                }
            }
            double embedSeconds = (System.nanoTime() - start) / 1e9;
            long written = System.nanoTime();
            EmbeddingIndex.write(out, new EmbeddingIndex.Info(checkpoint.toString(), data.data,
                    split, properties), entries);
            double indexSeconds = (System.nanoTime() - written) / 1e9;
            try (EmbeddingIndex index = EmbeddingIndex.open(out)) {
                double recall = index.recall(10, Math.min(RECALL_QUERIES, index.size()), 1);
                long searched = System.nanoTime();
                int queries = Math.min(RECALL_QUERIES, index.size());
                for (int q = 0; q < queries; q++) {
                    index.search(index.vector(entries.get(q).id()), 10);
                }
                double latencyMs = (System.nanoTime() - searched) / 1e6 / queries;
                System.out.printf(Locale.ROOT, "indexed %d x %d embeddings of %s (%s) in %s: "
                        + "embedding %.1f s, indexing %.1f s; recall@10 against exact search "
                        + "%.4f over %d queries, %.2f ms per search%n", index.size(), index.dim(),
                        data.data, split, out, embedSeconds, indexSeconds, recall, queries,
                        latencyMs);
            }
            return 0;
        }
    }

    /** A command that reads an index written by {@code selfsup index}. */
    @Command
    abstract static class IndexReading implements Callable<Integer> {
        @Option(names = "--index", required = true, paramLabel = "DIR",
                description = "An index folder written by selfsup index.")
        Path indexDir;

        @Option(names = "--json", description = "Print one JSON object on the last line.")
        boolean json;

        /** Does the command's work on the open index. */
        abstract void run(EmbeddingIndex index) throws Exception;

        @Override
        public Integer call() throws Exception {
            try (EmbeddingIndex index = EmbeddingIndex.open(indexDir)) {
                run(index);
            }
            return 0;
        }
    }

    /** What to search for: exactly one of an image file, a text or an indexed item. */
    static final class Query {
        @Option(names = "--query", paramLabel = "FILE", description = "An image file (image "
                + "indexes), embedded with the index's checkpoint.")
        Path file;

        @Option(names = "--text", paramLabel = "TEXT", description = "A text (text indexes), "
                + "embedded with the index's checkpoint.")
        String text;

        @Option(names = "--id", paramLabel = "ID", description = "An item of the index, e.g. "
                + "test/12 (itself left out of the results).")
        String id;
    }

    /** {@code selfsup search}. */
    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "The nearest items of an index to an image, a text or an indexed item, "
                    + "with their cosine similarity.")
    static final class Search extends IndexReading {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Query query;

        @Option(names = {"-k", "--k"}, defaultValue = "10",
                description = "Neighbours to show (default: ${DEFAULT-VALUE}).")
        int k;

        @Override
        void run(EmbeddingIndex index) throws Exception {
            float[] vector = queryVector(index);
            List<EmbeddingIndex.Hit> hits = index.search(vector, query.id != null ? k + 1 : k);
            if (query.id != null) {
                hits = hits.stream().filter(h -> !h.id().equals(query.id)).limit(k).toList();
            }
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("index", indexDir.toString());
                result.put("hits", hits);
                System.out.println(Json.COMPACT.writeValueAsString(result));
            } else {
                for (EmbeddingIndex.Hit hit : hits) {
                    System.out.printf(Locale.ROOT, "%.4f  %-12s label %-4s %s%n",
                            hit.cosine(), hit.id(), hit.label() < 0 ? "-" : hit.label(),
                            hit.text() == null ? "" : hit.text());
                }
            }
        }

        private float[] queryVector(EmbeddingIndex index) throws Exception {
            if (query.id != null) {
                return index.vector(query.id);
            }
            EmbeddingIndex.Info info = index.info();
            boolean text = "text".equals(info.properties().get("modality"));
            Path checkpoint = Path.of(info.checkpoint());
            try (NDManager manager = NDManager.newBaseManager()) {
                if (query.text != null) {
                    if (!text) {
                        throw new IllegalArgumentException("--text needs an index of texts; "
                                + indexDir + " holds images (use --query FILE)");
                    }
                    TextEncoder encoder = TextEncoder.load(checkpoint, manager);
                    return row(encoder.embed(List.of(query.text),
                            "cls".equals(info.properties().get("pooling")),
                            Integer.parseInt(info.properties().get("windows")), manager), 0);
                }
                if (text) {
                    throw new IllegalArgumentException("--query FILE needs an index of images; "
                            + indexDir + " holds texts (use --text)");
                }
                ImageSet image = ImageFolderReader.readImage(query.file,
                        Integer.parseInt(info.properties().get("image_size")),
                        Integer.parseInt(info.properties().get("channels")));
                return row(Encoder.load(checkpoint, manager).embed(image, manager), 0);
            }
        }
    }

    /** {@code selfsup duplicates}. */
    @Command(name = "duplicates", mixinStandardHelpOptions = true,
            description = "Pairs of items of an index whose embeddings' cosine similarity is at "
                    + "least --threshold, most similar first.")
    static final class Duplicates extends IndexReading {
        @Option(names = "--threshold", defaultValue = "0.95",
                description = "Smallest cosine similarity of a pair (default: ${DEFAULT-VALUE}).")
        double threshold;

        @Option(names = "--neighbours", defaultValue = "10", description = "Nearest items "
                + "looked at per item (default: ${DEFAULT-VALUE}).")
        int neighbours;

        @Option(names = "--limit", defaultValue = "100",
                description = "Pairs to print at most (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        void run(EmbeddingIndex index) throws Exception {
            List<EmbeddingIndex.Pair> pairs = index.nearDuplicates(threshold, neighbours);
            List<EmbeddingIndex.Pair> shown = pairs.subList(0, Math.min(limit, pairs.size()));
            if (json) {
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("threshold", threshold);
                result.put("pairs_found", pairs.size());
                result.put("pairs", shown);
                System.out.println(Json.COMPACT.writeValueAsString(result));
            } else {
                for (EmbeddingIndex.Pair pair : shown) {
                    System.out.printf(Locale.ROOT, "%.4f  %s  %s%n", pair.cosine(),
                            pair.first(), pair.second());
                }
                System.out.printf(Locale.ROOT, "%d pairs at cosine >= %s among %d items%s%n",
                        pairs.size(), threshold, index.size(),
                        pairs.size() > shown.size() ? " (first " + shown.size() + " shown)" : "");
            }
        }
    }

    private static float[] row(FeatureMatrix features, int row) {
        float[] values = new float[features.dim()];
        System.arraycopy(features.values(), row * features.dim(), values, 0, features.dim());
        return values;
    }
}
