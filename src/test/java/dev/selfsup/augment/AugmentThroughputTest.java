package dev.selfsup.augment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selfsup.data.ImageSet;
import org.junit.jupiter.api.Test;

/** {@link AugmentThroughput} runs and reports a positive rate (never asserts a speed). */
class AugmentThroughputTest {

    @Test
    void measuresAPositiveRateWithOneAndTwoThreads() {
        ImageSet set = AugmentThroughput.syntheticImages(16, 3, 16, 1);
        for (int threads : new int[] {1, 2}) {
            double rate = AugmentThroughput.viewsPerSecond(ViewRecipes.simclr(16), set, threads,
                    0.1);
            assertThat(rate).isPositive().isFinite();
        }
    }

    @Test
    void syntheticImagesAreDeterministicAndVaried() {
        ImageSet a = AugmentThroughput.syntheticImages(4, 3, 32, 7);
        ImageSet b = AugmentThroughput.syntheticImages(4, 3, 32, 7);
        assertThat(a.pixels()).containsExactly(b.pixels());
        assertThat(a.size()).isEqualTo(4);
        assertThat(a.channels()).isEqualTo(3);
        int smallest = 255;
        int largest = 0;
        for (int i = 0; i < a.pixels().length; i++) {
            smallest = Math.min(smallest, a.pixel(i));
            largest = Math.max(largest, a.pixel(i));
        }
        assertThat(largest - smallest).isGreaterThan(100);
    }
}
