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
        assertThat(image.getWidth()).isEqualTo(760);
        Path grid = dir.resolve("grid.png");
        EmbeddingPictures.writeRetrieval(grid, new FeatureMatrix(bank, 60, 5), train,
                new FeatureMatrix(queries, 20, 5), test);
        assertThat(ImageIO.read(grid.toFile()).getHeight()).isPositive();
    }
}
