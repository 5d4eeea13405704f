package dev.selfsup.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10ReaderTest {
    private static final int PLANE = 32 * 32;

    @TempDir Path tmp;

    /** One record: label, then R, G, B planes with values derived from (file, record, c, i). */
    private static byte[] record(int label, int file, int record) {
        byte[] bytes = new byte[Cifar10Reader.RECORD_BYTES];
        bytes[0] = (byte) label;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < PLANE; i++) {
                bytes[1 + c * PLANE + i] = value(file, record, c, i);
            }
        }
        return bytes;
    }

    private static byte value(int file, int record, int channel, int index) {
        return (byte) (file * 31 + record * 17 + channel * 101 + index);
    }

    /** Writes batch files 1..5 with {@code perFile} records each and a test file with 3. */
    private static Path writeDataset(Path dir, int perFile) throws IOException {
        Files.createDirectories(dir);
        for (int f = 0; f <= 5; f++) {
            String name = f == 5 ? "test_batch.bin" : "data_batch_" + (f + 1) + ".bin";
            int records = f == 5 ? 3 : perFile;
            byte[] content = new byte[records * Cifar10Reader.RECORD_BYTES];
            for (int r = 0; r < records; r++) {
                System.arraycopy(record((f + r) % 10, f, r), 0, content,
                        r * Cifar10Reader.RECORD_BYTES, Cifar10Reader.RECORD_BYTES);
            }
            Files.write(dir.resolve(name), content);
        }
        return dir;
    }

    @Test
    void readsBinaryRoundTripInFileOrder() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 2);

        DataSplits splits = Cifar10Reader.read(dir);

        assertThat(splits.name()).isEqualTo("cifar10:" + dir.toAbsolutePath());
        assertThat(splits.shapeDescription()).isEqualTo("3x32x32");
        ImageSet train = splits.train();
        assertThat(train.size()).isEqualTo(10);
        assertThat(train.identity()).endsWith(" train (10 images)");
        assertThat(train.classNames()).isEqualTo(Cifar10Reader.CLASSES);
        assertThat(train.labels()).containsExactly(0, 1, 1, 2, 2, 3, 3, 4, 4, 5);
        for (int image = 0; image < 10; image++) {
            int file = image / 2;
            int record = image % 2;
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < PLANE; i += 97) {
                    assertThat(train.pixels()[train.offsetOf(image) + c * PLANE + i])
                            .as("image %d channel %d index %d", image, c, i)
                            .isEqualTo(value(file, record, c, i));
                }
            }
        }
        ImageSet test = splits.test();
        assertThat(test.size()).isEqualTo(3);
        assertThat(test.labels()).containsExactly(5, 6, 7);
        assertThat(Arrays.copyOfRange(test.pixels(), test.offsetOf(2), test.offsetOf(3)))
                .containsExactly(Arrays.copyOfRange(record(7, 5, 2), 1, 3073));
    }

    @Test
    void readsClassNamesFromMetaFile() throws IOException {
        Path dir = writeDataset(tmp.resolve("meta"), 1);
        Files.writeString(dir.resolve("batches.meta.txt"),
                "a\nb\n\nc\nd\ne\nf\ng\nh\ni\nj  \n\n");

        DataSplits splits = Cifar10Reader.read(dir);

        assertThat(splits.train().classNames())
                .containsExactly("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    }

    @Test
    void metaFileWithWrongCountIsReported() throws IOException {
        Path dir = writeDataset(tmp.resolve("meta"), 1);
        Path meta = Files.writeString(dir.resolve("batches.meta.txt"), "cat\ndog\n");

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(meta.toString())
                .hasMessageContaining("must list 10 class names, one per line, found 2");
    }

    @Test
    void findsTheArchiveSubfolder() throws IOException {
        writeDataset(tmp.resolve("cifar-10-batches-bin"), 1);

        DataSplits splits = Cifar10Reader.read(tmp);

        assertThat(splits.train().size()).isEqualTo(5);
        assertThat(splits.name()).endsWith("cifar-10-batches-bin");
    }

    @Test
    void lengthNotAMultipleOfRecordsIsReported() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 2);
        Path file = dir.resolve("data_batch_3.bin");
        Files.write(file, new byte[2 * 3073 + 100]);

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("not a multiple of 3073-byte records")
                .hasMessageContaining("record 2 is truncated to 100 of 3073 bytes")
                .hasMessageContaining("found 6246 bytes");
    }

    @Test
    void emptyFileIsReported() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 2);
        Path file = Files.write(dir.resolve("test_batch.bin"), new byte[0]);

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("found 0 bytes");
    }

    @Test
    void badLabelNamesFileAndRecord() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 3);
        Path file = dir.resolve("data_batch_2.bin");
        byte[] content = Files.readAllBytes(file);
        content[2 * 3073] = 10;
        Files.write(file, content);

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("record 2: label must be in 0..9, found 10");
    }

    @Test
    void missingFileNamesDirectoryAndExpectedFiles() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 1);
        Files.delete(dir.resolve("data_batch_4.bin"));

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("missing data_batch_4.bin")
                .hasMessageContaining("data_batch_1.bin")
                .hasMessageContaining("test_batch.bin")
                .hasMessageContaining("cifar-10-binary.tar.gz");
    }

    @Test
    void pickledDirectoryIsRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("cifar-10-batches-py"));
        for (String name : List.of("data_batch_1", "data_batch_2", "test_batch",
                "batches.meta")) {
            Files.write(dir.resolve(name), new byte[] {(byte) 0x80, 2, '}', 'q'});
        }

        for (Path given : List.of(dir, tmp)) {
            assertThatThrownBy(() -> Cifar10Reader.read(given))
                    .isInstanceOf(DataFormatException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining("this is the Python (pickle) version")
                    .hasMessageContaining("binary version cifar-10-binary.tar.gz")
                    .hasMessageContaining("data_batch_1.bin");
        }
    }

    @Test
    void pickleBytesUnderBinaryNamesAreRefused() throws IOException {
        Path dir = writeDataset(tmp.resolve("cifar"), 1);
        Path file = dir.resolve("data_batch_1.bin");
        Files.write(file, new byte[] {(byte) 0x80, 2, '}', 'q', 0, 0, 0});

        assertThatThrownBy(() -> Cifar10Reader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("pickle protocol byte 0x80")
                .hasMessageContaining("binary version cifar-10-binary.tar.gz");
    }
}
