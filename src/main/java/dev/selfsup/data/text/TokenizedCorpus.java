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

    /** Tokenizes every sentence of {@code corpus}. */
    public static TokenizedCorpus of(TextCorpus corpus, WordPieceTokenizer tokenizer) {
        List<List<int[]>> documents = new ArrayList<>();
        for (TextCorpus.Document document : corpus.documents()) {
            List<int[]> sentences = new ArrayList<>();
            for (String sentence : document.sentences()) {
                int[] ids = tokenizer.encode(sentence);
                if (ids.length > 0) {
                    sentences.add(ids);
                }
            }
            if (!sentences.isEmpty()) {
                documents.add(sentences);
            }
        }
        return new TokenizedCorpus(documents);
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
     * Splits off held-out documents: every {@code every}-th document (from the middle of the
     * first block) goes to the second corpus. A corpus of one document is split by sentences
     * instead (its last 1/{@code every}, at least one sentence, held out).
     *
     * @return {train, heldOut}
     */
    public TokenizedCorpus[] holdOut(int every) {
        if (every < 2) {
            throw new IllegalArgumentException("held-out interval must be >= 2, found " + every);
        }
        List<List<int[]>> train = new ArrayList<>();
        List<List<int[]>> held = new ArrayList<>();
        if (documents.size() == 1) {
            List<int[]> only = documents.get(0);
            if (only.size() < 2) {
                throw new IllegalArgumentException("the corpus has one sentence; nothing to hold out");
            }
            int heldCount = Math.max(1, only.size() / every);
            train.add(only.subList(0, only.size() - heldCount));
            held.add(only.subList(only.size() - heldCount, only.size()));
        } else {
            for (int d = 0; d < documents.size(); d++) {
                (d % every == every / 2 ? held : train).add(documents.get(d));
            }
            if (train.isEmpty()) {
                train.add(held.remove(held.size() - 1));
            }
        }
        return new TokenizedCorpus[] {new TokenizedCorpus(train), new TokenizedCorpus(held)};
    }
}
