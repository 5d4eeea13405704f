package dev.selfsup.data.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A corpus as piece ids: documents of tokenized sentences (sentences without pieces dropped),
 * ready for sequence building.
 *
 * @param documents per document, its sentences' piece ids; every document has a sentence
 */
public record TokenizedCorpus(List<List<int[]>> documents) {
    public TokenizedCorpus {
        documents = List.copyOf(documents);
    }

    /**
     * A corpus's sentences as text and as pieces, side by side: those with at least one piece,
     * in the documents with at least one such sentence, in corpus order.
     */
    public record WithText(List<List<String>> texts, TokenizedCorpus tokens) {}

    /** Tokenizes every sentence of {@code corpus} once, keeping its text beside its pieces. */
    public static WithText withText(TextCorpus corpus, WordPieceTokenizer tokenizer) {
        List<List<String>> texts = new ArrayList<>();
        List<List<int[]>> documents = new ArrayList<>();
        for (TextCorpus.Document document : corpus.documents()) {
            List<String> kept = new ArrayList<>();
            List<int[]> sentences = new ArrayList<>();
            for (String sentence : document.sentences()) {
                int[] ids = tokenizer.encode(sentence);
                if (ids.length > 0) {
                    kept.add(sentence);
                    sentences.add(ids);
                }
            }
            if (!sentences.isEmpty()) {
                texts.add(kept);
                documents.add(sentences);
            }
        }
        return new WithText(texts, new TokenizedCorpus(documents));
    }

    /** Tokenizes every sentence of {@code corpus}, leaving out those with no piece. */
    public static TokenizedCorpus of(TextCorpus corpus, WordPieceTokenizer tokenizer) {
        return withText(corpus, tokenizer).tokens();
    }

    /** Number of sentences. */
    public int sentenceCount() {
        return documents.stream().mapToInt(List::size).sum();
    }

    /** Number of pieces. */
    public long tokenCount() {
        long total = 0;
        for (List<int[]> document : documents) {
            for (int[] sentence : document) {
                total += sentence.length;
            }
        }
        return total;
    }

    /** Every sentence's (document, sentence) address, in corpus order. */
    public List<int[]> sentenceAddresses() {
        List<int[]> addresses = new ArrayList<>();
        for (int d = 0; d < documents.size(); d++) {
            for (int s = 0; s < documents.get(d).size(); s++) {
                addresses.add(new int[] {d, s});
            }
        }
        return addresses;
    }

    /**
     * Contiguous windows of at most {@code maxPieces} pieces that never cross a document's end:
     * each document's pieces, in order, cut into consecutive chunks.
     */
    public List<int[]> windows(int maxPieces) {
        if (maxPieces <= 0) {
            throw new IllegalArgumentException("window length must be > 0, found " + maxPieces);
        }
        List<int[]> windows = new ArrayList<>();
        for (List<int[]> document : documents) {
            int total = document.stream().mapToInt(s -> s.length).sum();
            int[] all = new int[total];
            int k = 0;
            for (int[] sentence : document) {
                System.arraycopy(sentence, 0, all, k, sentence.length);
                k += sentence.length;
            }
            for (int start = 0; start < total; start += maxPieces) {
                windows.add(java.util.Arrays.copyOfRange(all, start, Math.min(total, start + maxPieces)));
            }
        }
        return windows;
    }

    /**
     * Splits off held-out text: every {@code every}-th document (from the middle of the first
     * block) goes to the second corpus. A corpus of fewer than {@code every} documents is split
     * by sentences instead: the last 1/{@code every} of each document's sentences (at least one,
     * if it has two or more) become a held-out document of their own.
     *
     * @return {train, heldOut}
     * @throws IllegalArgumentException when nothing can be held out (no document has two
     *     sentences)
     */
    public TokenizedCorpus[] holdOut(int every) {
        List<List<List<int[]>>> parts = holdOut(documents, every);
        return new TokenizedCorpus[] {new TokenizedCorpus(parts.get(0)),
                new TokenizedCorpus(parts.get(1))};
    }

    /**
     * {@link #holdOut(int)} over any documents of sentences: the raw sentences that
     * {@link #withText} keeps split exactly as their tokenized forms are.
     *
     * @return {train, heldOut}
     */
    public static <T> List<List<List<T>>> holdOut(List<List<T>> documents, int every) {
        if (every < 2) {
            throw new IllegalArgumentException("held-out interval must be >= 2, found " + every);
        }
        List<List<T>> train = new ArrayList<>();
        List<List<T>> held = new ArrayList<>();
        if (documents.size() < every) {
            for (List<T> document : documents) {
                if (document.size() < 2) {
                    train.add(document);
                    continue;
                }
                int heldCount = Math.max(1, document.size() / every);
                train.add(document.subList(0, document.size() - heldCount));
                held.add(document.subList(document.size() - heldCount, document.size()));
            }
            if (held.isEmpty()) {
                throw new IllegalArgumentException("nothing to hold out: no document has two "
                        + "sentences");
            }
        } else {
            for (int d = 0; d < documents.size(); d++) {
                (d % every == every / 2 ? held : train).add(documents.get(d));
            }
        }
        return List.of(train, held);
    }
}
