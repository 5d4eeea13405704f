package dev.selfsup.augment.text;

import dev.selfsup.data.text.WordPieceTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The noise of a denoising text autoencoder (Lample et al. 2018,
 * https://arxiv.org/abs/1711.00043, section 2.3; Wang et al. 2021, TSDAE,
 * https://arxiv.org/abs/2104.06979): each piece is deleted with one probability, replaced by
 * {@code [MASK]} with another, and the survivors are shuffled locally, none moving more than
 * {@code shuffleWindow} places (key {@code i + U(0, shuffleWindow + 1)}, sorted). At least one
 * piece always survives.
 *
 * @param deleteProbability chance a piece is dropped (Lample et al.: 0.1; TSDAE: 0.6)
 * @param maskProbability chance a surviving piece becomes {@code [MASK]}
 * @param shuffleWindow greatest displacement of the local shuffle (Lample et al.: 3; 0 = none)
 */
public record TokenNoise(double deleteProbability, double maskProbability, int shuffleWindow) {
    public TokenNoise {
        if (!(deleteProbability >= 0 && deleteProbability < 1)) {
            throw new IllegalArgumentException("delete probability must be in [0, 1), found "
                    + deleteProbability);
        }
        if (!(maskProbability >= 0 && maskProbability < 1)) {
            throw new IllegalArgumentException("mask probability must be in [0, 1), found "
                    + maskProbability);
        }
        if (shuffleWindow < 0) {
            throw new IllegalArgumentException("shuffle window must be >= 0, found " + shuffleWindow);
        }
    }

    /** selfsup's default: delete 0.1, mask 0.1, shuffle window 3. */
    public static TokenNoise standard() {
        return new TokenNoise(0.1, 0.1, 3);
    }

    /** A corrupted copy of {@code pieces}. */
    public int[] apply(int[] pieces, SplittableRandom random) {
        List<Integer> kept = new ArrayList<>();
        for (int piece : pieces) {
            if (random.nextDouble() >= deleteProbability) {
                kept.add(random.nextDouble() < maskProbability ? WordPieceTokenizer.MASK_ID : piece);
            }
        }
        if (kept.isEmpty() && pieces.length > 0) {
            kept.add(pieces[random.nextInt(pieces.length)]);
        }
        int n = kept.size();
        Integer[] order = new Integer[n];
        double[] keys = new double[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
            keys[i] = i + random.nextDouble() * (shuffleWindow + 1);
        }
        Arrays.sort(order, (a, b) -> Double.compare(keys[a], keys[b]));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = kept.get(order[i]);
        }
        return out;
    }
}
