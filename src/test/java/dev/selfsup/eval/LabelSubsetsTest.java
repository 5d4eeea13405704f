package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LabelSubsetsTest {
    /** Classes of 30, 50, 7 and 100 samples, shuffled together; class 4 has none. */
    private static final int[] SIZES = {30, 50, 7, 100, 0};

    private static int[] labels() {
        int total = Arrays.stream(SIZES).sum();
        int[] labels = new int[total];
        int filled = 0;
        for (int c = 0; c < SIZES.length; c++) {
            for (int i = 0; i < SIZES[c]; i++) {
                labels[filled++] = c;
            }
        }
        int[] order = Permutations.shuffled(total, Seeds.random(99));
        int[] shuffled = new int[total];
        for (int i = 0; i < total; i++) {
            shuffled[i] = labels[order[i]];
        }
        return shuffled;
    }

    private static int[] perClassCounts(int[] labels, int[] indices) {
        int[] counts = new int[SIZES.length];
        for (int i : indices) {
            counts[labels[i]]++;
        }
        return counts;
    }

    @Test
    void everyClassGetsExactlyItsShare() {
        int[] labels = labels();
        LabelSubsets subsets = new LabelSubsets(labels, SIZES.length);
        assertThat(subsets.classSizes()).containsExactly(SIZES);
        int[][] cases = {
            {1, 1, 1, 1, 1, 0},
            {10, 10, 10, 7, 10, 0},
            {60, 30, 50, 7, 60, 0},
        };
        for (int[] expected : cases) {
            LabelBudget budget = LabelBudget.perClass(expected[0]);
            for (int repeat = 0; repeat < 3; repeat++) {
                int[] indices = subsets.indices(budget, 7, repeat);
                assertThat(perClassCounts(labels, indices)).as(budget.spec())
                        .containsExactly(Arrays.copyOfRange(expected, 1, expected.length));
                assertThat(indices).isSorted().doesNotHaveDuplicates();
                assertThat(Arrays.stream(indices).boxed().toList())
                        .allSatisfy(i -> assertThat(i).isBetween(0, labels.length - 1));
                assertThat(indices).hasSize(subsets.labelsUsed(budget));
            }
        }
    }

    @Test
    void fractionsRoundPerClassAndKeepAtLeastOne() {
        int[] labels = labels();
        LabelSubsets subsets = new LabelSubsets(labels, SIZES.length);
        // 0.1: 3, 5, 0.7 -> 1, 10; 0.01: 0.3, 0.5, 0.07 -> 1 each, 1; 0.25: 7.5 -> 8, 12.5 -> 13,
        // 1.75 -> 2, 25; 1: everything. The empty class keeps nothing.
        double[] fractions = {0.1, 0.01, 0.25, 1.0};
        int[][] expected = {{3, 5, 1, 10, 0}, {1, 1, 1, 1, 0}, {8, 13, 2, 25, 0}, SIZES};
        for (int f = 0; f < fractions.length; f++) {
            LabelBudget budget = LabelBudget.fraction(fractions[f]);
            int[] indices = subsets.indices(budget, 3, 1);
            assertThat(perClassCounts(labels, indices)).as("fraction %s", fractions[f])
                    .containsExactly(expected[f]);
            assertThat(subsets.labelsUsed(budget)).isEqualTo(Arrays.stream(expected[f]).sum());
        }
        assertThat(subsets.indices(LabelBudget.all(), 3, 4))
                .containsExactly(java.util.stream.IntStream.range(0, labels.length).toArray());
    }

    @Test
    void deterministicUnderTheSeedAndDifferentAcrossRepeatsAndSeeds() {
        int[] labels = labels();
        LabelSubsets subsets = new LabelSubsets(labels, SIZES.length);
        LabelBudget budget = LabelBudget.perClass(5);
        int[] first = subsets.indices(budget, 42, 0);
        assertThat(subsets.indices(budget, 42, 0)).containsExactly(first);
        assertThat(new LabelSubsets(labels.clone(), SIZES.length).indices(budget, 42, 0))
                .containsExactly(first);
        assertThat(LabelSubsets.indices(labels, SIZES.length, budget, 42, 0)).containsExactly(first);
        assertThat(subsets.indices(budget, 42, 1)).isNotEqualTo(first);
        assertThat(subsets.indices(budget, 43, 0)).isNotEqualTo(first);
        assertThat(subsets.indices(LabelBudget.fraction(0.1), 42, 0)).isNotEqualTo(first);
    }

    @Test
    void aSmallerBudgetIsContainedInALargerOneOfTheSameRepeat() {
        int[] labels = labels();
        LabelSubsets subsets = new LabelSubsets(labels, SIZES.length);
        for (int repeat = 0; repeat < 4; repeat++) {
            int[] one = subsets.indices(LabelBudget.perClass(1), 5, repeat);
            int[] ten = subsets.indices(LabelBudget.perClass(10), 5, repeat);
            int[] sixty = subsets.indices(LabelBudget.perClass(60), 5, repeat);
            int[] half = subsets.indices(LabelBudget.fraction(0.5), 5, repeat);
            assertThat(Arrays.stream(ten).boxed().toList()).containsAll(
                    Arrays.stream(one).boxed().toList());
            assertThat(Arrays.stream(sixty).boxed().toList()).containsAll(
                    Arrays.stream(ten).boxed().toList());
            assertThat(Arrays.stream(half).boxed().toList()).containsAll(
                    Arrays.stream(one).boxed().toList());
        }
    }

    @Test
    void repeatsDrawEveryMemberEquallyOften() {
        int[] labels = new int[20]; // class 0: 10 samples, class 1: 10 samples
        for (int i = 10; i < 20; i++) {
            labels[i] = 1;
        }
        LabelSubsets subsets = new LabelSubsets(labels, 2);
        int[] picked = new int[20];
        int repeats = 2000;
        for (int repeat = 0; repeat < repeats; repeat++) {
            for (int i : subsets.indices(LabelBudget.perClass(1), 0, repeat)) {
                picked[i]++;
            }
        }
        // each member is chosen in about 1/10 of the repeats (binomial std about 13)
        assertThat(Arrays.stream(picked).boxed().toList())
                .allSatisfy(count -> assertThat(count).isBetween(140, 260));
    }

    @Test
    void specsNameTheBudget() {
        assertThat(LabelBudget.perClass(10).spec()).isEqualTo("10/class");
        assertThat(LabelBudget.fraction(0.01).spec()).isEqualTo("1%");
        assertThat(LabelBudget.fraction(0.07).spec()).isEqualTo("7%");
        assertThat(LabelBudget.fraction(0.005).spec()).isEqualTo("0.5%");
        assertThat(LabelBudget.fraction(1).spec()).isEqualTo("all");
        assertThat(LabelBudget.all()).isEqualTo(LabelBudget.fraction(1.0));
    }

    @Test
    void badArgumentsNameTheValue() {
        assertThatThrownBy(() -> LabelBudget.perClass(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels per class must be >= 1, found 0");
        assertThatThrownBy(() -> LabelBudget.fraction(1.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("label fraction must be in (0, 1], found 1.5");
        assertThatThrownBy(() -> LabelBudget.fraction(0))
                .hasMessage("label fraction must be in (0, 1], found 0.0");
        assertThatThrownBy(() -> LabelBudget.fraction(Double.NaN))
                .hasMessage("label fraction must be in (0, 1], found NaN");
        assertThatThrownBy(() -> new LabelSubsets(new int[] {0, 3, 1}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels must be in [0, 3), found 3 at index 1");
        assertThatThrownBy(() -> new LabelSubsets(new int[0], 0))
                .hasMessage("class count must be >= 1, found 0");
        assertThatThrownBy(() -> new LabelSubsets(new int[] {0}, 1)
                .indices(LabelBudget.perClass(1), 0, -1))
                .hasMessage("repeat must be >= 0, found -1");
    }
}
