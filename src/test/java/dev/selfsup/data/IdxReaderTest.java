package dev.selfsup.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    @TempDir Path tmp;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsDirectoryRoundTrip(boolean gzip) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("mnist"));
        IdxFiles.writeDataset(dir, 5, 3, 4, 6, gzip);

        DataSplits splits = IdxReader.read(dir);

        assertThat(splits.name()).isEqualTo("idx:" + dir.toAbsolutePath());
        assertThat(splits.shapeDescription()).isEqualTo("1x4x6");
        ImageSet train = splits.train();
        assertThat(train.identity()).isEqualTo("idx:" + dir.toAbsolutePath() + " train (5 images)");
        assertThat(splits.test().identity()).endsWith(" test (3 images)");
        assertThat(train.size()).isEqualTo(5);
        assertThat(splits.test().size()).isEqualTo(3);
        assertThat(train.classNames()).isEqualTo(IdxReader.DIGIT_CLASSES);
        for (int i = 0; i < train.pixels().length; i++) {
            assertThat(train.pixels()[i]).as("train pixel %d", i).isEqualTo(IdxFiles.pixel(0, i));
        }
        for (int i = 0; i < splits.test().pixels().length; i++) {
            assertThat(splits.test().pixels()[i]).isEqualTo(IdxFiles.pixel(1, i));
        }
        assertThat(train.labels()).containsExactly(0, 1, 2, 3, 4);
        assertThat(splits.test().labels()).containsExactly(1, 2, 3);
    }

    @Test
    void fashionDirectoryGetsFashionClassNames() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("Data/FASHION-mnist"));
        IdxFiles.writeDataset(dir, 2, 2, 2, 2, true);

        DataSplits splits = IdxReader.read(dir);

        assertThat(splits.train().classNames()).hasSize(10).startsWith("T-shirt/top", "Trouser")
                .endsWith("Bag", "Ankle boot");
        assertThat(splits.test().classNames()).isEqualTo(IdxReader.FASHION_MNIST_CLASSES);
    }

    @Test
    void acceptsDotVariantNamesAndDetectsGzipByContent() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("dots"));
        byte[] pixels = {0, 1, 2, (byte) 255};
        // gzipped content under a plain name, plain content under a .gz name
        IdxFiles.writeImages(dir.resolve("train-images.idx3-ubyte"), 2, 2, pixels, true);
        IdxFiles.writeLabels(dir.resolve("train-labels.idx1-ubyte.gz"), new int[] {9}, false);
        IdxFiles.writeImages(dir.resolve("t10k-images-idx3-ubyte"), 2, 2, pixels, false);
        IdxFiles.writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), new int[] {3}, true);

        DataSplits splits = IdxReader.read(dir);

        assertThat(splits.train().pixel(3)).isEqualTo(255);
        assertThat(splits.train().labels()).containsExactly(9);
        assertThat(splits.test().labels()).containsExactly(3);
    }

    @Test
    void readImagesReturnsShapeAndRowMajorPixels() throws IOException {
        byte[] pixels = new byte[2 * 3 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (200 + i);
        }
        Path file = IdxFiles.writeImages(tmp.resolve("images"), 3, 2, pixels, false);

        IdxReader.Images images = IdxReader.readImages(file);

        assertThat(images.count()).isEqualTo(2);
        assertThat(images.height()).isEqualTo(3);
        assertThat(images.width()).isEqualTo(2);
        assertThat(images.pixels()).containsExactly(pixels);
    }

    @Test
    void missingFileNamesDirectoryAndExpectedFiles() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("partial"));
        IdxFiles.writeDataset(dir, 2, 2, 2, 2, false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));

        assertThatThrownBy(() -> IdxReader.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("missing t10k-labels-idx1-ubyte[.gz]")
                .hasMessageContaining("train-images-idx3-ubyte")
                .hasMessageContaining("t10k-images-idx3-ubyte");
    }

    @Test
    void missingDirectoryIsNamed() {
        Path dir = tmp.resolve("nowhere");

        assertThatThrownBy(() -> IdxReader.read(dir))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("no such directory");
    }

    @Test
    void badMagicIsReported() throws IOException {
        Path file = IdxFiles.write(tmp.resolve("junk-idx3-ubyte"),
                IdxFiles.bytes(0x12345678, new int[] {1, 1, 1}, new byte[1]), false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContaining("magic number must be 0x00000803, found 0x12345678");
    }

    @Test
    void labelFileGivenAsImagesIsReported() throws IOException {
        Path file = IdxFiles.writeLabels(tmp.resolve("labels"), new int[] {1, 2}, false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("found 0x00000801 (an idx label file)");
    }

    @Test
    void wrongDataTypeIsNamed() throws IOException {
        Path file = IdxFiles.write(tmp.resolve("floats.gz"),
                IdxFiles.bytes(0x00000D03, new int[] {1, 1, 1}, new byte[4]), true);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("must be 0x08 (unsigned byte), found 0x0D (float)");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedImagesAreReported(boolean gzip) throws IOException {
        Path file = IdxFiles.write(tmp.resolve("short"),
                IdxFiles.bytes(IdxReader.IMAGES_MAGIC, new int[] {3, 2, 2}, new byte[10]), gzip);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated: expected 12 bytes of image data, found 10");
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Path file = IdxFiles.write(tmp.resolve("header"), new byte[] {0, 0, 8, 3, 0, 0}, false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("truncated idx header");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void trailingBytesAreReported(boolean gzip) throws IOException {
        Path file = IdxFiles.write(tmp.resolve("long"),
                IdxFiles.bytes(IdxReader.LABELS_MAGIC, new int[] {2}, new byte[] {1, 2, 3, 4}),
                gzip);

        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("trailing bytes")
                .hasMessageContaining("after 2 bytes of label data, found 2 more");
    }

    @Test
    void zeroDimensionIsRefused() throws IOException {
        Path file = IdxFiles.write(tmp.resolve("empty-rows"),
                IdxFiles.bytes(IdxReader.IMAGES_MAGIC, new int[] {1, 0, 5}, new byte[0]), false);

        assertThatThrownBy(() -> IdxReader.readImages(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("rows must be in 1..2147483647, found 0");
    }

    @Test
    void hugeDimensionsAreRefusedWithoutOverflowOrAllocation() throws IOException {
        // 0x7fffffff^3 overflows a long; 65536 x 65536 x 1 exceeds one array
        Path overflow = IdxFiles.write(tmp.resolve("overflow"), IdxFiles.bytes(
                IdxReader.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE,
                    Integer.MAX_VALUE}, new byte[0]), false);
        Path big = IdxFiles.write(tmp.resolve("big"), IdxFiles.bytes(
                IdxReader.IMAGES_MAGIC, new int[] {65536, 65536, 1}, new byte[0]), false);
        Path negative = IdxFiles.write(tmp.resolve("negative"), IdxFiles.bytes(
                IdxReader.IMAGES_MAGIC, new int[] {-1, 2, 2}, new byte[0]), false);

        assertThatThrownBy(() -> IdxReader.readImages(overflow))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("image data must fit in one Java array")
                .hasMessageContaining("2147483647 x 2147483647 x 2147483647");
        assertThatThrownBy(() -> IdxReader.readImages(big))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("found 65536 x 65536 x 1 bytes");
        assertThatThrownBy(() -> IdxReader.readImages(negative))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("image count must be in 1..2147483647, found 4294967295");
    }

    @Test
    void labelOutOfRangeNamesRecord() throws IOException {
        Path file = IdxFiles.writeLabels(tmp.resolve("labels"), new int[] {0, 9, 3, 12, 4}, true);

        assertThatThrownBy(() -> IdxReader.readLabels(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("record 3: label must be in 0..9, found 12");
    }

    @Test
    void countMismatchNamesBothFilesAndCounts() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("mismatch"));
        IdxFiles.writeDataset(dir, 4, 2, 2, 2, false);
        Path labels = IdxFiles.writeLabels(dir.resolve("train-labels-idx1-ubyte"),
                new int[] {1, 2, 3}, false);

        assertThatThrownBy(() -> IdxReader.read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(labels.toString())
                .hasMessageContaining(dir.resolve("train-images-idx3-ubyte").toString())
                .hasMessageContaining("label count must equal the image count")
                .hasMessageContaining("(4), found 3");
    }

    @Test
    void corruptGzipIsReported() throws IOException {
        Path good = IdxFiles.write(tmp.resolve("good.gz"), IdxFiles.bytes(
                IdxReader.IMAGES_MAGIC, new int[] {4, 8, 8}, new byte[256]), true);
        byte[] content = Files.readAllBytes(good);
        Path cut = Files.write(tmp.resolve("cut.gz"), Arrays.copyOf(content, content.length / 2));

        assertThatThrownBy(() -> IdxReader.readImages(cut))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(cut.toString());
    }
}
