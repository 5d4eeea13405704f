package dev.selfsup.eval;

import dev.selfsup.util.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ObjIntConsumer;

/**
 * Exports an embedding matrix of shape {@code (rows, dim)} with one label per row, for analysis
 * outside the JVM (NumPy, pandas, a spreadsheet, a projector).
 *
 * <p>The format follows the file's extension:
 * <ul>
 *   <li>{@code .npy}: a NumPy format 1.0 array of float32 little-endian ({@code '<f4'}), shape
 *       {@code (rows, dim)}, C order, its header padded with spaces so the data starts at a
 *       multiple of 64 bytes; the labels go to a sibling {@code NAME.labels.npy} (int64 {@code
 *       '<i8'}, shape {@code (rows,)}). Load with {@code np.load("emb.npy")} and {@code
 *       np.load("emb.labels.npy")}.
 *   <li>{@code .csv}: a header {@code label,e0,e1,...,e(dim-1)}, then one line per row: the label
 *       and the values as {@link Float#toString(float)} writes them (shortest round-tripping
 *       decimal; {@code NaN}, {@code Infinity}).
 *   <li>{@code .parquet}: one row per item, columns {@code id} (string), {@code label} (int32,
 *       null where there is none), {@code text} (string; text data only) and {@code embedding}
 *       (a list of float32), uncompressed. Read with {@code pandas.read_parquet("emb.parquet")},
 *       DuckDB's {@code SELECT * FROM 'emb.parquet'} or Spark's {@code spark.read.parquet}.
 * </ul>
 * Each file is written to a temporary sibling and renamed into place, so no half-written file
 * sits under a final name; the labels file is written first.
 */
public final class EmbeddingWriter {
    /** The NumPy format's magic string, after the byte 0x93. */
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** The data of a .npy file starts at a multiple of this many bytes. */
    static final int NPY_ALIGNMENT = 64;

    private EmbeddingWriter() {}

    /**
     * Writes embeddings and their labels, the rows' ids (for Parquet) their indices.
     *
     * @see #write(Path, float[], int, int, int[], List, List)
     */
    public static void write(Path file, float[] embeddings, int rows, int dim, int[] labels)
            throws IOException {
        write(file, embeddings, rows, dim, labels,
                java.util.stream.IntStream.range(0, Math.max(rows, 0)).mapToObj(Integer::toString)
                        .toList(), null);
    }

    /**
     * Writes embeddings, their labels, and for Parquet their ids and texts ({@code .npy} and
     * {@code .csv} keep the rows in order and carry neither).
     *
     * @param file the output, ending in {@code .npy}, {@code .csv} or {@code .parquet} (any
     *     case); missing parent directories are created
     * @param embeddings {@code rows * dim} values, row-major: row {@code i} is {@code
     *     embeddings[i * dim .. (i + 1) * dim)}
     * @param rows number of rows (samples), {@code >= 0}
     * @param dim values per row, {@code >= 1}
     * @param labels one label per row (use {@code ImageSet.UNLABELLED}, -1, for none)
     * @param ids one id per row, e.g. {@code test/17} or a file's path
     * @param texts one text per row, or null (images)
     * @throws IllegalArgumentException for another extension or inconsistent sizes
     * @throws IOException if a file cannot be written
     */
    public static void write(Path file, float[] embeddings, int rows, int dim, int[] labels,
            List<String> ids, List<String> texts) throws IOException {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(embeddings, "embeddings");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(ids, "ids");
        String format = format(file);
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, found " + rows);
        }
        if (dim < 1) {
            throw new IllegalArgumentException("dim must be >= 1, found " + dim);
        }
        if ((long) rows * dim != embeddings.length) {
            throw new IllegalArgumentException("embeddings must hold rows * dim = "
                    + (long) rows * dim + " values, found " + embeddings.length);
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException("labels must hold one label per row (" + rows
                    + "), found " + labels.length);
        }
        if (ids.size() != rows) {
            throw new IllegalArgumentException("ids must hold one id per row (" + rows
                    + "), found " + ids.size());
        }
        if (texts != null && texts.size() != rows) {
            throw new IllegalArgumentException("texts must hold one text per row (" + rows
                    + "), found " + texts.size());
        }
        switch (format) {
            case "npy" -> {
                AtomicFiles.write(labelsPath(file), out -> writeNpyLabels(out, labels));
                AtomicFiles.write(file, out -> writeNpyFloats(out, embeddings, rows, dim));
            }
            case "csv" -> AtomicFiles.write(file,
                    out -> writeCsv(out, embeddings, rows, dim, labels));
            default -> AtomicFiles.write(file, out -> ParquetEmbeddings.write(out, embeddings,
                    rows, dim, labels, ids, texts));
        }
    }

    /** The formats {@link #write} takes, by file extension. */
    public static final List<String> FORMATS = List.of("npy", "csv", "parquet");

    /**
     * The format of an embedding file by its extension, any case: {@code npy}, {@code csv} or
     * {@code parquet}.
     *
     * @throws IllegalArgumentException for another extension, naming the file
     */
    public static String format(Path file) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        for (String format : FORMATS) {
            if (lower.endsWith("." + format)) {
                return format;
            }
        }
        throw new IllegalArgumentException("embedding file must end in .npy, .csv or .parquet, "
                + "found '" + file + "'");
    }

    /**
     * Where {@link #write} puts the labels of a {@code .npy} file: {@code emb.npy} ->
     * {@code emb.labels.npy}, in the same directory.
     */
    public static Path labelsPath(Path npyFile) {
        String name = npyFile.getFileName().toString();
        String stem = name.substring(0, name.length() - ".npy".length());
        return npyFile.resolveSibling(stem + ".labels.npy");
    }

    /**
     * The header of a NumPy format 1.0 file: magic, version 1.0, the little-endian uint16 header
     * length, and the header dict padded with spaces and ended by a newline so that its total
     * length is a multiple of {@value #NPY_ALIGNMENT}.
     *
     * @param descr the dtype, e.g. {@code <f4}
     * @param shape the array's shape (one entry: a 1-D array)
     */
    static byte[] npyHeader(String descr, long... shape) {
        StringBuilder dict = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // + version, length, '\n'
        int padding = (NPY_ALIGNMENT - unpadded % NPY_ALIGNMENT) % NPY_ALIGNMENT;
        dict.append(" ".repeat(padding)).append('\n');
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        if (text.length > 0xFFFF) {
            throw new IllegalArgumentException("npy header too long for format 1.0: "
                    + text.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 4 + text.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length).put(text);
        return header.array();
    }

    private static void writeNpyFloats(OutputStream out, float[] values, int rows, int dim)
            throws IOException {
        out.write(npyHeader("<f4", rows, dim));
        writeLittleEndian(out, values.length, Float.BYTES,
                (buffer, i) -> buffer.putFloat(values[i]));
    }

    private static void writeNpyLabels(OutputStream out, int[] labels) throws IOException {
        out.write(npyHeader("<i8", labels.length));
        writeLittleEndian(out, labels.length, Long.BYTES, (buffer, i) -> buffer.putLong(labels[i]));
    }

    /**
     * Writes {@code count} values of {@code bytes} bytes each, value {@code i} put by
     * {@code put.accept(buffer, i)}, through a 64 KiB little-endian buffer.
     */
    private static void writeLittleEndian(OutputStream out, int count, int bytes,
            ObjIntConsumer<ByteBuffer> put) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            if (buffer.remaining() < bytes) {
                out.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            put.accept(buffer, i);
        }
        out.write(buffer.array(), 0, buffer.position());
    }

    private static void writeCsv(OutputStream out, float[] values, int rows, int dim,
            int[] labels) throws IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8),
                1 << 16);
        writer.write("label");
        for (int j = 0; j < dim; j++) {
            writer.write(",e");
            writer.write(Integer.toString(j));
        }
        writer.write('\n');
        for (int i = 0; i < rows; i++) {
            writer.write(Integer.toString(labels[i]));
            for (int j = 0; j < dim; j++) {
                writer.write(',');
                writer.write(Float.toString(values[i * dim + j]));
            }
            writer.write('\n');
        }
        writer.flush(); // the caller closes the stream
    }
}
