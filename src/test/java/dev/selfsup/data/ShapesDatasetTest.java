package dev.selfsup.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.data.ShapesDataset.Shape;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesDatasetTest {
    private static final int VOLUME = 3 * 32 * 32;

    @Test
    void splitsHaveTheDocumentedShapeNamesAndIdentity() {
        DataSplits splits = ShapesDataset.generate(120, 40, 42);

        assertThat(splits.name()).isEqualTo("shapes");
        assertThat(splits.shapeDescription()).isEqualTo("3x32x32");
        assertThat(splits.train().size()).isEqualTo(120);
        assertThat(splits.test().size()).isEqualTo(40);
        assertThat(splits.train().pixels()).hasSize(120 * VOLUME);
        assertThat(splits.train().identity()).isEqualTo("shapes(seed=42) train (120 images)");
        assertThat(splits.test().identity()).isEqualTo("shapes(seed=42) test (40 images)");
        assertThat(splits.train().classNames()).containsExactly("circle", "square", "triangle",
                "star", "cross", "ring", "crescent", "heart", "arrow", "lshape");
        assertThat(splits.train().isLabelled()).isTrue();
        assertThat(splits.test().isLabelled()).isTrue();
    }

    @Test
    void sameSeedGivesIdenticalBytesAndOtherSeedsDiffer() {
        ImageSet a = ShapesDataset.generateSplit("train", 300, 42);
        ImageSet b = ShapesDataset.generateSplit("train", 300, 42);
        ImageSet c = ShapesDataset.generateSplit("train", 300, 43);

        assertThat(b.pixels()).isEqualTo(a.pixels());
        assertThat(b.labels()).isEqualTo(a.labels());
        assertThat(c.pixels()).isNotEqualTo(a.pixels());
        assertThat(c.labels()).isNotEqualTo(a.labels());
        // not just a few bytes: almost every image differs
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            if (image(a, i).equals(image(c, i))) {
                same++;
            }
        }
        assertThat(same).isZero();
    }

    @Test
    void bytesDoNotDependOnTheThreadCount() throws Exception {
        ImageSet parallel = ShapesDataset.generateSplit("train", 200, 5);
        ForkJoinPool single = new ForkJoinPool(1);
        try {
            ImageSet sequential = single.submit(
                    () -> ShapesDataset.generateSplit("train", 200, 5)).get();
            assertThat(sequential.pixels()).isEqualTo(parallel.pixels());
        } finally {
            single.shutdown();
        }
    }

    @Test
    void aSmallerSplitIsAPrefixOfALargerOne() {
        ImageSet large = ShapesDataset.generateSplit("test", 257, 9);
        ImageSet small = ShapesDataset.generateSplit("test", 33, 9);

        assertThat(small.pixels()).isEqualTo(Arrays.copyOf(large.pixels(), 33 * VOLUME));
        assertThat(small.labels()).isEqualTo(Arrays.copyOf(large.labels(), 33));
    }

    @Test
    void labelsAreBalancedAndShuffled() {
        DataSplits splits = ShapesDataset.generate(1000, 200, 7);

        assertThat(splits.train().labelHistogram()).containsOnly(100);
        assertThat(splits.test().labelHistogram()).containsOnly(20);
        // every block of ten holds each class once
        int[] labels = splits.train().labels();
        for (int start = 0; start < labels.length; start += 10) {
            assertThat(Arrays.stream(labels, start, start + 10).sorted().toArray())
                    .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        }
        // shuffled, not i % 10
        int inOrder = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == i % 10) {
                inOrder++;
            }
        }
        assertThat(inOrder).isLessThan(200);

        ImageSet ragged = ShapesDataset.generateSplit("train", 1005, 7);
        assertThat(Arrays.stream(ragged.labelHistogram()).boxed())
                .allSatisfy(count -> assertThat(count).isBetween(100, 101));
        assertThat(Arrays.stream(ragged.labelHistogram()).sum()).isEqualTo(1005);
    }

    @Test
    void trainAndTestNeverShareAnImage() {
        DataSplits splits = ShapesDataset.generate(2000, 2000, 3);
        Set<ByteBuffer> train = new HashSet<>();
        for (int i = 0; i < splits.train().size(); i++) {
            train.add(image(splits.train(), i));
        }
        assertThat(train).hasSize(2000); // all distinct within the split, too
        for (int i = 0; i < splits.test().size(); i++) {
            assertThat(train).doesNotContain(image(splits.test(), i));
        }
        assertThat(ShapesDataset.splitId("train")).isNotEqualTo(ShapesDataset.splitId("test"));
    }

    @Test
    void colourDoesNotGiveTheClassAway() {
        ImageSet set = ShapesDataset.generateSplit("train", 4000, 11);
        double[][] classSum = new double[10][3];
        double[] globalSum = new double[3];
        int[] counts = set.labelHistogram();
        for (int i = 0; i < set.size(); i++) {
            int label = set.labels()[i];
            for (int c = 0; c < 3; c++) {
                double mean = channelMean(set, i, c);
                classSum[label][c] += mean;
                globalSum[c] += mean;
            }
        }
        for (int c = 0; c < 3; c++) {
            double global = globalSum[c] / set.size();
            assertThat(global).isBetween(110.0, 150.0);
            for (int k = 0; k < 10; k++) {
                // 400 images per class: the standard error of a class mean is about 2.5
                assertThat(classSum[k][c] / counts[k])
                        .as("class %s channel %d", set.classNames().get(k), c)
                        .isCloseTo(global, within(8.0));
            }
        }
    }

    @Test
    void maskAreasMatchTheGeometry() {
        double radius = 12;
        double circle = maskArea(Shape.CIRCLE, radius, 0.3);
        double ring = maskArea(Shape.RING, radius, 0.3);
        double square = maskArea(Shape.SQUARE, radius, 0.3);
        double triangle = maskArea(Shape.TRIANGLE, radius, 0.3);

        assertThat(circle).isCloseTo(Math.PI * radius * radius, within(0.01 * circle));
        double hole = Shape.RING_HOLE;
        assertThat(ring).isCloseTo(Math.PI * radius * radius * (1 - hole * hole),
                within(0.015 * ring));
        // circumradius 1: half side 1/sqrt(2), so area 2 r^2
        assertThat(square).isCloseTo(2 * radius * radius, within(0.015 * square));
        // equilateral with circumradius r: (3 sqrt(3) / 4) r^2
        assertThat(triangle).isCloseTo(3 * Math.sqrt(3) / 4 * radius * radius,
                within(0.015 * triangle));
        assertThat(ring).isLessThan(circle);
        for (Shape shape : Shape.values()) {
            double area = maskArea(shape, radius, 0.3);
            assertThat(area).as(shape.className()).isGreaterThan(0.2 * circle)
                    .isLessThanOrEqualTo(circle * 1.01);
            // rotation moves the samples, not the area
            assertThat(maskArea(shape, radius, 1.7)).as(shape.className())
                    .isCloseTo(area, within(0.03 * area));
        }
    }

    @Test
    void masksOfDifferentClassesDiffer() {
        Shape[] shapes = Shape.values();
        float[][] masks = new float[shapes.length][1024];
        for (int k = 0; k < shapes.length; k++) {
            ShapesDataset.renderMask(shapes[k], 16, 16, 9, 0.5, masks[k]);
        }
        for (int a = 0; a < shapes.length; a++) {
            for (int b = a + 1; b < shapes.length; b++) {
                double difference = 0;
                for (int p = 0; p < 1024; p++) {
                    difference += Math.abs(masks[a][p] - masks[b][p]);
                }
                assertThat(difference).as("%s vs %s", shapes[a], shapes[b])
                        .isGreaterThan(15.0);
            }
        }
    }

    @Test
    void maskIsAntiAliasedAndStaysWithinItsCircumradius() {
        float[] mask = new float[1024];
        ShapesDataset.renderMask(Shape.STAR, 15.3, 16.8, 10, 0.9, mask);
        int partial = 0;
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                float value = mask[y * 32 + x];
                assertThat(value).isBetween(0f, 1f);
                if (value > 0 && value < 1) {
                    partial++;
                }
                double dx = x + 0.5 - 15.3;
                double dy = y + 0.5 - 16.8;
                if (Math.sqrt(dx * dx + dy * dy) > 10 * 1.02 + 0.71) {
                    assertThat(value).isZero();
                }
            }
        }
        assertThat(partial).isGreaterThan(20);
    }

    @Test
    void shapesAreCentredOnTheirCentroid() {
        for (Shape shape : Shape.values()) {
            float[] mask = new float[1024];
            ShapesDataset.renderMask(shape, 16, 16, 12, 0.2, mask);
            double sum = 0;
            double sumX = 0;
            double sumY = 0;
            for (int p = 0; p < 1024; p++) {
                sum += mask[p];
                sumX += mask[p] * (p % 32 + 0.5);
                sumY += mask[p] * (p / 32 + 0.5);
            }
            assertThat(sumX / sum).as(shape.className()).isCloseTo(16, within(0.15));
            assertThat(sumY / sum).as(shape.className()).isCloseTo(16, within(0.15));
        }
    }

    @Test
    void badArgumentsAreRejected() {
        assertThatThrownBy(() -> ShapesDataset.generate(-1, 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trainSize").hasMessageContaining("-1");
        assertThatThrownBy(() -> ShapesDataset.generate(10, -5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("testSize").hasMessageContaining("-5");
        assertThatThrownBy(() -> ShapesDataset.generateSplit(" ", 10, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("splitName");
        assertThatThrownBy(() -> ShapesDataset.generateSplit("train", Integer.MAX_VALUE, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(Integer.MAX_VALUE));
        assertThat(ShapesDataset.generate(0, 0, 0).train().size()).isZero();
    }

    @Test
    void previewGridHasOneRowPerClass(@TempDir Path dir) throws Exception {
        ImageSet set = ShapesDataset.generateSplit("train", 200, 1);
        Path png = dir.resolve("grid.png");
        ImageIO.write(ShapesPreview.classGrid(set, 10, 2), "png", png.toFile());

        BufferedImage grid = ImageIO.read(png.toFile());
        assertThat(grid.getWidth()).isEqualTo(10 * 66);
        assertThat(grid.getHeight()).isEqualTo(10 * 66);
    }

    private static ByteBuffer image(ImageSet set, int index) {
        return ByteBuffer.wrap(set.pixels(), set.offsetOf(index), set.imageVolume()).slice();
    }

    private static double channelMean(ImageSet set, int index, int channel) {
        int offset = set.offsetOf(index) + channel * 1024;
        double sum = 0;
        for (int p = 0; p < 1024; p++) {
            sum += set.pixel(offset + p);
        }
        return sum / 1024;
    }

    private static double maskArea(Shape shape, double radius, double rotation) {
        float[] mask = new float[1024];
        ShapesDataset.renderMask(shape, 16, 16, radius, rotation, mask);
        double area = 0;
        for (float value : mask) {
            area += value;
        }
        return area;
    }
}
