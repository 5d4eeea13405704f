package dev.selfsup.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.testing.RandomValues;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingPicturesTest {
    private static ImageSet images(int count, int classes) {
        byte[] pixels = new byte[count * 64];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = i % classes;
            java.util.Arrays.fill(pixels, i * 64, (i + 1) * 64, (byte) (i * 7));
        }
        List<String> names = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("c" + c);
        }
        return new ImageSet("test", 1, 8, 8, pixels, labels, names);
    }

    @Test
    void neighboursAreTheHighestCosinesInOrder() {
        FeatureMatrix bank = new FeatureMatrix(RandomValues.gaussian(50 * 6, 1), 50, 6);
        FeatureMatrix queries = new FeatureMatrix(RandomValues.gaussian(3 * 6, 2), 3, 6);
        int[][] found = EmbeddingPictures.neighbours(bank, queries, 8, 4);
        assertThat(found).hasNumberOfRows(3);
        for (int q = 0; q < 3; q++) {
            double[] cosines = new double[50];
            for (int b = 0; b < 50; b++) {
                double dot = 0;
                double nq = 0;
                double nb = 0;
                for (int d = 0; d < 6; d++) {
                    float x = queries.values()[q * 6 + d];
                    float y = bank.values()[b * 6 + d];
                    dot += x * y;
                    nq += x * x;
                    nb += y * y;
                }
                cosines[b] = dot / Math.sqrt(nq * nb);
            }
            Integer[] order = new Integer[50];
            for (int b = 0; b < 50; b++) {
                order[b] = b;
            }
            java.util.Arrays.sort(order, (a, b) -> Double.compare(cosines[b], cosines[a]));
            for (int i = 0; i < 4; i++) {
                assertThat(found[q][i]).isEqualTo(order[i]);
            }
        }
    }

    @Test
    void writesTheMapAndTheRetrievalGrid(@TempDir Path dir) throws Exception {
        ImageSet train = images(60, 3);
        ImageSet test = images(20, 3);
        // features that carry the class: a class direction plus noise
        float[] bank = RandomValues.gaussian(60 * 5, 3);
        for (int i = 0; i < 60; i++) {
            bank[i * 5 + train.labels()[i]] += 4;
        }
        float[] queries = RandomValues.gaussian(20 * 5, 4);
        for (int i = 0; i < 20; i++) {
            queries[i * 5 + test.labels()[i]] += 4;
        }
        Path map = dir.resolve("map.png");
        EmbeddingPictures.writeMap(map, new FeatureMatrix(queries, 20, 5), test.labels(),
                test.classNames(), "test map");
        BufferedImage image = ImageIO.read(map.toFile());
        assertThat(image.getWidth()).isEqualTo(EmbeddingPictures.MAP_WIDTH);
        Path grid = dir.resolve("grid.png");
        EmbeddingPictures.writeRetrieval(grid, new FeatureMatrix(bank, 60, 5), train,
                new FeatureMatrix(queries, 20, 5), test);
        assertThat(ImageIO.read(grid.toFile()).getHeight()).isPositive();
    }

    @Test
    void writesBothMapsAndRecordsTheTsneMap(@TempDir Path dir) throws Exception {
        // 3 classes, 20 points each, the class in its own direction
        int rows = 60;
        float[] values = RandomValues.gaussian(rows * 5, 15);
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i % 3;
            values[i * 5 + labels[i]] += 6;
        }
        labels[7] = -1; // an unlabelled row
        FeatureMatrix features = new FeatureMatrix(values, rows, 5);
        List<String> notes = new java.util.ArrayList<>();
        EmbeddingPictures.writeMaps(dir, features, labels, List.of("a", "b", "c"),
                "test embeddings", 1, 8, notes::add);
        for (String map : List.of(EmbeddingPictures.MAP_FILE, EmbeddingPictures.TSNE_FILE)) {
            BufferedImage image = ImageIO.read(dir.resolve(map).toFile());
            assertThat(image.getWidth()).isEqualTo(EmbeddingPictures.MAP_WIDTH);
            assertThat(image.getHeight()).isEqualTo(EmbeddingPictures.MAP_HEIGHT);
        }
        EmbeddingPictures.TsneMap map = EmbeddingPictures.TsneMap.read(dir).orElseThrow();
        assertThat(map.epoch()).isEqualTo(1);
        assertThat(map.points()).isEqualTo(rows);
        assertThat(map.rows()).isEqualTo(rows);
        assertThat(map.perplexity()).isEqualTo(59 / 3.0);
        assertThat(map.iterations()).isEqualTo(1000);
        // the map of the unit rows, fitted as the report's caption says
        double expected = dev.selfsup.eval.Tsne.builder().optPerplexity(59 / 3.0).build()
                .fit(features.l2Normalized()).klDivergence();
        assertThat(map.klDivergence()).isEqualTo(expected);
        assertThat(notes).isEmpty(); // 60 points take a fraction of a second

        // epoch 2 is twice epoch 1: a new t-SNE map; epoch 3 is not: only the PCA map
        EmbeddingPictures.writeMaps(dir, features, labels, List.of("a", "b", "c"),
                "test embeddings", 2, 8, notes::add);
        assertThat(EmbeddingPictures.TsneMap.read(dir).orElseThrow().epoch()).isEqualTo(2);
        java.nio.file.Files.delete(dir.resolve(EmbeddingPictures.MAP_FILE));
        EmbeddingPictures.writeMaps(dir, features, labels, List.of("a", "b", "c"),
                "test embeddings", 3, 8, notes::add);
        assertThat(dir.resolve(EmbeddingPictures.MAP_FILE)).isRegularFile();
        assertThat(EmbeddingPictures.TsneMap.read(dir).orElseThrow().epoch()).isEqualTo(2);
    }

    @Test
    void tsneMapsAreDueAtDoublingEpochsAndTheLast() {
        assertThat(EmbeddingPictures.tsneDue(1, 100, java.util.Optional.empty())).isTrue();
        assertThat(EmbeddingPictures.tsneDue(5, 100, java.util.Optional.empty())).isTrue();
        assertThat(EmbeddingPictures.tsneDue(2, 100, java.util.Optional.of(1))).isTrue();
        assertThat(EmbeddingPictures.tsneDue(3, 100, java.util.Optional.of(2))).isFalse();
        assertThat(EmbeddingPictures.tsneDue(4, 100, java.util.Optional.of(2))).isTrue();
        assertThat(EmbeddingPictures.tsneDue(63, 100, java.util.Optional.of(32))).isFalse();
        assertThat(EmbeddingPictures.tsneDue(100, 100, java.util.Optional.of(64))).isTrue();
        // a map from a later epoch belongs to an earlier run in the same directory
        assertThat(EmbeddingPictures.tsneDue(3, 100, java.util.Optional.of(50))).isTrue();
        // epochs 1..100 with the kNN monitor every epoch: 1, 2, 4, ..., 64 and 100
        java.util.Optional<Integer> last = java.util.Optional.empty();
        List<Integer> drawn = new java.util.ArrayList<>();
        for (int epoch = 1; epoch <= 100; epoch++) {
            if (EmbeddingPictures.tsneDue(epoch, 100, last)) {
                drawn.add(epoch);
                last = java.util.Optional.of(epoch);
            }
        }
        assertThat(drawn).containsExactly(1, 2, 4, 8, 16, 32, 64, 100);
    }

    @Test
    void tsneSampleIsAFixedUniformSubsetInOrder() {
        assertThat(EmbeddingPictures.tsneSample(5)).containsExactly(0, 1, 2, 3, 4);
        int[] sample = EmbeddingPictures.tsneSample(10_000);
        assertThat(sample).hasSize(EmbeddingPictures.TSNE_POINTS).isSorted()
                .doesNotHaveDuplicates();
        assertThat(sample[0]).isNotNegative();
        assertThat(sample[sample.length - 1]).isLessThan(10_000);
        assertThat(EmbeddingPictures.tsneSample(10_000)).isEqualTo(sample);
        // uniform: about a fifth of each half of the rows
        long low = java.util.Arrays.stream(sample).filter(i -> i < 5_000).count();
        assertThat(low).isBetween(900L, 1100L);
    }

    @Test
    void tsnePerplexityFitsFewPoints() {
        assertThat(EmbeddingPictures.tsnePerplexity(2000)).isEqualTo(30);
        assertThat(EmbeddingPictures.tsnePerplexity(91)).isEqualTo(30);
        assertThat(EmbeddingPictures.tsnePerplexity(20)).isEqualTo(19 / 3.0);
        assertThat(EmbeddingPictures.tsnePerplexity(4)).isEqualTo(1);
        assertThat(EmbeddingPictures.shortNumber(19 / 3.0)).isEqualTo("6.33");
        assertThat(EmbeddingPictures.shortNumber(30)).isEqualTo("30");
    }
}
