package dev.selfsup.data.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * Learns a WordPiece vocabulary by byte-pair-style merges (Sennrich et al. 2016,
 * https://arxiv.org/abs/1508.07909), as HuggingFace's WordPiece trainer does: start from the
 * characters ({@code c} at a word's start, {@code ##c} inside it), then repeatedly merge the most
 * frequent adjacent pair of pieces into a new piece until the vocabulary is full.
 *
 * @param vocabularySize pieces wanted, special tokens included (at least 16)
 * @param minFrequency characters and pairs seen fewer times than this are not added
 */
public record WordPieceTrainer(int vocabularySize, int minFrequency) {
    public WordPieceTrainer {
        if (vocabularySize < 16) {
            throw new IllegalArgumentException("vocabulary size must be >= 16, found " + vocabularySize);
        }
        if (minFrequency < 1) {
            throw new IllegalArgumentException("minimum frequency must be >= 1, found " + minFrequency);
        }
    }

    /** Learns a vocabulary from texts. */
    public WordPieceTokenizer train(Iterable<String> texts) {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String text : texts) {
            for (String word : WordPieceTokenizer.words(text)) {
                if (word.codePointCount(0, word.length()) <= WordPieceTokenizer.MAX_WORD_CHARS) {
                    wordCounts.merge(word, 1, Integer::sum);
                }
            }
        }
        // deterministic order, whatever the hash map's
        TreeMap<String, Integer> sorted = new TreeMap<>(wordCounts);
        List<String> vocabulary = new ArrayList<>(WordPieceTokenizer.SPECIAL_TOKENS);
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < vocabulary.size(); i++) {
            ids.put(vocabulary.get(i), i);
        }
        addAlphabet(sorted, vocabulary, ids);

        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> entry : sorted.entrySet()) {
            int[] symbols = symbols(entry.getKey(), ids);
            if (symbols != null && symbols.length > 1) {
                words.add(symbols);
                counts.add(entry.getValue());
            }
        }
        Map<Long, Integer> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            addPairs(words.get(w), counts.get(w), w, pairCounts, pairWords);
        }
        // most frequent first; ties broken by the smaller pair key, for determinism
        PriorityQueue<long[]> queue = new PriorityQueue<>(
                Comparator.<long[]>comparingLong(e -> -e[0]).thenComparingLong(e -> e[1]));
        pairCounts.forEach((pair, count) -> queue.add(new long[] {count, pair}));
        while (vocabulary.size() < vocabularySize && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[1];
            Integer current = pairCounts.get(pair);
            if (current == null || current != top[0]) {
                continue; // stale entry
            }
            if (current < minFrequency) {
                break;
            }
            int left = (int) (pair >>> 32);
            int right = (int) pair;
            String merged = vocabulary.get(left)
                    + vocabulary.get(right).substring(WordPieceTokenizer.CONTINUATION.length());
            Integer id = ids.get(merged);
            if (id == null) {
                id = vocabulary.size();
                vocabulary.add(merged);
                ids.put(merged, id);
            }
            Set<Long> changed = new HashSet<>();
            for (int w : new ArrayList<>(pairWords.getOrDefault(pair, Set.of()))) {
                int[] before = words.get(w);
                int[] after = merge(before, left, right, id);
                if (after.length == before.length) {
                    continue;
                }
                removePairs(before, counts.get(w), pairCounts, changed);
                words.set(w, after);
                addPairs(after, counts.get(w), w, pairCounts, pairWords);
                collectPairs(after, changed);
            }
            pairCounts.remove(pair);
            pairWords.remove(pair);
            for (long key : changed) {
                Integer count = pairCounts.get(key);
                if (count != null && count > 0) {
                    queue.add(new long[] {count, key});
                }
            }
        }
        return new WordPieceTokenizer(vocabulary);
    }

    /** Adds every character seen at least minFrequency times, most frequent first. */
    private void addAlphabet(Map<String, Integer> words, List<String> vocabulary,
            Map<String, Integer> ids) {
        Map<String, Integer> characters = new LinkedHashMap<>();
        words.forEach((word, count) -> {
            int i = 0;
            while (i < word.length()) {
                int cp = word.codePointAt(i);
                String piece = (i == 0 ? "" : WordPieceTokenizer.CONTINUATION)
                        + new String(Character.toChars(cp));
                characters.merge(piece, count, Integer::sum);
                i += Character.charCount(cp);
            }
        });
        characters.entrySet().stream()
                .filter(e -> e.getValue() >= minFrequency)
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .limit(Math.max(0, vocabularySize - vocabulary.size()))
                .forEach(e -> {
                    ids.put(e.getKey(), vocabulary.size());
                    vocabulary.add(e.getKey());
                });
    }

    /** A word as character-piece ids, or null when a character is not in the alphabet. */
    private static int[] symbols(String word, Map<String, Integer> ids) {
        int[] symbols = new int[word.codePointCount(0, word.length())];
        int i = 0;
        int k = 0;
        while (i < word.length()) {
            int cp = word.codePointAt(i);
            Integer id = ids.get((i == 0 ? "" : WordPieceTokenizer.CONTINUATION)
                    + new String(Character.toChars(cp)));
            if (id == null) {
                return null;
            }
            symbols[k++] = id;
            i += Character.charCount(cp);
        }
        return symbols;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xffffffffL);
    }

    private static void addPairs(int[] symbols, int count, int word, Map<Long, Integer> pairCounts,
            Map<Long, Set<Integer>> pairWords) {
        for (int i = 0; i + 1 < symbols.length; i++) {
            long key = key(symbols[i], symbols[i + 1]);
            pairCounts.merge(key, count, Integer::sum);
            pairWords.computeIfAbsent(key, k -> new HashSet<>()).add(word);
        }
    }

    private static void removePairs(int[] symbols, int count, Map<Long, Integer> pairCounts,
            Set<Long> changed) {
        for (int i = 0; i + 1 < symbols.length; i++) {
            long key = key(symbols[i], symbols[i + 1]);
            pairCounts.merge(key, -count, Integer::sum);
            changed.add(key);
        }
    }

    private static void collectPairs(int[] symbols, Set<Long> changed) {
        for (int i = 0; i + 1 < symbols.length; i++) {
            changed.add(key(symbols[i], symbols[i + 1]));
        }
    }

    private static int[] merge(int[] symbols, int left, int right, int merged) {
        int[] out = new int[symbols.length];
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = symbols[i];
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
