package dev.selfsup.eval;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * The Parquet form of {@link EmbeddingWriter}: one row per item with its id, its label (null
 * where there is none), its text (text data only) and its embedding as a list of floats, the
 * three-level {@code LIST} layout of the Parquet specification that Spark, DuckDB, pandas
 * (pyarrow) and polars read as an array column. Uncompressed: embeddings are dense floats, which
 * general-purpose codecs barely shrink, and so no codec library is needed to read the file.
 *
 * <p>Written with Apache Parquet's own writer (parquet-hadoop), through its Hadoop-free
 * configuration, into the stream {@link EmbeddingWriter} renames into place when complete.
 */
final class ParquetEmbeddings {
    /** The key of the file's key-value metadata that holds the embedding width. */
    static final String DIM_KEY = "selfsup.embedding_dim";

    private ParquetEmbeddings() {}

    /** The file's schema: with a {@code text} column only when the items have texts. */
    static MessageType schema(boolean withText) {
        Types.MessageTypeBuilder message = Types.buildMessage();
        message.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                .named("id");
        message.optional(PrimitiveTypeName.INT32).named("label");
        if (withText) {
            message.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType())
                    .named("text");
        }
        message.requiredList().requiredElement(PrimitiveTypeName.FLOAT).named("embedding");
        return message.named("embeddings");
    }

    /**
     * Writes the rows to {@code out} as one Parquet file (the caller closes the stream).
     *
     * @param texts one text per row, or null for none (no {@code text} column)
     */
    static void write(OutputStream out, float[] values, int rows, int dim, int[] labels,
            List<String> ids, List<String> texts) throws IOException {
        Rows data = new Rows(values, dim, labels, ids, texts);
        try (ParquetWriter<Integer> writer = new Builder(new StreamFile(out), data)
                .withConf(new PlainParquetConfiguration())
                .withCompressionCodec(CompressionCodecName.UNCOMPRESSED)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .build()) {
            for (int i = 0; i < rows; i++) {
                writer.write(i);
            }
        }
    }

    /** The items, addressed by row index: the writer's records are the indices. */
    private record Rows(float[] values, int dim, int[] labels, List<String> ids,
            List<String> texts) {}

    private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
        private final Rows rows;

        Builder(OutputFile file, Rows rows) {
            super(file);
            this.rows = rows;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriter(rows);
        }

        @Override
        protected WriteSupport<Integer> getWriteSupport(
                org.apache.hadoop.conf.Configuration conf) {
            return new RowWriter(rows);
        }
    }

    /** Emits row {@code i} field by field, in the schema's order. */
    private static final class RowWriter extends WriteSupport<Integer> {
        private final Rows rows;
        private final MessageType schema;
        private RecordConsumer consumer;

        RowWriter(Rows rows) {
            this.rows = rows;
            this.schema = schema(rows.texts() != null);
        }

        @Override
        public WriteContext init(ParquetConfiguration configuration) {
            return new WriteContext(schema, Map.of(DIM_KEY, Integer.toString(rows.dim())));
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration configuration) {
            return init((ParquetConfiguration) null);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Integer row) {
            int i = row;
            int field = 0;
            consumer.startMessage();
            consumer.startField("id", field);
            consumer.addBinary(Binary.fromString(rows.ids().get(i)));
            consumer.endField("id", field++);
            if (rows.labels()[i] >= 0) { // an absent optional field is null
                consumer.startField("label", field);
                consumer.addInteger(rows.labels()[i]);
                consumer.endField("label", field);
            }
            field++;
            if (rows.texts() != null) {
                String text = rows.texts().get(i);
                if (text != null) {
                    consumer.startField("text", field);
                    consumer.addBinary(Binary.fromString(text));
                    consumer.endField("text", field);
                }
                field++;
            }
            consumer.startField("embedding", field);
            consumer.startGroup();
            consumer.startField("list", 0);
            int start = i * rows.dim();
            for (int j = 0; j < rows.dim(); j++) {
                consumer.startGroup();
                consumer.startField("element", 0);
                consumer.addFloat(rows.values()[start + j]);
                consumer.endField("element", 0);
                consumer.endGroup();
            }
            consumer.endField("list", 0);
            consumer.endGroup();
            consumer.endField("embedding", field);
            consumer.endMessage();
        }
    }

    /** A Parquet output over a stream that is already open (and that the caller closes). */
    private static final class StreamFile implements OutputFile {
        private final OutputStream out;

        StreamFile(OutputStream out) {
            this.out = out;
        }

        @Override
        public PositionOutputStream create(long blockSizeHint) {
            return new PositionOutputStream() {
                private long position;

                @Override
                public long getPos() {
                    return position;
                }

                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    position++;
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                    position += length;
                }

                @Override
                public void flush() throws IOException {
                    out.flush();
                }

                @Override
                public void close() throws IOException {
                    out.flush(); // the stream's owner closes it, after renaming into place
                }
            };
        }

        @Override
        public PositionOutputStream createOrOverwrite(long blockSizeHint) {
            return create(blockSizeHint);
        }

        @Override
        public boolean supportsBlockSize() {
            return false;
        }

        @Override
        public long defaultBlockSize() {
            return 0;
        }
    }
}
