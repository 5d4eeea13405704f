package dev.selfsup.method;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextMethodTest {
    @Test
    void aViewsPartnerIsFoundWhenItIsTheMostCosineSimilarOtherView() {
        // rows 0, 1 are first views and rows 2, 3 their partners (rows / 2 apart)
        float[] vectors = {
            1, 0, // row 0: cosine 0.6 to row 1, 0.995 to row 2 (its partner, 10x longer): found
            0.6f, 0.8f, // row 1: 0.677 to row 2 beats -0.43 to its partner, row 3: missed
            10, 1, // row 2: 0.995 to row 0, its partner: found
            -1, 0.2f, // row 3: -0.98, -0.43, -0.956: row 1, its partner, is the least unlike: found
        };
        assertThat(TextMethod.partnersFound(vectors, 4, 2)).isEqualTo(3);
        float[] swapped = {1, 0, 0, 1, 0, 1, 1, 0}; // every view's twin is another example's view
        assertThat(TextMethod.partnersFound(swapped, 4, 2)).isZero();
    }
}
