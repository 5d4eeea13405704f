package dev.selfsup.eval;

import dev.selfsup.data.text.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;


/**
 * TF-IDF bag-of-words features, the classic text baseline: words as {@link
 * WordPieceTokenizer#words} splits them (lower-cased; punctuation dropped), the
 * {@code maxFeatures} words found in most training documents (and in at least two), raw counts
 * times the smoothed inverse document frequency {@code ln((1 + n) / (1 + df)) + 1}, each row
 * L2-normalised (scikit-learn's {@code TfidfVectorizer} defaults).
 */
public final class TfIdfFeatures {
    private final Map<String, Integer> columns;
    private final float[] idf;

    private TfIdfFeatures(Map<String, Integer> columns, float[] idf) {
        this.columns = columns;
        this.idf = idf;
    }

    /** Learns the vocabulary and document frequencies from training texts. */
    public static TfIdfFeatures fit(List<String> texts, int maxFeatures) {
        if (maxFeatures <= 0) {
            throw new IllegalArgumentException("max features must be > 0, found " + maxFeatures);
        }
        Map<String, Integer> documentFrequency = new HashMap<>();
        for (String text : texts) {
            for (String word : new HashSet<>(words(text))) {
                documentFrequency.merge(word, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> kept = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : documentFrequency.entrySet()) {
            if (entry.getValue() >= 2) {
                kept.add(entry);
            }
        }
        kept.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        int n = Math.min(maxFeatures, kept.size());
        if (n == 0) {
            throw new IllegalArgumentException("no word occurs in two or more of the "
                    + texts.size() + " training texts");
        }
        Map<String, Integer> columns = new HashMap<>();
        float[] idf = new float[n];
        for (int j = 0; j < n; j++) {
            columns.put(kept.get(j).getKey(), j);
            idf[j] = (float) (Math.log((1.0 + texts.size()) / (1.0 + kept.get(j).getValue())) + 1);
        }
        return new TfIdfFeatures(columns, idf);
    }

    /** Number of feature columns. */
    public int dim() {
        return idf.length;
    }

    /** The TF-IDF rows of {@code texts}, {@code (texts, dim)}, each of unit length (or zero). */
    public FeatureMatrix transform(List<String> texts) {
        int dim = idf.length;
        float[] values = new float[texts.size() * dim];
        for (int t = 0; t < texts.size(); t++) {
            int base = t * dim;
            for (String word : words(texts.get(t))) {
                Integer column = columns.get(word);
                if (column != null) {
                    values[base + column] += idf[column];
                }
            }
            double norm = 0;
            for (int j = 0; j < dim; j++) {
                norm += values[base + j] * values[base + j];
            }
            if (norm > 0) {
                float scale = (float) (1 / Math.sqrt(norm));
                for (int j = 0; j < dim; j++) {
                    values[base + j] *= scale;
                }
            }
        }
        return new FeatureMatrix(values, texts.size(), dim);
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String word : WordPieceTokenizer.words(text)) {
            if (word.codePoints().anyMatch(Character::isLetterOrDigit)) {
                words.add(word);
            }
        }
        return words;
    }

    /** The words of the columns, by column (for inspection). */
    public List<String> vocabulary() {
        String[] words = new String[idf.length];
        columns.forEach((word, column) -> words[column] = word);
        return List.of(words);
    }

}
