package dev.selfsup.eval;

import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.Arrays;
import java.util.Objects;

/**
 * Seeded, class-balanced subsets of a training split's labels, for label-efficiency curves: the
 * probes are trained on few labels while the features were learnt from all the (unlabelled)
 * data.
 *
 * <p>Each class {@code c} with {@code n_c} samples keeps {@link LabelBudget#keptOf
 * budget.keptOf(n_c)} of them: {@code min(N, n_c)} for {@code N} per class, {@code round(F *
 * n_c)} (at least 1) for a fraction {@code F}. Which ones is drawn from {@code (seed, repeat,
 * c)} alone: a random order of the class's members, of which a budget takes the first
 * {@code keptOf(n_c)}. So a subset is a pure function of {@code (seed, budget, repeat)}, repeats
 * are independent draws, and within one repeat a smaller budget's subset is contained in a larger
 * one's (curves compare like with like).
 *
 * <pre>{@code
 * LabelSubsets subsets = new LabelSubsets(train.labels(), 10);
 * int[] rows = subsets.indices(LabelBudget.perClass(10), seed, repeat); // 100 sorted indices
 * }</pre>
 */
public final class LabelSubsets {
    /** Keeps these draws apart from every other use of the run seed. */
    private static final long STREAM = 0x4C4142454C53L; // "LABELS"

    private final int[][] members;

    /**
     * @param labels the class of every training sample, in {@code [0, classCount)}
     * @param classCount number of classes, at least 1
     */
    public LabelSubsets(int[] labels, int classCount) {
        Objects.requireNonNull(labels, "labels");
        if (classCount < 1) {
            throw new IllegalArgumentException("class count must be >= 1, found " + classCount);
        }
        int[] sizes = new int[classCount];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("labels must be in [0, " + classCount
                        + "), found " + labels[i] + " at index " + i);
            }
            sizes[labels[i]]++;
        }
        members = new int[classCount][];
        for (int c = 0; c < classCount; c++) {
            members[c] = new int[sizes[c]];
        }
        int[] filled = new int[classCount];
        for (int i = 0; i < labels.length; i++) {
            members[labels[i]][filled[labels[i]]++] = i;
        }
    }

    /** The sorted indices of a subset; see {@link #indices(LabelBudget, long, int)}. */
    public static int[] indices(int[] labels, int classCount, LabelBudget budget, long seed,
            int repeat) {
        return new LabelSubsets(labels, classCount).indices(budget, seed, repeat);
    }

    /** Number of classes. */
    public int classCount() {
        return members.length;
    }

    /** Samples per class, index = class. */
    public int[] classSizes() {
        return Arrays.stream(members).mapToInt(m -> m.length).toArray();
    }

    /** Labels a subset of this budget holds in all (the same in every repeat). */
    public int labelsUsed(LabelBudget budget) {
        Objects.requireNonNull(budget, "budget");
        int total = 0;
        for (int[] m : members) {
            total += budget.keptOf(m.length);
        }
        return total;
    }

    /**
     * The class-balanced subset of {@code budget} for one repeat.
     *
     * @param seed the run seed
     * @param repeat which independent draw, {@code >= 0}
     * @return {@link #labelsUsed labelsUsed(budget)} distinct sample indices, ascending
     */
    public int[] indices(LabelBudget budget, long seed, int repeat) {
        Objects.requireNonNull(budget, "budget");
        if (repeat < 0) {
            throw new IllegalArgumentException("repeat must be >= 0, found " + repeat);
        }
        int[] out = new int[labelsUsed(budget)];
        int filled = 0;
        for (int c = 0; c < members.length; c++) {
            int kept = budget.keptOf(members[c].length);
            int[] order = Permutations.shuffled(members[c].length,
                    Seeds.random(seed, STREAM, repeat, c));
            for (int k = 0; k < kept; k++) {
                out[filled++] = members[c][order[k]];
            }
        }
        Arrays.sort(out);
        return out;
    }
}
