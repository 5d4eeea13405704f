package dev.selfsup.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Fashion-MNIST from {@code /usr/share/datasets/fashion-mnist} ({@code apt-get
 * install -y dataset-fashion-mnist}). Skipped when it is absent, except under CI (the {@code CI}
 * environment variable is set), where its absence is a failure.
 */
class FashionMnistRealDataTest {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void readsFashionMnist() throws IOException {
        if (!Files.isDirectory(DIR)) {
            String message = DIR + " is missing: install it with "
                    + "'apt-get install -y dataset-fashion-mnist'";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }

        DataSplits splits = IdxReader.read(DIR);

        assertThat(splits.name()).isEqualTo("idx:" + DIR);
        assertThat(splits.shapeDescription()).isEqualTo("1x28x28");
        ImageSet train = splits.train();
        ImageSet test = splits.test();
        assertThat(train.size()).isEqualTo(60000);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(train.identity()).isEqualTo("idx:" + DIR + " train (60000 images)");
        assertThat(train.classNames()).isEqualTo(IdxReader.FASHION_MNIST_CLASSES);
        assertThat(train.labelHistogram()).containsOnly(6000).hasSize(10);
        assertThat(test.labelHistogram()).containsOnly(1000).hasSize(10);
        // the first training image is an ankle boot (label 9), as in every Fashion-MNIST copy
        assertThat(train.labels()[0]).isEqualTo(9);
        int max = 0;
        for (int i = 0; i < train.imageVolume(); i++) {
            max = Math.max(max, train.pixel(i));
        }
        assertThat(max).isEqualTo(255);
    }
}
