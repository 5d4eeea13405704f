package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.testing.Asserts;
import java.util.List;
import org.junit.jupiter.api.Test;

class TfIdfFeaturesTest {
    @Test
    void matchesTheSmoothedTfIdfFormulaByHand() {
        List<String> train = List.of("apple apple pear", "pear plum", "Apple, fig!", "plum");
        TfIdfFeatures tfIdf = TfIdfFeatures.fit(train, 10);

        // kept: words in >= 2 documents, by document frequency then name: apple, pear, plum
        assertThat(tfIdf.vocabulary()).containsExactly("apple", "pear", "plum");
        double idf2 = Math.log(5.0 / 3.0) + 1; // df 2 of n 4
        FeatureMatrix rows = tfIdf.transform(List.of("apple apple pear", "fig kiwi", "PLUM"));
        double a = 2 * idf2;
        double p = idf2;
        double norm = Math.sqrt(a * a + p * p);
        Asserts.assertAllClose(rows.values(), new float[] {
            (float) (a / norm), (float) (p / norm), 0,
            0, 0, 0,
            0, 0, 1}, 1e-6, 1e-6);
    }

    @Test
    void keepsTheMostFrequentWordsOnly() {
        List<String> train = List.of("a b c", "a b", "a c", "a");
        assertThat(TfIdfFeatures.fit(train, 2).vocabulary()).containsExactly("a", "b");
        assertThatThrownBy(() -> TfIdfFeatures.fit(List.of("x", "y"), 5))
                .hasMessageContaining("no word occurs in two or more");
        assertThatThrownBy(() -> TfIdfFeatures.fit(train, 0))
                .hasMessage("max features must be > 0, found 0");
    }
}
