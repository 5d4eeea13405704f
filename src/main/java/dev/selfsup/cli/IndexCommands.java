package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.data.ImageFolderReader;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.report.EmbeddingPictures;
import dev.selfsup.search.EmbeddingIndex;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.util.Json;
import java.io.IOException;
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
    /** Index properties that record the data options an image index was built with. */
    static final String DATA_IMAGE_SIZE = "data_image_size";
    static final String DATA_COLOR = "data_color";
    static final String DATA_TRAIN_SIZE = "data_train_size";
    static final String DATA_TEST_SIZE = "data_test_size";
    /** The index property that records the precision an image index was embedded in. */
    static final String PRECISION = "precision";

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

        @Mixin
        PrecisionOption precision = new PrecisionOption();

        @Override
        public Integer call() throws Exception {
            if (!List.of("train", "test", "all").contains(split)) {
                throw new IllegalArgumentException("--split must be train, test or all, found '"
                        + split + "'");
            }
            boolean bf16 = precision.bf16();
            if (textData()) {
                TextCommands.refuseBf16(bf16);
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
                        FeatureMatrix features = encoder.embed(images, manager, bf16);
                        for (int i = 0; i < features.rows(); i++) {
                            entries.add(new EmbeddingIndex.Entry(part + "/" + i,
                                    images.labels()[i], null, row(features, i)));
                        }
                    }
                    ImageSet like = splits.train();
                    properties.put("modality", "image");
                    // queries by picture are embedded the same way
                    properties.put(PRECISION, precision.precision);
                    properties.put("channels", Integer.toString(like.channels()));
                    properties.put("image_size", Integer.toString(like.height()));
                    // what search --picture needs to read the items' images again
                    Datasets.Options options = data.options();
                    properties.put(DATA_IMAGE_SIZE, Integer.toString(options.imageSize()));
                    properties.put(DATA_COLOR, options.colorMode().name());
                    if (options.trainSize() != null) {
                        properties.put(DATA_TRAIN_SIZE, options.trainSize().toString());
                    }
                    if (options.testSize() != null) {
                        properties.put(DATA_TEST_SIZE, options.testSize().toString());
                    }
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
                        + "embedding %.1f s%s, indexing %.1f s; recall@10 against exact search "
                        + "%.4f over %d queries, %.2f ms per search%n", index.size(), index.dim(),
                        data.data, split, out, embedSeconds, bf16 ? " (bf16)" : "",
                        indexSeconds, recall, queries, latencyMs);
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

        @Option(names = "--picture", paramLabel = "FILE.png", description = "Image indexes: "
                + "also draw the query and its neighbours, each captioned with its cosine and "
                + "class, to FILE.png.")
        Path picture;

        @Override
        void run(EmbeddingIndex index) throws Exception {
            if (picture != null && !picture.getFileName().toString().toLowerCase(Locale.ROOT)
                    .endsWith(".png")) {
                throw new IllegalArgumentException("--picture must name a .png file, found '"
                        + picture + "'");
            }
            float[] vector = queryVector(index);
            List<EmbeddingIndex.Hit> hits = index.search(vector, query.id != null ? k + 1 : k);
            if (query.id != null) {
                hits = hits.stream().filter(h -> !h.id().equals(query.id)).limit(k).toList();
            }
            if (picture != null) {
                drawPicture(index, hits);
                (json ? System.err : System.out).println("wrote " + picture);
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

        /** The query and its hits as one row of pictures, read from the index's data. */
        private void drawPicture(EmbeddingIndex index, List<EmbeddingIndex.Hit> hits)
                throws IOException {
            EmbeddingIndex.Info info = index.info();
            Map<String, String> properties = info.properties();
            if (!"image".equals(properties.get("modality"))) {
                throw new IllegalArgumentException("--picture needs an index of images; "
                        + indexDir + " holds texts");
            }
            if (!properties.containsKey(DATA_COLOR)) {
                throw new IllegalArgumentException("--picture needs the data options the index "
                        + "was built with, and " + indexDir + " predates them: build it again "
                        + "with selfsup index");
            }
            DataSplits splits = Datasets.load(info.data(), new Datasets.Options(
                    optionalInt(properties.get(DATA_TRAIN_SIZE)),
                    optionalInt(properties.get(DATA_TEST_SIZE)),
                    Integer.parseInt(properties.get(DATA_IMAGE_SIZE)),
                    ImageFolderReader.ColorMode.valueOf(properties.get(DATA_COLOR))));
            ImageSet queryImage;
            int queryIndex = 0;
            int queryLabel = ImageSet.UNLABELLED;
            String described;
            if (query.id != null) {
                Map.Entry<ImageSet, Integer> item = item(splits, query.id);
                queryImage = item.getKey();
                queryIndex = item.getValue();
                queryLabel = queryImage.labels()[queryIndex];
                described = query.id;
            } else {
                queryImage = ImageFolderReader.readImage(query.file,
                        Integer.parseInt(properties.get("image_size")),
                        Integer.parseInt(properties.get("channels")));
                described = query.file.getFileName().toString();
            }
            List<Map.Entry<ImageSet, Integer>> items = new ArrayList<>();
            List<Double> cosines = new ArrayList<>();
            for (EmbeddingIndex.Hit hit : hits) {
                items.add(item(splits, hit.id()));
                cosines.add((double) hit.cosine());
            }
            EmbeddingPictures.writeSearch(picture, queryImage, queryIndex, queryLabel, items,
                    cosines,
                    String.format(Locale.ROOT, "the %d nearest items of %s to %s (cosine)%s",
                            hits.size(), info.data(), described, queryLabel >= 0
                                    ? "; x: another class than the query's" : ""));
        }

        /** The image an index id ({@code train/123}, {@code test/7}) names. */
        private Map.Entry<ImageSet, Integer> item(DataSplits splits, String id) {
            int slash = id.indexOf('/');
            String part = slash < 0 ? "" : id.substring(0, slash);
            ImageSet set = part.equals("train") ? splits.train()
                    : part.equals("test") ? splits.test() : null;
            int position = -1;
            try {
                position = Integer.parseInt(id.substring(slash + 1));
            } catch (NumberFormatException e) {
                // reported below
            }
            if (set == null || position < 0 || position >= set.size()) {
                throw new IllegalStateException("index item '" + id + "' is not an image of "
                        + splits.name() + " (" + splits.train().size() + " train, "
                        + splits.test().size() + " test): was the data changed since the index "
                        + "was built?");
            }
            return Map.entry(set, position);
        }

        private static Integer optionalInt(String value) {
            return value == null ? null : Integer.valueOf(value);
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
                // as the index was embedded; a CPU without bf16 embeds the query in fp32, which
                // differs from bf16 by its rounding only
                boolean bf16 = PretrainConfig.BF16.equals(info.properties().get(PRECISION))
                        && Bf16Autocast.available();
                return row(Encoder.load(checkpoint, manager).embed(image, manager, bf16), 0);
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
