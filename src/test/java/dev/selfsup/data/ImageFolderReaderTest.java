package dev.selfsup.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.ImageFolderReader.ColorMode;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntBinaryOperator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {
    @TempDir Path tmp;

    /** Writes an RGB PNG whose pixel (x, y) is {@code rgb.applyAsInt(x, y)} (0xRRGGBB). */
    private static Path writeRgb(Path file, int width, int height, IntBinaryOperator rgb)
            throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb.applyAsInt(x, y));
            }
        }
        return write(image, file);
    }

    /** Writes a gray PNG whose stored value at (x, y) is {@code gray.applyAsInt(x, y)}. */
    private static Path writeGray(Path file, int width, int height, IntBinaryOperator gray)
            throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        WritableRaster raster = image.getRaster();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setSample(x, y, 0, gray.applyAsInt(x, y));
            }
        }
        return write(image, file);
    }

    private static Path write(BufferedImage image, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString().toLowerCase();
        String format = name.endsWith(".png") ? "png" : "jpeg";
        assertThat(ImageIO.write(image, format, file.toFile())).as("wrote " + file).isTrue();
        return file;
    }

    private static Path uniform(Path file, int rgb) throws IOException {
        return writeRgb(file, 3, 3, (x, y) -> rgb);
    }

    private static int[] image(ImageSet set, int index) {
        int[] values = new int[set.imageVolume()];
        for (int i = 0; i < values.length; i++) {
            values[i] = set.pixel(set.offsetOf(index) + i);
        }
        return values;
    }

    @Test
    void trainTestLayoutRoundTripsPixelsLabelsAndOrder() throws IOException {
        // pixel (x, y) = (R, G, B) = (10 * x + y, 100 + n, 200 - y)
        for (String file : List.of("train/cat/b.png", "train/cat/a.png", "train/dog/c.png",
                "test/dog/e.png", "test/cat/d.png")) {
            int n = file.charAt(file.length() - 5) - 'a';
            writeRgb(tmp.resolve(file), 3, 3, (x, y) -> ((10 * x + y) << 16)
                    | ((100 + n) << 8) | (200 - y));
        }

        DataSplits splits = ImageFolderReader.read(tmp, 3, ColorMode.AUTO);

        assertThat(splits.name()).isEqualTo("folder:" + tmp.toAbsolutePath());
        ImageSet train = splits.train();
        ImageSet test = splits.test();
        assertThat(train.identity()).endsWith(" train (3 images, 3x3x3)");
        assertThat(train.channels()).isEqualTo(3);
        assertThat(train.classNames()).containsExactly("cat", "dog");
        assertThat(test.classNames()).containsExactly("cat", "dog");
        assertThat(train.labels()).containsExactly(0, 0, 1);
        assertThat(test.labels()).containsExactly(0, 1);
        // order: cat/a, cat/b, dog/c; test: cat/d, dog/e
        int[] expectedN = {0, 1, 2};
        for (int i = 0; i < 3; i++) {
            int[] pixels = image(train, i);
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 3; x++) {
                    int at = y * 3 + x;
                    assertThat(pixels[at]).isEqualTo(10 * x + y);
                    assertThat(pixels[9 + at]).isEqualTo(100 + expectedN[i]);
                    assertThat(pixels[18 + at]).isEqualTo(200 - y);
                }
            }
        }
        assertThat(image(test, 0)[9]).isEqualTo(103);
        assertThat(image(test, 1)[9]).isEqualTo(104);
    }

    @Test
    void testClassesAreMappedOntoTrainClassNames() throws IOException {
        uniform(tmp.resolve("train/ant/1.png"), 0x010101);
        uniform(tmp.resolve("train/bee/1.png"), 0x020202);
        uniform(tmp.resolve("train/cow/1.png"), 0x030303);
        uniform(tmp.resolve("test/cow/1.png"), 0x030303);

        DataSplits splits = ImageFolderReader.read(tmp, 3, ColorMode.RGB);

        assertThat(splits.test().classNames()).containsExactly("ant", "bee", "cow");
        assertThat(splits.test().labels()).containsExactly(2);
    }

    @Test
    void grayImagesStayExactInAutoAndRepeatInRgb() throws IOException {
        writeGray(tmp.resolve("train/one.png"), 4, 4, (x, y) -> 16 * y + x);
        writeGray(tmp.resolve("test/two.png"), 4, 4, (x, y) -> 255 - x);

        DataSplits auto = ImageFolderReader.read(tmp, 4, ColorMode.AUTO);
        DataSplits rgb = ImageFolderReader.read(tmp, 4, ColorMode.RGB);

        assertThat(auto.shapeDescription()).isEqualTo("1x4x4");
        assertThat(auto.train().isLabelled()).isFalse();
        assertThat(auto.train().classNames()).isEmpty();
        assertThat(auto.train().labels()).containsExactly(ImageSet.UNLABELLED);
        int[] one = image(auto.train(), 0);
        int[] two = image(auto.test(), 0);
        for (int i = 0; i < 16; i++) {
            assertThat(one[i]).isEqualTo(16 * (i / 4) + i % 4);
            assertThat(two[i]).isEqualTo(255 - i % 4);
        }
        assertThat(rgb.shapeDescription()).isEqualTo("3x4x4");
        int[] repeated = image(rgb.train(), 0);
        for (int c = 0; c < 3; c++) {
            assertThat(Arrays.copyOfRange(repeated, c * 16, c * 16 + 16)).containsExactly(one);
        }
    }

    @Test
    void colourBecomesLumaInGrayMode() throws IOException {
        uniform(tmp.resolve("train/x/a.png"), 0xC86432); // (200, 100, 50)
        uniform(tmp.resolve("test/x/a.png"), 0x0000FF);

        DataSplits splits = ImageFolderReader.read(tmp, 3, ColorMode.GRAY);

        assertThat(splits.train().channels()).isEqualTo(1);
        // 0.299 * 200 + 0.587 * 100 + 0.114 * 50 = 124.2
        assertThat(image(splits.train(), 0)).containsOnly(124);
        assertThat(image(splits.test(), 0)).containsOnly(29); // 0.114 * 255 = 29.07
    }

    @Test
    void autoIsRgbWhenAnyImageIsColour() throws IOException {
        writeGray(tmp.resolve("train/x/gray.png"), 3, 3, (x, y) -> 77);
        uniform(tmp.resolve("test/x/red.png"), 0xFF0000);

        DataSplits splits = ImageFolderReader.read(tmp, 3, ColorMode.AUTO);

        assertThat(splits.train().channels()).isEqualTo(3);
        assertThat(image(splits.train(), 0)).containsOnly(77);
        int[] red = image(splits.test(), 0);
        assertThat(red).startsWith(255, 255, 255).endsWith(0, 0, 0);
    }

    @Test
    void sixteenBitAndPaletteGrayAreScaledToBytes() throws IOException {
        BufferedImage deep = new BufferedImage(2, 2, BufferedImage.TYPE_USHORT_GRAY);
        BufferedImage binary = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_BINARY);
        for (int i = 0; i < 2; i++) {
            deep.getRaster().setSample(i, i, 0, 65535);
            deep.getRaster().setSample(1 - i, i, 0, 32896); // 128 * 257
            binary.setRGB(i, i, 0xFFFFFF);
        }
        write(deep, tmp.resolve("train/a/deep.png"));
        write(binary, tmp.resolve("test/a/binary.png"));

        DataSplits splits = ImageFolderReader.read(tmp, 1, ColorMode.AUTO);

        assertThat(splits.train().channels()).isEqualTo(1);
        // shorter side 1: each 2x2 image averages to one pixel
        assertThat(splits.train().pixel(0)).isEqualTo(192); // (255 + 128) / 2 = 191.5
        assertThat(splits.test().pixel(0)).isEqualTo(128); // (255 + 0) / 2 = 127.5
    }

    @Test
    void shrinksShorterSideByAreaAverageAndCropsCentre() throws IOException {
        // 8 wide, 4 high; 2x2 blocks with value 10 * blockX + blockY (+ a 0..1 ripple)
        writeGray(tmp.resolve("s/a.png"), 8, 4, (x, y) -> 10 * (x / 2) + 40 * (y / 2) + (x % 2));
        writeGray(tmp.resolve("s/b.png"), 8, 4, (x, y) -> 0);

        DataSplits splits = ImageFolderReader.read(tmp.resolve("s"), 2, ColorMode.GRAY);
        ImageSet set = splits.train().labels().length == 1 && splits.train().pixel(0) != 0
                ? splits.train() : splits.test();

        // resized to 4x2 (blocks 0..3 by 0..1), centre crop keeps blocks 1 and 2;
        // each block's average is its base value + 0.5, which rounds up
        assertThat(image(set, 0)).containsExactly(11, 21, 51, 61);
    }

    @Test
    void enlargesBilinearlyWithClampedEdges() throws IOException {
        writeGray(tmp.resolve("train/x/a.png"), 2, 2, (x, y) -> x == 0 ? 0 : 200);
        writeGray(tmp.resolve("test/x/a.png"), 2, 2, (x, y) -> 50);

        DataSplits splits = ImageFolderReader.read(tmp, 4, ColorMode.GRAY);

        // output column j samples source x = (j + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25
        int[] row = {0, 50, 150, 200};
        int[] pixels = image(splits.train(), 0);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                assertThat(pixels[y * 4 + x]).as("(%d, %d)", x, y).isEqualTo(row[x]);
            }
        }
        assertThat(image(splits.test(), 0)).containsOnly(50);
    }

    @Test
    void flatFolderHoldsOutADeterministicFifthPerClass() throws IOException {
        for (String label : List.of("cat", "dog")) {
            for (int i = 0; i < 10; i++) {
                int value = (label.equals("cat") ? 0 : 100) + i;
                uniform(tmp.resolve(label + "/img" + i + ".png"), value * 0x010101);
            }
        }

        DataSplits first = ImageFolderReader.read(tmp, 3, ColorMode.AUTO);
        DataSplits second = ImageFolderReader.read(tmp, 3, ColorMode.AUTO);

        assertThat(first.train().size()).isEqualTo(16);
        assertThat(first.test().size()).isEqualTo(4);
        assertThat(first.test().labelHistogram()).containsExactly(2, 2);
        assertThat(first.train().labelHistogram()).containsExactly(8, 8);
        assertThat(first.train().pixels()).isEqualTo(second.train().pixels());
        assertThat(first.test().pixels()).isEqualTo(second.test().pixels());
        Set<Integer> seen = new HashSet<>();
        List<Integer> trainValues = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            trainValues.add(first.train().pixel(first.train().offsetOf(i)));
        }
        assertThat(trainValues).isSorted(); // file order is kept within a split
        seen.addAll(trainValues);
        List<Integer> testValues = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            testValues.add(first.test().pixel(first.test().offsetOf(i)));
        }
        seen.addAll(testValues);
        assertThat(seen).hasSize(20); // disjoint and complete
        // pinned: the hash of the relative paths is part of the on-disk contract
        assertThat(testValues).containsExactly(1, 7, 101, 103);
    }

    @Test
    void splitHashIsStable() {
        assertThat(ImageFolderReader.splitHash("cat/img0.png"))
                .isEqualTo(ImageFolderReader.splitHash("cat/img0.png"))
                .isNotEqualTo(ImageFolderReader.splitHash("cat/img1.png"));
    }

    @Test
    void skipsHiddenAndOtherFilesAndMatchesExtensionsInAnyCase() throws IOException {
        uniform(tmp.resolve("train/a/ONE.PNG"), 0x111111);
        uniform(tmp.resolve("train/a/two.JPEG"), 0x111111);
        Files.writeString(tmp.resolve("train/a/notes.txt"), "not an image");
        Files.writeString(tmp.resolve("train/a/.hidden.png"), "not an image either");
        Files.createDirectories(tmp.resolve("train/.cache"));
        Files.writeString(tmp.resolve("train/.cache/x.png"), "junk");
        Files.writeString(tmp.resolve("train/.DS_Store"), "junk");
        uniform(tmp.resolve("test/a/x.jpg"), 0x111111);

        DataSplits splits = ImageFolderReader.read(tmp, 3, ColorMode.AUTO);

        assertThat(splits.train().size()).isEqualTo(2);
        assertThat(splits.train().classNames()).containsExactly("a");
        assertThat(splits.test().size()).isEqualTo(1);
    }

    @Test
    void decodesJpegsIncludingCmyk() throws IOException {
        write(solid(BufferedImage.TYPE_INT_RGB, 8, 8, 0x4080C0), tmp.resolve("train/x/rgb.jpg"));
        writeAdobeCmykJpeg(tmp.resolve("test/x/cmyk.jpg"), 8, 8);

        DataSplits splits = ImageFolderReader.read(tmp, 8, ColorMode.RGB);

        assertThat(splits.shapeDescription()).isEqualTo("3x8x8");
        int[] rgb = image(splits.train(), 0);
        assertThat(rgb[0]).isBetween(0x40 - 4, 0x40 + 4);
        assertThat(rgb[64]).isBetween(0x80 - 4, 0x80 + 4);
        assertThat(rgb[128]).isBetween(0xC0 - 4, 0xC0 + 4);
        // pure magenta ink: R and B stay high, G drops
        int[] magenta = image(splits.test(), 0);
        assertThat(magenta[0]).isGreaterThan(200);
        assertThat(magenta[64]).isLessThan(60);
        assertThat(magenta[128]).isGreaterThan(200);
    }

    private static BufferedImage solid(int type, int width, int height, int rgb) {
        BufferedImage image = new BufferedImage(width, height, type);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /**
     * A 4-channel JPEG written from a raster, with an Adobe APP14 marker (transform 0) that makes
     * it an Adobe CMYK JPEG; Adobe stores inverted ink, so (255, 0, 255, 255) is pure magenta.
     */
    private static void writeAdobeCmykJpeg(Path file, int width, int height)
            throws IOException {
        Files.createDirectories(file.getParent());
        WritableRaster raster = WritableRaster.createInterleavedRaster(
                DataBuffer.TYPE_BYTE, width, height, 4, null);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                raster.setPixel(x, y, new int[] {255, 0, 255, 255});
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(buffer)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            writer.write(null, new IIOImage(raster, null, null), param);
        } finally {
            writer.dispose();
        }
        byte[] jpeg = buffer.toByteArray();
        byte[] adobe = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0,
            0, 0, 0};
        byte[] content = new byte[jpeg.length + adobe.length];
        System.arraycopy(jpeg, 0, content, 0, 2); // SOI
        System.arraycopy(adobe, 0, content, 2, adobe.length);
        System.arraycopy(jpeg, 2, content, 2 + adobe.length, jpeg.length - 2);
        Files.write(file, content);
    }

    @Test
    void undecodableImageIsNamed() throws IOException {
        uniform(tmp.resolve("train/a/good.png"), 0);
        Path bad = tmp.resolve("train/a/bad.png");
        Files.writeString(bad, "this is not a png");
        uniform(tmp.resolve("test/a/good.png"), 0);

        assertThatThrownBy(() -> ImageFolderReader.read(tmp, 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(bad.toString())
                .hasMessageContaining("cannot decode image");
    }

    @Test
    void truncatedPngIsNamed() throws IOException {
        Path good = uniform(tmp.resolve("flat/a.png"), 0x123456);
        byte[] bytes = Files.readAllBytes(good);
        Path cut = Files.write(tmp.resolve("flat/b.png"),
                Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("flat"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(cut.toString())
                .hasMessageContaining("cannot decode image");
    }

    @Test
    void truncatedJpegIsNamedButAMissingEndMarkerIsRead() throws IOException {
        // noise, so that most of the file is the scan's data, not its header
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        BufferedImage noise = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Path good = write(noise, tmp.resolve("flat/a.jpg"));
        byte[] bytes = Files.readAllBytes(good);
        assertThat(bytes.length).isGreaterThan(4000);
        // ImageIO's JPEG decoder only warns about missing data and fills the rest in gray
        Path cut = Files.write(tmp.resolve("flat/b.jpg"), Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("flat"), 8, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(cut.toString())
                .hasMessageContaining("truncated");

        // without only its end marker (FF D9) every pixel is there: read, equal to the whole file
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 2));
        DataSplits splits = ImageFolderReader.read(tmp.resolve("flat"), 8, ColorMode.AUTO);
        List<int[]> images = new ArrayList<>();
        for (ImageSet set : List.of(splits.train(), splits.test())) {
            for (int i = 0; i < set.size(); i++) {
                images.add(image(set, i));
            }
        }
        assertThat(images).hasSize(2);
        assertThat(images.get(0)).containsExactly(images.get(1));
    }

    @Test
    void mixedSizesAndModesInOneFolderLoadWithTheirColours() throws IOException {
        Path train = tmp.resolve("train");
        // 8-bit gray, 5x3
        writeGray(train.resolve("a-gray.png"), 5, 3, (x, y) -> 77);
        // RGBA, 4x4, alpha from 0 to 255: alpha is dropped, so every pixel is its stored colour
        BufferedImage rgba = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                rgba.setRGB(x, y, (17 * (4 * y + x)) << 24 | 0xC86432);
            }
        }
        write(rgba, train.resolve("b-rgba.png"));
        // 16-bit gray, 3x6, at full scale: white
        BufferedImage deep = new BufferedImage(3, 6, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 3; x++) {
                deep.getRaster().setSample(x, y, 0, 65535);
            }
        }
        write(deep, train.resolve("c-deep.png"));
        // Adobe CMYK JPEG, 8x8, pure magenta ink
        writeAdobeCmykJpeg(train.resolve("d-cmyk.jpg"), 8, 8);
        // gray + alpha, 7x2: the gray value, alpha dropped
        java.awt.image.ComponentColorModel grayAlpha = new java.awt.image.ComponentColorModel(
                java.awt.color.ColorSpace.getInstance(java.awt.color.ColorSpace.CS_GRAY), true,
                false, java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster laRaster = grayAlpha.createCompatibleWritableRaster(7, 2);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 7; x++) {
                laRaster.setPixel(x, y, new int[] {150, 36 * x});
            }
        }
        write(new BufferedImage(grayAlpha, laRaster, false, null), train.resolve("e-gray-alpha.png"));
        // a colour palette, 2x5: sky blue
        BufferedImage palette = solid(BufferedImage.TYPE_BYTE_INDEXED, 2, 5, 0x3399FF);
        int paletteColour = palette.getRGB(0, 0) & 0xFFFFFF; // the palette's nearest entry
        write(palette, train.resolve("f-palette.png"));
        writeGray(tmp.resolve("test/x.png"), 2, 2, (x, y) -> 0);

        DataSplits auto = ImageFolderReader.read(tmp, 2, ColorMode.AUTO);
        DataSplits gray = ImageFolderReader.read(tmp, 2, ColorMode.GRAY);

        assertThat(auto.shapeDescription()).isEqualTo("3x2x2"); // any colour image: RGB
        assertThat(auto.train().size()).isEqualTo(6);
        int[][] expected = {
            {77, 77, 77},
            {200, 100, 50},
            {255, 255, 255},
            null, // CMYK: checked below, the colour conversion is not exact
            {150, 150, 150},
            {paletteColour >> 16, paletteColour >> 8 & 0xFF, paletteColour & 0xFF}};
        for (int i = 0; i < expected.length; i++) {
            int[] pixels = image(auto.train(), i);
            for (int c = 0; c < 3; c++) {
                int[] plane = Arrays.copyOfRange(pixels, 4 * c, 4 * c + 4);
                if (expected[i] != null) {
                    assertThat(plane).as("image %d channel %d", i, c).containsOnly(expected[i][c]);
                } else if (c == 1) {
                    assertThat(Arrays.stream(plane).max().getAsInt()).as("magenta's green")
                            .isLessThan(60);
                } else {
                    assertThat(Arrays.stream(plane).min().getAsInt()).as("magenta's red, blue")
                            .isGreaterThan(200);
                }
            }
        }
        assertThat(gray.train().channels()).isEqualTo(1);
        assertThat(image(gray.train(), 0)).containsOnly(77);
        assertThat(image(gray.train(), 1)).containsOnly(124); // luma of (200, 100, 50)
        assertThat(image(gray.train(), 2)).containsOnly(255);
        assertThat(image(gray.train(), 4)).containsOnly(150);
    }

    @Test
    void oneClassFolderIsALabelledSetOfOneClass() throws IOException {
        for (int i = 0; i < 5; i++) {
            uniform(tmp.resolve("only/cat/" + i + ".png"), 0x111111 * i);
        }

        DataSplits splits = ImageFolderReader.read(tmp.resolve("only"), 3, ColorMode.AUTO);

        assertThat(splits.train().classNames()).containsExactly("cat");
        assertThat(splits.train().isLabelled()).isTrue();
        assertThat(splits.train().size() + splits.test().size()).isEqualTo(5);
        // evaluation refuses it, pre-training takes it: DataFaultsCliTest
    }

    /** A PNG chunk: length, type, data, CRC-32 of type and data. */
    private static void chunk(java.io.ByteArrayOutputStream out, String type, byte[] data) {
        java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(8).putInt(data.length)
                .put(type.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        out.writeBytes(head.array());
        out.writeBytes(data);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(head.array(), 4, 4);
        crc.update(data);
        out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    @Test
    void aDecompressionBombIsRefusedFromItsHeaderWithoutAllocatingIt() throws IOException {
        uniform(tmp.resolve("flat/a.png"), 0);
        // a valid PNG that claims 60000 x 60000 RGB pixels (10.8 GB decoded) in a few hundred bytes
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(png, "IHDR", java.nio.ByteBuffer.allocate(13).putInt(60000).putInt(60000)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0).array());
        java.util.zip.Deflater deflater = new java.util.zip.Deflater();
        deflater.setInput(new byte[60001 * 16]); // the first rows, all zero
        deflater.finish();
        byte[] compressed = new byte[4096];
        int length = deflater.deflate(compressed);
        chunk(png, "IDAT", Arrays.copyOf(compressed, length));
        chunk(png, "IEND", new byte[0]);
        Path bomb = Files.write(tmp.resolve("flat/bomb.png"), png.toByteArray());
        assertThat(png.size()).isLessThan(2000);

        long peakBefore = dev.selfsup.util.ProcessStats.peakRssMb();
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("flat"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(bomb.toString())
                .hasMessageContaining("60000x60000").hasMessageContaining("decompression bomb");
        long peakAfter = dev.selfsup.util.ProcessStats.peakRssMb();
        if (peakBefore > 0) { // Linux: VmHWM of this process
            assertThat(peakAfter - peakBefore).as("peak RSS growth, MB").isLessThan(200);
        }
    }

    @Test
    void zeroByteFilesDirectoriesNamedPngAndSymlinkLoopsAreNamedOrSkipped() throws IOException {
        uniform(tmp.resolve("zero/a.png"), 0);
        Path empty = Files.write(tmp.resolve("zero/b.png"), new byte[0]);
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("zero"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(empty.toString());

        // a directory named like an image is a folder, not an image: its images count
        uniform(tmp.resolve("dirs/a.png"), 0);
        uniform(tmp.resolve("dirs/b.png/c.png"), 0);
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("dirs"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("mixes loose images with class subfolders");

        Path loop = Files.createDirectories(tmp.resolve("loop/a"));
        uniform(loop.resolve("1.png"), 0);
        uniform(loop.resolve("2.png"), 0x101010);
        uniform(tmp.resolve("loop/b/1.png"), 0xffffff);
        uniform(tmp.resolve("loop/b/2.png"), 0xeeeeee);
        Files.createSymbolicLink(loop.resolve("again"), loop);
        ImageSet[] read = readSplits(tmp.resolve("loop"));
        assertThat(read[0].size() + read[1].size()).isEqualTo(4);
    }

    private static ImageSet[] readSplits(Path dir) throws IOException {
        DataSplits splits = ImageFolderReader.read(dir, 3, ColorMode.AUTO);
        return new ImageSet[] {splits.train(), splits.test()};
    }

    @Test
    void mixedLayoutIsRefused() throws IOException {
        uniform(tmp.resolve("loose.png"), 0);
        uniform(tmp.resolve("cats/a.png"), 0);

        assertThatThrownBy(() -> ImageFolderReader.read(tmp, 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tmp.toAbsolutePath().toString())
                .hasMessageContaining("mixes loose images with class subfolders")
                .hasMessageContaining("loose.png")
                .hasMessageContaining("cats/");
    }

    @Test
    void emptyFoldersAreNamed() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(empty.resolve("readme.txt"), "no images here");
        Path emptyClass = Files.createDirectories(tmp.resolve("classes/b"));
        uniform(tmp.resolve("classes/a/1.png"), 0);

        assertThatThrownBy(() -> ImageFolderReader.read(empty, 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(empty.toString())
                .hasMessageContaining("holds no .png, .jpg or .jpeg images");
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("classes"), 3,
                ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(emptyClass.toString())
                .hasMessageContaining("class folder holds no");
    }

    @Test
    void trainAndTestMustAgreeOnLabels() throws IOException {
        uniform(tmp.resolve("a/train/x/1.png"), 0);
        uniform(tmp.resolve("a/test/1.png"), 0);
        uniform(tmp.resolve("b/train/x/1.png"), 0);
        uniform(tmp.resolve("b/test/y/1.png"), 0);

        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("a"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tmp.resolve("a/test").toString())
                .hasMessageContaining("both have class subfolders or both have none");
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("b"), 3, ColorMode.AUTO))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(tmp.resolve("b/test/y").toString())
                .hasMessageContaining("test class must also be a train class [x], found y");
    }

    @Test
    void bytesDecodeToTheSamePixelsAsTheirFile() throws IOException {
        Path colour = writeRgb(tmp.resolve("colour.png"), 7, 5,
                (x, y) -> (x * 37 << 16) | (y * 50 << 8) | 90);
        Path jpeg = writeRgb(tmp.resolve("colour.jpg"), 9, 6,
                (x, y) -> (y * 40 << 16) | (x * 20 << 8));
        for (Path file : List.of(colour, jpeg)) {
            for (int channels : new int[] {1, 3}) {
                ImageSet fromFile = ImageFolderReader.readImage(file, 4, channels);
                ImageSet fromBytes = ImageFolderReader.readImage(Files.readAllBytes(file),
                        file.toString(), 4, channels);
                assertThat(image(fromBytes, 0)).as(file + " " + channels)
                        .containsExactly(image(fromFile, 0));
                assertThat(fromBytes.channels()).isEqualTo(channels);
            }
        }
        assertThatThrownBy(() -> ImageFolderReader.readImage(new byte[] {1, 2, 3}, "/b/x.png", 4, 3))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("x.png")
                .hasMessageContaining("no PNG or JPEG decoder recognises");
    }

    @Test
    void badArgumentsAreRefused() {
        assertThatThrownBy(() -> ImageFolderReader.read(tmp, 0, ColorMode.AUTO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("imageSize must be > 0, found 0");
        assertThatThrownBy(() -> ImageFolderReader.read(tmp.resolve("missing"), 8, ColorMode.RGB))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(tmp.resolve("missing").toString())
                .hasMessageContaining("no such directory");
    }
}
