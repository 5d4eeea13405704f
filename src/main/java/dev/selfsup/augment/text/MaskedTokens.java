package dev.selfsup.augment.text;

import dev.selfsup.data.text.WordPieceTokenizer;
import java.util.SplittableRandom;

/**
 * BERT's masked-language-model corruption (https://arxiv.org/abs/1810.04805, section 3.1): of the
 * positions holding ordinary pieces, {@code round(probability * count)} (at least one) are
 * chosen; a chosen piece becomes {@code [MASK]} with probability 0.8, a random ordinary piece
 * with 0.1 and stays with 0.1. Special tokens ({@code [CLS] [SEP] [PAD]} ...) are never chosen.
 *
 * @param probability share of ordinary pieces chosen (paper: 0.15)
 * @param maskFraction of the chosen, the share replaced by {@code [MASK]} (paper: 0.8)
 * @param randomFraction of the chosen, the share replaced by a random piece (paper: 0.1)
 */
public record MaskedTokens(double probability, double maskFraction, double randomFraction) {
    public MaskedTokens {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("masking probability must be in (0, 1), found "
                    + probability);
        }
        if (!(maskFraction >= 0) || !(randomFraction >= 0) || maskFraction + randomFraction > 1) {
            throw new IllegalArgumentException("mask and random fractions must be >= 0 with a sum "
                    + "<= 1, found " + maskFraction + " and " + randomFraction);
        }
    }

    /** The paper's setting: 15%, 80/10/10. */
    public static MaskedTokens bert() {
        return new MaskedTokens(0.15, 0.8, 0.1);
    }

    /**
     * Corrupts {@code tokens[from, from + length)} in place.
     *
     * @param vocabularySize random replacements are drawn from the ordinary ids
     *     {@code [5, vocabularySize)}
     * @param positions receives the chosen positions (absolute indices into {@code tokens})
     * @param targets receives the original piece at each chosen position
     * @return how many positions were chosen (written to {@code positions[0..n)})
     */
    public int apply(int[] tokens, int from, int length, int vocabularySize,
            SplittableRandom random, int[] positions, int[] targets) {
        int[] eligible = new int[length];
        int count = 0;
        for (int i = from; i < from + length; i++) {
            if (!WordPieceTokenizer.isSpecial(tokens[i])) {
                eligible[count++] = i;
            }
        }
        if (count == 0) {
            return 0;
        }
        int chosen = Math.max(1, (int) Math.round(probability * count));
        // partial Fisher-Yates: the first `chosen` entries become a uniform random subset
        for (int i = 0; i < chosen; i++) {
            int j = i + random.nextInt(count - i);
            int swap = eligible[i];
            eligible[i] = eligible[j];
            eligible[j] = swap;
        }
        java.util.Arrays.sort(eligible, 0, chosen);
        int firstOrdinary = WordPieceTokenizer.SPECIAL_TOKENS.size();
        for (int i = 0; i < chosen; i++) {
            int position = eligible[i];
            positions[i] = position;
            targets[i] = tokens[position];
            double u = random.nextDouble();
            if (u < maskFraction) {
                tokens[position] = WordPieceTokenizer.MASK_ID;
            } else if (u < maskFraction + randomFraction) {
                tokens[position] = firstOrdinary + random.nextInt(vocabularySize - firstOrdinary);
            }
        }
        return chosen;
    }
}
