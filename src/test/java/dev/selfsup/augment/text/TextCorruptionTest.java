package dev.selfsup.augment.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.data.text.TokenizedCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.data.text.WordPieceTrainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TextCorruptionTest {
    private static final int VOCABULARY = 1000;

    @Test
    void maskingChoosesFifteenPercentSplitEightyTenTenAndNeverASpecialToken() {
        SplittableRandom random = new SplittableRandom(7);
        MaskedTokens masking = MaskedTokens.bert();
        long eligible = 0;
        long chosen = 0;
        long masked = 0;
        long replaced = 0;
        long kept = 0;
        for (int trial = 0; trial < 2000; trial++) {
            // [CLS] 40 ordinary pieces [SEP] 38 ordinary [SEP] [PAD] x 5
            int[] row = new int[86];
            row[0] = WordPieceTokenizer.CLS_ID;
            for (int i = 1; i < 80; i++) {
                row[i] = 5 + random.nextInt(VOCABULARY - 5);
            }
            row[41] = WordPieceTokenizer.SEP_ID;
            row[80] = WordPieceTokenizer.SEP_ID;
            int[] original = row.clone();
            int[] positions = new int[row.length];
            int[] targets = new int[row.length];
            int n = masking.apply(row, 0, row.length, VOCABULARY, random, positions, targets);
            eligible += 78;
            chosen += n;
            assertThat(n).isEqualTo(Math.round(0.15 * 78));
            for (int i = 0; i < n; i++) {
                int p = positions[i];
                assertThat(WordPieceTokenizer.isSpecial(original[p])).isFalse();
                assertThat(targets[i]).isEqualTo(original[p]);
                if (row[p] == WordPieceTokenizer.MASK_ID) {
                    masked++;
                } else if (row[p] == original[p]) {
                    kept++;
                } else {
                    replaced++;
                    assertThat(WordPieceTokenizer.isSpecial(row[p])).isFalse();
                }
            }
            // positions not chosen are untouched
            List<Integer> chosenPositions = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                chosenPositions.add(positions[i]);
            }
            for (int i = 0; i < row.length; i++) {
                if (!chosenPositions.contains(i)) {
                    assertThat(row[i]).isEqualTo(original[i]);
                }
            }
        }
        assertThat((double) chosen / eligible).isCloseTo(0.15, within(0.005));
        // a random replacement equals the original with probability 1/995: counted as kept
        assertThat((double) masked / chosen).isCloseTo(0.8, within(0.01));
        assertThat((double) replaced / chosen).isCloseTo(0.1, within(0.01));
        assertThat((double) kept / chosen).isCloseTo(0.1, within(0.01));
    }

    @Test
    void aRowOfSpecialTokensHasNothingToMask() {
        int[] row = {WordPieceTokenizer.CLS_ID, WordPieceTokenizer.SEP_ID, 0, 0};
        int n = MaskedTokens.bert().apply(row, 0, 4, VOCABULARY, new SplittableRandom(1),
                new int[4], new int[4]);
        assertThat(n).isZero();
        assertThat(row).containsExactly(WordPieceTokenizer.CLS_ID, WordPieceTokenizer.SEP_ID, 0, 0);
    }

    @Test
    void badMaskingSettingsAreRefused() {
        assertThatThrownBy(() -> new MaskedTokens(0, 0.8, 0.1))
                .hasMessage("masking probability must be in (0, 1), found 0.0");
        assertThatThrownBy(() -> new MaskedTokens(0.15, 0.8, 0.3))
                .hasMessageContaining("sum <= 1, found 0.8 and 0.3");
        assertThatThrownBy(() -> new TokenNoise(1.0, 0.1, 3))
                .hasMessage("delete probability must be in [0, 1), found 1.0");
        assertThatThrownBy(() -> new TokenNoise(0.1, 0.1, -1))
                .hasMessage("shuffle window must be >= 0, found -1");
    }

    @Test
    void noiseDeletesMasksAndShufflesLocally() {
        SplittableRandom random = new SplittableRandom(11);
        TokenNoise noise = new TokenNoise(0.2, 0.1, 3);
        int[] pieces = new int[100];
        for (int i = 0; i < pieces.length; i++) {
            pieces[i] = 100 + i; // each piece names its position
        }
        long total = 0;
        long masks = 0;
        for (int trial = 0; trial < 500; trial++) {
            int[] out = noise.apply(pieces, random);
            total += out.length;
            int[] survivors = Arrays.stream(out).filter(p -> p != WordPieceTokenizer.MASK_ID).toArray();
            masks += out.length - survivors.length;
            // among survivors, a piece moved at most 3 places relative to the kept order
            int[] sorted = survivors.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < survivors.length; i++) {
                int rank = Arrays.binarySearch(sorted, survivors[i]);
                assertThat(Math.abs(rank - i)).isLessThanOrEqualTo(3 + (out.length - survivors.length));
            }
        }
        assertThat(total / 500.0 / 100).isCloseTo(0.8, within(0.01));
        assertThat((double) masks / total).isCloseTo(0.1, within(0.01));
        // no noise at all is the identity
        assertThat(new TokenNoise(0, 0, 0).apply(pieces, random)).containsExactly(pieces);
    }

    @Test
    void nextSentencePairsAreRunsOfWholeSentencesHalfOfThemTrueNeighbours() {
        var corpus = TextFixtures.corpus(12, 6, 5);
        WordPieceTokenizer tokenizer = new WordPieceTrainer(200, 1).train(
                corpus.documents().stream().flatMap(d -> d.sentences().stream()).toList());
        TokenizedCorpus tokenized = TokenizedCorpus.of(corpus, tokenizer);
        int maxLength = 40;
        TextExamples examples = new TextExamples(TextExamples.Kind.NSP, tokenized, maxLength,
                tokenizer.vocabularySize(), MaskedTokens.bert(), TokenNoise.standard());
        int[] ids = new int[examples.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i;
        }
        long trueCount = 0;
        long rows = 0;
        long longRuns = 0;
        for (int epoch = 0; epoch < 20; epoch++) {
            TextBatch batch = examples.batch(ids, 3, epoch);
            for (int r = 0; r < batch.rows(); r++) {
                int[] row = Arrays.copyOfRange(batch.tokens(), r * batch.length(), (r + 1) * batch.length());
                int firstSep = indexOf(row, WordPieceTokenizer.SEP_ID, 0);
                int secondSep = indexOf(row, WordPieceTokenizer.SEP_ID, firstSep + 1);
                assertThat(secondSep).isLessThan(maxLength);
                int[] a = Arrays.copyOfRange(row, 1, firstSep);
                int[] b = Arrays.copyOfRange(row, firstSep + 1, secondSep);
                int[] runA = findRun(tokenized, a);
                int[] runB = findRun(tokenized, b);
                assertThat(batch.types()[r * batch.length() + firstSep]).isZero();
                assertThat(batch.types()[r * batch.length() + firstSep + 1]).isEqualTo(1);
                if (runA[2] - runA[1] > 1) {
                    longRuns++;
                }
                assertThat(runA[4]).as("A ends where a sentence ends").isEqualTo(1);
                assertThat(runB[3]).as("B starts where a sentence starts").isEqualTo(1);
                if (batch.nextSentenceLabels()[r] == 0) {
                    trueCount++;
                    assertThat(runB[0]).isEqualTo(runA[0]);
                    assertThat(runB[1]).as("B starts after A's last sentence").isEqualTo(runA[2]);
                } else {
                    assertThat(runB[0]).isNotEqualTo(runA[0]);
                }
                rows++;
            }
        }
        assertThat((double) trueCount / rows).isCloseTo(0.5, within(0.03));
        assertThat((double) longRuns / rows).as("A is usually several sentences").isGreaterThan(0.5);
    }

    @Test
    void contrastiveBatchesHoldTwoIndependentNoisyViewsOfEachSentence() {
        var corpus = TextFixtures.corpus(4, 6, 9);
        WordPieceTokenizer tokenizer = new WordPieceTrainer(200, 1).train(
                corpus.documents().stream().flatMap(d -> d.sentences().stream()).toList());
        TokenizedCorpus tokenized = TokenizedCorpus.of(corpus, tokenizer);
        TextExamples examples = new TextExamples(TextExamples.Kind.CONTRASTIVE, tokenized, 64,
                tokenizer.vocabularySize(), MaskedTokens.bert(), TokenNoise.standard());
        int[] ids = {0, 7, 13, 20};
        TextBatch batch = examples.batch(ids, 5, 2);
        assertThat(batch.rows()).isEqualTo(8);
        assertThat(batch.nextSentenceLabels()).isNull();
        assertThat(batch.targetIds()).isEmpty();
        List<int[]> addresses = tokenized.sentenceAddresses();
        int differing = 0;
        for (int r = 0; r < 8; r++) {
            int[] address = addresses.get(ids[r % 4]);
            int[] sentence = tokenized.documents().get(address[0]).get(address[1]);
            int[] row = Arrays.copyOfRange(batch.tokens(), r * batch.length(), (r + 1) * batch.length());
            assertThat(row[0]).isEqualTo(WordPieceTokenizer.CLS_ID);
            int sep = indexOf(row, WordPieceTokenizer.SEP_ID, 1);
            // every piece of the view is [MASK] or one of the sentence's pieces, none used twice
            List<Integer> left = new ArrayList<>(Arrays.stream(sentence).boxed().toList());
            for (int i = 1; i < sep; i++) {
                if (row[i] != WordPieceTokenizer.MASK_ID) {
                    assertThat(left.remove(Integer.valueOf(row[i]))).isTrue();
                }
            }
            assertThat(sep - 1).isLessThanOrEqualTo(sentence.length);
            if (r < 4) {
                int[] other = Arrays.copyOfRange(batch.tokens(), (r + 4) * batch.length(),
                        (r + 5) * batch.length());
                differing += Arrays.equals(row, other) ? 0 : 1;
            }
        }
        assertThat(differing).as("the two views draw their own noise").isGreaterThan(0);
        assertThat(examples.batch(ids, 5, 2).tokens()).containsExactly(batch.tokens());
        assertThat(examples.batch(ids, 5, 3).tokens()).isNotEqualTo(batch.tokens());
    }

    @Test
    void autoencoderTargetsAreTheOriginalPiecesAtTheirPositions() {
        var corpus = TextFixtures.corpus(3, 4, 5);
        WordPieceTokenizer tokenizer = new WordPieceTrainer(200, 1).train(
                corpus.documents().stream().flatMap(d -> d.sentences().stream()).toList());
        TokenizedCorpus tokenized = TokenizedCorpus.of(corpus, tokenizer);
        TextExamples examples = new TextExamples(TextExamples.Kind.AUTOENCODER, tokenized, 64,
                tokenizer.vocabularySize(), MaskedTokens.bert(), new TokenNoise(0.3, 0.2, 3));
        TextBatch batch = examples.batch(new int[] {0, 5}, 1, 0);
        int[] original = tokenized.documents().get(0).get(0);
        int k = 0;
        for (int i = 0; i < original.length; i++) {
            assertThat(batch.targetPositions()[k]).isEqualTo(i + 1);
            assertThat(batch.targetIds()[k++]).isEqualTo(original[i]);
        }
        // the noisy input is shorter (deletions) and padded, and padding is masked out
        int real = 0;
        for (int i = 0; i < batch.length(); i++) {
            real += (int) batch.attention()[i];
            assertThat(batch.attention()[i] == 0).isEqualTo(batch.tokens()[i] == 0);
        }
        assertThat(real).isLessThan(original.length + 2);
    }

    @Test
    void nextSentencePredictionNeedsTwoDocuments() {
        var corpus = TextFixtures.corpus(1, 4, 5);
        WordPieceTokenizer tokenizer = new WordPieceTrainer(100, 1).train(
                corpus.documents().get(0).sentences());
        assertThatThrownBy(() -> new TextExamples(TextExamples.Kind.NSP,
                TokenizedCorpus.of(corpus, tokenizer), 64, 100, MaskedTokens.bert(),
                TokenNoise.standard())).hasMessageContaining("needs at least 2 documents");
    }

    private static int indexOf(int[] row, int value, int from) {
        for (int i = from; i < row.length; i++) {
            if (row[i] == value) {
                return i;
            }
        }
        throw new AssertionError("no " + value + " in " + Arrays.toString(row));
    }

    /**
     * Where a run of pieces comes from: {document, sentence of its first piece, sentence after
     * its last piece, 1 if it starts at a sentence's start, 1 if it ends at a sentence's end}
     * (the generated sentences repeat rarely, so the first match is the source).
     */
    private static int[] findRun(TokenizedCorpus corpus, int[] pieces) {
        for (int d = 0; d < corpus.documents().size(); d++) {
            List<int[]> document = corpus.documents().get(d);
            List<Integer> all = new ArrayList<>();
            List<Integer> sentenceOf = new ArrayList<>();
            List<Boolean> starts = new ArrayList<>();
            for (int s = 0; s < document.size(); s++) {
                for (int i = 0; i < document.get(s).length; i++) {
                    all.add(document.get(s)[i]);
                    sentenceOf.add(s);
                    starts.add(i == 0);
                }
            }
            for (int from = 0; from + pieces.length <= all.size(); from++) {
                boolean match = true;
                for (int k = 0; k < pieces.length && match; k++) {
                    match = all.get(from + k) == pieces[k];
                }
                if (match) {
                    int last = from + pieces.length - 1;
                    boolean endsSentence = last + 1 == all.size() || starts.get(last + 1);
                    return new int[] {d, sentenceOf.get(from), sentenceOf.get(last) + 1,
                            starts.get(from) ? 1 : 0, endsSentence ? 1 : 0};
                }
            }
        }
        throw new AssertionError("run not found: " + Arrays.toString(pieces));
    }
}
