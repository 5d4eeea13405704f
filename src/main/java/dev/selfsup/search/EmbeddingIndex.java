package dev.selfsup.search;

import dev.selfsup.util.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexNotFoundException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

/**
 * A nearest-neighbour index of embeddings on Apache Lucene's HNSW vectors
 * ({@link KnnFloatVectorField}): each item's embedding (l2-normalised, so that the dot product is
 * the cosine), its id, label and, for text, the text itself. Search returns cosines; an exact
 * brute-force search over the same vectors is there to measure the graph's recall.
 *
 * <p>An index is written whole into a temporary folder and moved to its final name, so a failed
 * write leaves nothing half-written under it. What the index was built from ({@link Info}) is
 * kept in the index's commit data.
 */
public final class EmbeddingIndex implements AutoCloseable {
    private static final String ID = "id";
    private static final String LABEL = "label";
    private static final String TEXT = "text";
    private static final String VECTOR = "embedding";
    private static final String STORED_VECTOR = "vector";

    /**
     * One item to index.
     *
     * @param id unique within the index, e.g. {@code train/123}
     * @param label class index, or -1 for none
     * @param text the item's text (text data), or null
     * @param vector the embedding, not all zero
     */
    public record Entry(String id, int label, String text, float[] vector) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** A search result: the item and its cosine similarity to the query. */
    public record Hit(String id, int label, String text, double cosine) {}

    /** Two items whose cosine similarity is at least a threshold. */
    public record Pair(String first, String second, double cosine) {}

    /**
     * What the index was built from.
     *
     * @param checkpoint the run or checkpoint the embeddings came from
     * @param data the data spec
     * @param split {@code train}, {@code test} or {@code all}
     * @param properties anything else a reader needs to embed queries the same way (image
     *     shape, text pooling), as strings
     */
    public record Info(String checkpoint, String data, String split,
            Map<String, String> properties) {
        public Info {
            properties = Map.copyOf(properties);
        }
    }

    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final Info info;
    private final String[] ids;
    private final int[] labels;
    private final String[] texts;
    private final float[][] vectors;
    private final Map<String, Integer> byId = new HashMap<>();

    private EmbeddingIndex(DirectoryReader reader, Info info) throws IOException {
        this.reader = reader;
        this.searcher = new IndexSearcher(reader);
        this.info = info;
        int count = reader.maxDoc();
        ids = new String[count];
        labels = new int[count];
        texts = new String[count];
        vectors = new float[count][];
        StoredFields stored = reader.storedFields();
        for (int doc = 0; doc < count; doc++) {
            Document document = stored.document(doc);
            ids[doc] = document.get(ID);
            labels[doc] = document.getField(LABEL).numericValue().intValue();
            texts[doc] = document.get(TEXT);
            vectors[doc] = floats(document.getBinaryValue(STORED_VECTOR));
            byId.put(ids[doc], doc);
        }
    }

    /**
     * Writes an index of {@code entries} to {@code dir}, which must not exist yet or be empty.
     *
     * @throws IllegalArgumentException for no entries, duplicate ids, vectors of different
     *     lengths or an all-zero vector (naming the item)
     * @throws IOException if {@code dir} holds files or cannot be written
     */
    public static void write(Path dir, Info info, List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("an index needs at least one item, found none");
        }
        if (Files.isDirectory(dir)) {
            try (var listing = Files.list(dir)) {
                if (listing.findAny().isPresent()) {
                    throw new IOException(dir + ": already holds files; give a new or empty folder");
                }
            }
        }
        int dim = entries.get(0).vector().length;
        Map<String, Boolean> seen = new HashMap<>();
        for (Entry entry : entries) {
            if (entry.vector().length != dim) {
                throw new IllegalArgumentException("every embedding must have " + dim
                        + " values; item '" + entry.id() + "' has " + entry.vector().length);
            }
            if (seen.put(entry.id(), true) != null) {
                throw new IllegalArgumentException("item ids must be unique, found '"
                        + entry.id() + "' twice");
            }
        }
        Path parent = dir.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path partial = Files.createTempDirectory(parent, "." + dir.getFileName() + ".partial-");
        try {
            IndexWriterConfig config = new IndexWriterConfig().setOpenMode(
                    IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(256);
            try (FSDirectory directory = FSDirectory.open(partial);
                    IndexWriter writer = new IndexWriter(directory, config)) {
                for (Entry entry : entries) {
                    float[] unit = unit(entry.vector(), entry.id());
                    Document document = new Document();
                    document.add(new StringField(ID, entry.id(), Field.Store.YES));
                    document.add(new StoredField(LABEL, entry.label()));
                    if (entry.text() != null) {
                        document.add(new StoredField(TEXT, entry.text()));
                    }
                    document.add(new StoredField(STORED_VECTOR, new BytesRef(bytes(unit))));
                    document.add(new KnnFloatVectorField(VECTOR, unit,
                            VectorSimilarityFunction.DOT_PRODUCT));
                    writer.addDocument(document);
                }
                writer.forceMerge(1); // one segment: document numbers are the entries' order
                Map<String, String> commit = new LinkedHashMap<>(info.properties());
                commit.put("selfsup.checkpoint", info.checkpoint());
                commit.put("selfsup.data", info.data());
                commit.put("selfsup.split", info.split());
                writer.setLiveCommitData(commit.entrySet());
                writer.commit();
            }
            if (Files.isDirectory(dir)) {
                Files.delete(dir); // empty, checked above
            }
            Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            if (Files.exists(partial)) {
                AtomicFiles.deleteTree(partial);
            }
        }
    }

    /**
     * Opens an index written by {@link #write}.
     *
     * @throws IOException naming {@code dir} when it holds no selfsup index
     */
    public static EmbeddingIndex open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null,
                    "no such index folder (selfsup index --out writes one)");
        }
        DirectoryReader reader;
        try {
            reader = DirectoryReader.open(FSDirectory.open(dir));
        } catch (IndexNotFoundException e) {
            throw new IOException(dir + ": not a selfsup index (no Lucene index in it)", e);
        }
        Map<String, String> commit = new LinkedHashMap<>(reader.getIndexCommit().getUserData());
        String checkpoint = commit.remove("selfsup.checkpoint");
        String data = commit.remove("selfsup.data");
        String split = commit.remove("selfsup.split");
        if (checkpoint == null || data == null || split == null) {
            reader.close();
            throw new IOException(dir + ": a Lucene index, but not one selfsup wrote (no "
                    + "selfsup.checkpoint in its commit data)");
        }
        return new EmbeddingIndex(reader, new Info(checkpoint, data, split, commit));
    }

    public Info info() {
        return info;
    }

    /** Items in the index. */
    public int size() {
        return ids.length;
    }

    /** Width of the embeddings. */
    public int dim() {
        return vectors.length == 0 ? 0 : vectors[0].length;
    }

    /**
     * The stored (unit) embedding of item {@code id}.
     *
     * @throws IllegalArgumentException naming the id when there is no such item
     */
    public float[] vector(String id) {
        Integer doc = byId.get(id);
        if (doc == null) {
            throw new IllegalArgumentException("no item '" + id + "' in the index (ids look like '"
                    + ids[0] + "')");
        }
        return vectors[doc].clone();
    }

    /** The {@code k} nearest items to {@code query} by the HNSW graph, most similar first. */
    public List<Hit> search(float[] query, int k) throws IOException {
        checkQuery(query, k);
        TopDocs top = searcher.search(
                new KnnFloatVectorQuery(VECTOR, unit(query, "the query"), k), k);
        List<Hit> hits = new ArrayList<>();
        for (ScoreDoc scoreDoc : top.scoreDocs) {
            // Lucene's DOT_PRODUCT score is (1 + cosine) / 2 on unit vectors
            hits.add(hit(scoreDoc.doc, 2.0 * scoreDoc.score - 1));
        }
        return hits;
    }

    /** The {@code k} nearest items by brute force over every stored vector. */
    public List<Hit> exactSearch(float[] query, int k) {
        checkQuery(query, k);
        float[] unit = unit(query, "the query");
        Integer[] order = new Integer[ids.length];
        double[] cosines = new double[ids.length];
        for (int doc = 0; doc < ids.length; doc++) {
            order[doc] = doc;
            cosines[doc] = dot(unit, vectors[doc]);
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer doc) -> -cosines[doc])
                .thenComparingInt(doc -> doc));
        List<Hit> hits = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.length); i++) {
            hits.add(hit(order[i], cosines[order[i]]));
        }
        return hits;
    }

    /**
     * Pairs of items whose cosine similarity is at least {@code threshold}, most similar first,
     * found by searching each item's {@code neighbours} nearest items in the graph.
     */
    public List<Pair> nearDuplicates(double threshold, int neighbours) throws IOException {
        if (!(threshold > -1 && threshold <= 1) || neighbours < 1) {
            throw new IllegalArgumentException("need a threshold in (-1, 1] and neighbours >= 1, "
                    + "found " + threshold + " and " + neighbours);
        }
        List<Pair> pairs = new ArrayList<>();
        for (int doc = 0; doc < ids.length; doc++) {
            for (Hit hit : search(vectors[doc], neighbours + 1)) {
                int other = byId.get(hit.id());
                if (other > doc && hit.cosine() >= threshold) {
                    pairs.add(new Pair(ids[doc], ids[other], hit.cosine()));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble((Pair p) -> -p.cosine()));
        return pairs;
    }

    /**
     * Recall@k of the HNSW search against exact search: the share of the exact top {@code k}
     * that the graph search returns, averaged over {@code queries} items drawn with
     * {@code seed} and used as queries.
     */
    public double recall(int k, int queries, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        double total = 0;
        for (int q = 0; q < queries; q++) {
            float[] query = vectors[random.nextInt(ids.length)];
            List<String> exact = exactSearch(query, k).stream().map(Hit::id).toList();
            List<String> found = search(query, k).stream().map(Hit::id).toList();
            total += exact.stream().filter(found::contains).count() / (double) exact.size();
        }
        return total / queries;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    private Hit hit(int doc, double cosine) {
        return new Hit(ids[doc], labels[doc], texts[doc], cosine);
    }

    private void checkQuery(float[] query, int k) {
        if (query.length != dim()) {
            throw new IllegalArgumentException("the query must have " + dim()
                    + " values (this index's embeddings), found " + query.length);
        }
        if (k < 1) {
            throw new IllegalArgumentException("k must be >= 1, found " + k);
        }
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static float[] unit(float[] vector, String what) {
        double norm = Math.sqrt(dot(vector, vector));
        if (!(norm > 0) || !Double.isFinite(norm)) {
            throw new IllegalArgumentException(what + ": the embedding is all zero or not "
                    + "finite, so it has no direction to compare");
        }
        float[] unit = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            unit[i] = (float) (vector[i] / norm);
        }
        return unit;
    }

    private static byte[] bytes(float[] values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    private static float[] floats(BytesRef bytes) {
        float[] values = new float[bytes.length / Float.BYTES];
        ByteBuffer.wrap(bytes.bytes, bytes.offset, bytes.length).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer().get(values);
        return values;
    }
}
