package dev.selfsup.augment.text;

import dev.selfsup.data.text.TokenizedCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.util.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the training examples of the text methods from a tokenized corpus, each example's
 * randomness derived from (seed, epoch, example), so a run is repeatable:
 * <ul>
 *   <li>{@link Kind#MLM}: {@code [CLS] window [SEP]}, windows of consecutive pieces of one
 *       document, corrupted by {@link MaskedTokens};</li>
 *   <li>{@link Kind#NSP} and {@link Kind#MLM_NSP}: {@code [CLS] A [SEP] B [SEP]}, A a run of
 *       whole sentences, B the run that follows it with probability 1/2, else a run from another
 *       document (BERT, sections 3.1 and A.2); MLM_NSP masks the pair as MLM does;</li>
 *   <li>{@link Kind#AUTOENCODER}: {@code [CLS] noise(sentence) [SEP]} as input; the targets are the
 *       original sentence's pieces at their original positions;</li>
 *   <li>{@link Kind#CONTRASTIVE}: two views {@code [CLS] noise(sentence) [SEP]} of each sentence,
 *       each with its own noise; a batch of n examples has 2n rows, row {@code i} and row
 *       {@code n + i} the two views of example {@code i}.</li>
 * </ul>
 */
public final class TextExamples {
    /** What an example is made of. */
    public enum Kind { MLM, NSP, MLM_NSP, AUTOENCODER, CONTRASTIVE }

    private final Kind kind;
    private final TokenizedCorpus corpus;
    private final int maxLength;
    private final int vocabularySize;
    private final MaskedTokens masking;
    private final TokenNoise noise;
    private final List<int[]> windows;
    private final List<int[]> sentences;

    /**
     * @param maxLength longest sequence, special tokens included (at least 8)
     * @param vocabularySize the tokenizer's (random MLM replacements come from it)
     */
    public TextExamples(Kind kind, TokenizedCorpus corpus, int maxLength, int vocabularySize,
            MaskedTokens masking, TokenNoise noise) {
        if (maxLength < 8) {
            throw new IllegalArgumentException("maximum sequence length must be >= 8, found " + maxLength);
        }
        if (corpus.documents().isEmpty()) {
            throw new IllegalArgumentException("the corpus has no document with pieces");
        }
        if ((kind == Kind.NSP || kind == Kind.MLM_NSP) && corpus.documents().size() < 2) {
            throw new IllegalArgumentException("next-sentence prediction needs at least 2 documents "
                    + "(files, or blocks separated by a blank line), found " + corpus.documents().size());
        }
        this.kind = kind;
        this.corpus = corpus;
        this.maxLength = maxLength;
        this.vocabularySize = vocabularySize;
        this.masking = masking;
        this.noise = noise;
        this.windows = kind == Kind.MLM ? corpus.windows(maxLength - 2) : List.of();
        this.sentences = kind == Kind.MLM ? List.of() : corpus.sentenceAddresses();
    }

    /** Examples in one pass over the corpus: windows for MLM, sentences otherwise. */
    public int size() {
        return kind == Kind.MLM ? windows.size() : sentences.size();
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The batch of examples {@code ids} (each in {@code [0, size())}) for an epoch: one row per
     * example, two for {@link Kind#CONTRASTIVE}.
     */
    public TextBatch batch(int[] ids, long seed, long epoch) {
        long[] epochs = new long[ids.length];
        Arrays.fill(epochs, epoch);
        return batch(ids, seed, epochs);
    }

    /**
     * The batch of examples {@code ids}, row {@code r}'s masking or noise drawn from
     * {@code (seed, passes[r], ids[r])}: a batch that spans two passes over the examples (an
     * epoch that repeats a small corpus) corrupts each example as its own pass does.
     */
    public TextBatch batch(int[] ids, long seed, long[] passes) {
        if (passes.length != ids.length) {
            throw new IllegalArgumentException("one pass per example, found " + passes.length
                    + " passes for " + ids.length + " examples");
        }
        int rows = kind == Kind.CONTRASTIVE ? 2 * ids.length : ids.length;
        List<int[]> tokenRows = new ArrayList<>(rows);
        List<int[]> typeRows = new ArrayList<>(rows);
        List<int[]> targetRows = new ArrayList<>(rows);
        int[] labels = kind == Kind.NSP || kind == Kind.MLM_NSP ? new int[rows] : null;
        List<int[]> secondViews = new ArrayList<>();
        for (int r = 0; r < ids.length; r++) {
            SplittableRandom random = Seeds.random(seed, passes[r], ids[r]);
            int[][] example = example(ids[r], random, labels, r);
            tokenRows.add(example[0]);
            typeRows.add(example[1]);
            targetRows.add(example[2]);
            if (kind == Kind.CONTRASTIVE) {
                secondViews.add(noisy(sentences.get(ids[r]), random));
            }
        }
        for (int[] view : secondViews) {
            tokenRows.add(view);
            typeRows.add(new int[view.length]);
            targetRows.add(new int[0]);
        }
        int length = tokenRows.stream().mapToInt(t -> t.length).max().orElse(1);
        int[] tokens = new int[rows * length];
        int[] types = new int[rows * length];
        float[] attention = new float[rows * length];
        int targetCount = 0;
        for (int[] t : targetRows) {
            targetCount += t.length / 2;
        }
        int[] positions = new int[targetCount];
        int[] targetIds = new int[targetCount];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            int[] row = tokenRows.get(r);
            System.arraycopy(row, 0, tokens, r * length, row.length);
            System.arraycopy(typeRows.get(r), 0, types, r * length, row.length);
            for (int i = 0; i < row.length; i++) {
                // a row may end in padding of its own (the autoencoder's noisy input)
                attention[r * length + i] = row[i] == WordPieceTokenizer.PAD_ID ? 0f : 1f;
            }
            int[] targets = targetRows.get(r);
            for (int i = 0; i < targets.length; i += 2) {
                positions[k] = r * length + targets[i];
                targetIds[k++] = targets[i + 1];
            }
        }
        return new TextBatch(rows, length, tokens, types, attention, positions, targetIds, labels);
    }

    /** {tokens, types, targets as (position, id) pairs}; writes the row's NSP label. */
    private int[][] example(int id, SplittableRandom random, int[] labels, int row) {
        return switch (kind) {
            case MLM -> masked(single(windows.get(id)), random);
            case NSP -> pair(sentences.get(id), random, labels, row);
            case MLM_NSP -> {
                int[][] pair = pair(sentences.get(id), random, labels, row);
                int[][] masked = masked(pair[0], random);
                yield new int[][] {masked[0], pair[1], masked[2]};
            }
            case AUTOENCODER -> autoencoder(sentences.get(id), random);
            case CONTRASTIVE -> {
                int[] view = noisy(sentences.get(id), random);
                yield new int[][] {view, new int[view.length], new int[0]};
            }
        };
    }

    /** {@code [CLS] noise(sentence) [SEP]} of the sentence at {@code address}. */
    private int[] noisy(int[] address, SplittableRandom random) {
        return single(noise.apply(corpus.documents().get(address[0]).get(address[1]), random));
    }

    private int[] single(int[] pieces) {
        int n = Math.min(pieces.length, maxLength - 2);
        int[] row = new int[n + 2];
        row[0] = WordPieceTokenizer.CLS_ID;
        System.arraycopy(pieces, 0, row, 1, n);
        row[n + 1] = WordPieceTokenizer.SEP_ID;
        return row;
    }

    private int[][] masked(int[] row, SplittableRandom random) {
        int[] positions = new int[row.length];
        int[] targets = new int[row.length];
        int chosen = masking.apply(row, 0, row.length, vocabularySize, random, positions, targets);
        int[] pairs = new int[2 * chosen];
        for (int i = 0; i < chosen; i++) {
            pairs[2 * i] = positions[i];
            pairs[2 * i + 1] = targets[i];
        }
        return new int[][] {row, new int[row.length], pairs};
    }

    /**
     * {@code [CLS] A [SEP] B [SEP]} as BERT builds it (section A.2): A is a run of whole
     * sentences of one document from {@code address}, long enough to fill a share of the
     * sequence drawn uniformly from a quarter to three quarters; B is the run that follows A
     * (label 0) or a run from a random sentence of another document (label 1), filling the rest.
     * Runs give the pair more text to compare: on State of the Union, word overlap alone (TF-IDF
     * cosine) tells 0.76 of held-out pairs apart with runs filling 128 places, 0.70 with single
     * sentences ({@code bench/peers/nsp_sotu.py}). Until the pair fits, the longer run loses a
     * piece: A from its start, B from its end.
     */
    private int[][] pair(int[] address, SplittableRandom random, int[] labels, int row) {
        List<int[]> document = corpus.documents().get(address[0]);
        int s = address[1];
        boolean isNext = random.nextDouble() < 0.5;
        if (isNext && s + 1 >= document.size()) {
            s = s - 1; // the last sentence: start A one earlier so that a sentence follows it
        }
        if (isNext && s < 0) {
            isNext = false; // a one-sentence document has no true next sentence
            s = 0;
        }
        int budget = maxLength - 3;
        int quarter = budget / 4;
        int shareOfA = quarter + random.nextInt(budget - 2 * quarter + 1);
        // A stops before the document's last sentence when B must follow it there
        int end = run(document, s, isNext ? document.size() - 1 : document.size(), shareOfA);
        int[] first = concatenate(document, s, end);
        List<int[]> source = document;
        int from = end;
        if (!isNext) {
            int other = random.nextInt(corpus.documents().size() - 1);
            if (other >= address[0]) {
                other++;
            }
            source = corpus.documents().get(other);
            from = random.nextInt(source.size());
        }
        int[] second = concatenate(source, from,
                run(source, from, source.size(), Math.max(1, budget - first.length)));
        labels[row] = isNext ? 0 : 1;
        int a = first.length;
        int b = second.length;
        while (a + b > budget) {
            if (a >= b) {
                a--;
            } else {
                b--;
            }
        }
        int[] tokens = new int[a + b + 3];
        int[] types = new int[tokens.length];
        tokens[0] = WordPieceTokenizer.CLS_ID;
        // A loses pieces from its start and B from its end, so a true B still follows A's text
        System.arraycopy(first, first.length - a, tokens, 1, a);
        tokens[a + 1] = WordPieceTokenizer.SEP_ID;
        System.arraycopy(second, 0, tokens, a + 2, b);
        tokens[a + b + 2] = WordPieceTokenizer.SEP_ID;
        Arrays.fill(types, a + 2, tokens.length, 1);
        return new int[][] {tokens, types, new int[0]};
    }

    /**
     * The end (exclusive) of the run of sentences from {@code start}: at least one sentence,
     * then more while the run is shorter than {@code pieces} and the next one is before
     * {@code limit}.
     */
    private static int run(List<int[]> document, int start, int limit, int pieces) {
        int end = start + 1;
        int length = document.get(start).length;
        while (end < limit && length < pieces) {
            length += document.get(end).length;
            end++;
        }
        return end;
    }

    private static int[] concatenate(List<int[]> document, int start, int end) {
        int length = 0;
        for (int i = start; i < end; i++) {
            length += document.get(i).length;
        }
        int[] out = new int[length];
        int k = 0;
        for (int i = start; i < end; i++) {
            System.arraycopy(document.get(i), 0, out, k, document.get(i).length);
            k += document.get(i).length;
        }
        return out;
    }

    private int[][] autoencoder(int[] address, SplittableRandom random) {
        int[] original = single(corpus.documents().get(address[0]).get(address[1]));
        int n = original.length - 2;
        int[] noisy = single(noise.apply(Arrays.copyOfRange(original, 1, n + 1), random));
        int[] targets = new int[2 * n];
        for (int i = 0; i < n; i++) {
            targets[2 * i] = i + 1;
            targets[2 * i + 1] = original[i + 1];
        }
        // the decoder predicts at the original's positions, so the row is as long as the longer
        int length = Math.max(noisy.length, original.length);
        int[] tokens = Arrays.copyOf(noisy, length);
        return new int[][] {tokens, new int[length], targets};
    }
}
