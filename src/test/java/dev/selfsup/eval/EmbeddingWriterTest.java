package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import dev.selfsup.testing.ParquetRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingWriterTest {
    @TempDir
    Path dir;

    @Test
    void npyHeaderHasTheExactFormat10Bytes() {
        byte[] header = EmbeddingWriter.npyHeader("<f4", 3, 4);

        // what numpy.save writes for np.zeros((3, 4), np.float32)
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
        assertThat(header).hasSize(128);
        assertThat(Arrays.copyOf(header, 8)).containsExactly(
                (byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0);
        int headerLength = (header[8] & 0xFF) | (header[9] & 0xFF) << 8;
        assertThat(headerLength).isEqualTo(128 - 10);
        String text = new String(header, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(text).startsWith(dict).endsWith("\n");
        assertThat(text.substring(dict.length(), text.length() - 1)).isBlank();

        byte[] vector = EmbeddingWriter.npyHeader("<i8", 7);
        assertThat(vector).hasSize(128); // 10 + 57 + newline does not fit in 64
        assertThat(new String(vector, 10, 118, StandardCharsets.US_ASCII))
                .startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (7,), }")
                .endsWith(" \n");
    }

    @Test
    void npyHeaderAlignsTheDataTo64BytesForAnyShape() {
        for (long rows : new long[] {0, 1, 9, 10, 12345, 1L << 40}) {
            for (long dim : new long[] {1, 64, 2048, 99999}) {
                byte[] header = EmbeddingWriter.npyHeader("<f4", rows, dim);
                assertThat(header.length % 64).as("%d x %d", rows, dim).isZero();
                assertThat(header[header.length - 1]).isEqualTo((byte) '\n');
                int headerLength = (header[8] & 0xFF) | (header[9] & 0xFF) << 8;
                assertThat(headerLength + 10).isEqualTo(header.length);
            }
        }
    }

    @Test
    void npyRoundTripsValuesAndLabels() throws Exception {
        int rows = 37;
        int dim = 9;
        float[] values = randomValues(rows * dim, 1);
        values[5] = Float.NaN;
        values[6] = Float.NEGATIVE_INFINITY;
        values[7] = -0f;
        values[8] = Float.MIN_VALUE;
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % 10;
        }
        labels[3] = -1;
        Path file = dir.resolve("out/emb.npy");

        EmbeddingWriter.write(file, values, rows, dim, labels);

        Npy embeddings = Npy.read(file);
        assertThat(embeddings.descr()).isEqualTo("<f4");
        assertThat(embeddings.shape()).containsExactly((long) rows, (long) dim);
        assertThat(embeddings.dataOffset() % 64).isZero();
        assertThat(embeddings.floats()).isEqualTo(values); // bitwise, NaN included
        Path labelsFile = dir.resolve("out/emb.labels.npy");
        assertThat(EmbeddingWriter.labelsPath(file)).isEqualTo(labelsFile);
        Npy labelArray = Npy.read(labelsFile);
        assertThat(labelArray.descr()).isEqualTo("<i8");
        assertThat(labelArray.shape()).containsExactly((long) rows);
        assertThat(labelArray.longs()).containsExactly(
                Arrays.stream(labels).asLongStream().toArray());
        assertThat(Files.size(file)).isEqualTo(128 + 4L * rows * dim);
        assertNoTemporaryFiles();
    }

    @Test
    void emptyMatrixIsAValidNpy() throws Exception {
        Path file = dir.resolve("empty.npy");
        EmbeddingWriter.write(file, new float[0], 0, 16, new int[0]);

        Npy embeddings = Npy.read(file);
        assertThat(embeddings.shape()).containsExactly(0L, 16L);
        assertThat(embeddings.floats()).isEmpty();
        assertThat(Npy.read(dir.resolve("empty.labels.npy")).shape()).containsExactly(0L);
    }

    @Test
    void csvHasAHeaderAndOneLinePerRow() throws Exception {
        float[] values = {0.5f, -1.25f, 3f, 1e-8f, Float.NaN, 123456.79f};
        Path file = dir.resolve("emb.CSV");

        EmbeddingWriter.write(file, values, 2, 3, new int[] {7, -1});

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).containsExactly(
                "label,e0,e1,e2",
                "7,0.5,-1.25,3.0",
                "-1,1.0E-8,NaN,123456.79");
        assertThat(dir.resolve("emb.labels.npy")).doesNotExist();
        // values parse back exactly
        float[] parsed = new float[6];
        for (int i = 0; i < 2; i++) {
            String[] cells = lines.get(i + 1).split(",");
            for (int j = 0; j < 3; j++) {
                parsed[i * 3 + j] = Float.parseFloat(cells[j + 1]);
            }
        }
        assertThat(parsed).isEqualTo(values);
    }

    @Test
    void parquetReadsBackInDuckDbWithIdsLabelsAndFloatLists() throws Exception {
        float[] values = randomValues(5 * 3, 11);
        values[4] = Float.NaN;
        values[7] = -0f;
        Path file = dir.resolve("out/emb.parquet");
        EmbeddingWriter.write(file, values, 5, 3, new int[] {2, -1, 0, 9, 1},
                List.of("test/0", "test/1", "test/2", "test/3", "caf\u00e9/4"), null);

        List<ParquetRow> rows = ParquetRow.read(file);
        assertThat(rows).extracting(ParquetRow::id)
                .containsExactly("test/0", "test/1", "test/2", "test/3", "caf\u00e9/4");
        assertThat(rows).extracting(ParquetRow::label).containsExactly(2, null, 0, 9, 1);
        assertThat(rows).extracting(ParquetRow::text).containsOnlyNulls();
        float[] read = new float[15];
        for (int i = 0; i < 5; i++) {
            System.arraycopy(rows.get(i).embedding(), 0, read, i * 3, 3);
        }
        assertThat(read).isEqualTo(values); // bit for bit: NaN and -0 included
        assertThat(Float.floatToRawIntBits(read[7])).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(ParquetRow.columnTypes(file)).containsExactly("id VARCHAR", "label INTEGER",
                "embedding FLOAT[]");
        assertNoTemporaryFiles();
    }

    @Test
    void parquetOfTextHasATextColumnAndTheOldSignatureNumbersTheRows() throws Exception {
        Path texts = dir.resolve("t.parquet");
        EmbeddingWriter.write(texts, new float[] {1, 2, 3, 4}, 2, 2, new int[] {0, 1},
                List.of("train/0", "train/1"), List.of("A first line.", "and \"a second\""));
        List<ParquetRow> rows = ParquetRow.read(texts);
        assertThat(rows).extracting(ParquetRow::text)
                .containsExactly("A first line.", "and \"a second\"");
        assertThat(ParquetRow.columnTypes(texts)).contains("text VARCHAR");

        Path numbered = dir.resolve("n.PARQUET");
        EmbeddingWriter.write(numbered, new float[] {1, 2, 3}, 3, 1, new int[] {-1, -1, -1});
        assertThat(ParquetRow.read(numbered)).extracting(ParquetRow::id)
                .containsExactly("0", "1", "2");
        Path empty = dir.resolve("e.parquet");
        EmbeddingWriter.write(empty, new float[0], 0, 4, new int[0]);
        assertThat(ParquetRow.read(empty)).isEmpty();
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("x.parquet"),
                new float[2], 2, 1, new int[2], List.of("a"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one id per row (2), found 1");
        assertThat(dir.resolve("x.parquet")).doesNotExist();
    }

    @Test
    void rewritingReplacesTheFile() throws Exception {
        Path file = dir.resolve("emb.npy");
        EmbeddingWriter.write(file, randomValues(40, 2), 10, 4, new int[10]);
        float[] second = randomValues(6, 3);
        EmbeddingWriter.write(file, second, 3, 2, new int[] {1, 2, 3});

        assertThat(Npy.read(file).floats()).isEqualTo(second);
        assertThat(Npy.read(dir.resolve("emb.labels.npy")).longs()).containsExactly(1, 2, 3);
        assertNoTemporaryFiles();
    }

    @Test
    void badArgumentsAreRejected() {
        float[] values = new float[6];
        int[] labels = new int[2];
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("emb.txt"), values, 2, 3,
                labels)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("emb.txt").hasMessageContaining(".npy, .csv or .parquet");
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("npy"), values, 2, 3,
                labels)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + dir.resolve("npy") + "'");
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("e.npy"), values, 3, 3,
                labels)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows * dim = 9 values, found 6");
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("e.npy"), values, 2, 3,
                new int[3])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one label per row (2), found 3");
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("e.npy"), values, -1, 3,
                labels)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rows must be >= 0, found -1");
        assertThatThrownBy(() -> EmbeddingWriter.write(dir.resolve("e.npy"), new float[0], 2,
                0, labels)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dim must be >= 1, found 0");
        assertThat(dir.resolve("e.npy")).doesNotExist();
    }

    private static float[] randomValues(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * 3);
        }
        return values;
    }

    private void assertNoTemporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".tmp"));
        }
    }

    /** A minimal reader of NumPy format 1.0 files, C order, little-endian f4 or i8. */
    record Npy(String descr, long[] shape, int dataOffset, ByteBuffer data) {
        private static final Pattern HEADER = Pattern.compile(
                "\\{'descr': '([<>|][a-z][0-9]+)', 'fortran_order': (True|False), "
                        + "'shape': \\(((?:\\d+, )*\\d*),?\\), \\} *\\n");

        static Npy read(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            byte[] magic = new byte[6];
            buffer.get(magic);
            if (!Arrays.equals(magic, new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'})) {
                throw new IOException(file + ": not a .npy file");
            }
            int major = buffer.get();
            int minor = buffer.get();
            if (major != 1 || minor != 0) {
                throw new IOException(file + ": npy version " + major + "." + minor);
            }
            int headerLength = buffer.getShort() & 0xFFFF;
            String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
            Matcher matcher = HEADER.matcher(header);
            if (!matcher.matches()) {
                throw new IOException(file + ": bad header " + header);
            }
            if (matcher.group(2).equals("True")) {
                throw new IOException(file + ": Fortran order");
            }
            long[] shape = matcher.group(3).isEmpty() ? new long[0]
                    : Arrays.stream(matcher.group(3).split(", ")).mapToLong(Long::parseLong)
                            .toArray();
            int offset = 10 + headerLength;
            long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            int itemSize = Integer.parseInt(matcher.group(1).substring(2));
            if (bytes.length - offset != count * itemSize) {
                throw new IOException(file + ": " + (bytes.length - offset)
                        + " data bytes for shape " + Arrays.toString(shape));
            }
            ByteBuffer data = ByteBuffer.wrap(bytes, offset, bytes.length - offset).slice()
                    .order(ByteOrder.LITTLE_ENDIAN);
            return new Npy(matcher.group(1), shape, offset, data);
        }

        float[] floats() {
            assertThat(descr).isEqualTo("<f4");
            float[] values = new float[data.remaining() / 4];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
            return values;
        }

        long[] longs() {
            assertThat(descr).isEqualTo("<i8");
            long[] values = new long[data.remaining() / 8];
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(values);
            return values;
        }
    }
}
