package dev.selfsup.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.augment.PatchMask.Kind;
import dev.selfsup.util.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link PatchMask}: iBOT's statistics, blocks against uniform patches, seeds and arguments. */
class PatchMaskTest {
    private static final int DRAWS = 20_000;

    /** What many draws of one mask add up to. */
    private record Statistics(double maskedShare, double meanHiddenShare, double hiddenNeighbours,
            double isolated, int fewest, int most) {}

    /**
     * Draws {@link #DRAWS} masks from (seed, draw): the share of masked images, their mean hidden
     * share, and over their hidden patches the mean count of hidden 4-neighbours and the share
     * with none.
     */
    private static Statistics statistics(PatchMask mask, long seed) {
        int masked = 0;
        double shares = 0;
        long hiddenPatches = 0;
        long neighbours = 0;
        long isolated = 0;
        int fewest = Integer.MAX_VALUE;
        int most = 0;
        float[] out = new float[mask.patches()];
        for (int d = 0; d < DRAWS; d++) {
            int hidden = mask.draw(Seeds.random(seed, d), out, 0);
            int counted = 0;
            for (int p = 0; p < out.length; p++) {
                assertThat(out[p]).isIn(0f, 1f);
                if (out[p] == 1f) {
                    counted++;
                    int around = hiddenNeighbours(out, p, mask.gridHeight(), mask.gridWidth());
                    neighbours += around;
                    isolated += around == 0 ? 1 : 0;
                }
            }
            assertThat(counted).as("the count returned").isEqualTo(hidden);
            if (hidden > 0) {
                masked++;
                shares += (double) hidden / mask.patches();
                hiddenPatches += hidden;
                fewest = Math.min(fewest, hidden);
                most = Math.max(most, hidden);
            }
        }
        return new Statistics((double) masked / DRAWS, shares / masked,
                (double) neighbours / hiddenPatches, (double) isolated / hiddenPatches, fewest,
                most);
    }

    private static int hiddenNeighbours(float[] mask, int p, int height, int width) {
        int i = p / width;
        int j = p % width;
        int count = 0;
        count += i > 0 && mask[p - width] == 1f ? 1 : 0;
        count += i < height - 1 && mask[p + width] == 1f ? 1 : 0;
        count += j > 0 && mask[p - 1] == 1f ? 1 : 0;
        count += j < width - 1 && mask[p + 1] == 1f ? 1 : 0;
        return count;
    }

    @ParameterizedTest
    @CsvSource({"7, 7", "8, 8", "14, 14"})
    void blocksHideIbotsShareOfHalfTheImagesInClumps(int height, int width) {
        PatchMask blocks = PatchMask.ibot(Kind.BLOCK, height, width, 0.3);
        PatchMask uniform = PatchMask.ibot(Kind.RANDOM, height, width, 0.3);
        Statistics block = statistics(blocks, 1);
        Statistics random = statistics(uniform, 1);
        // half the images masked (binomial sd 0.0035 at 20,000 draws)
        assertThat(block.maskedShare()).isCloseTo(0.5, within(0.015));
        assertThat(random.maskedShare()).isCloseTo(0.5, within(0.015));
        // uniform patches hide round(r * patches) for r uniform in [0.1, 0.5]: 0.3 on average
        assertThat(random.meanHiddenShare()).isCloseTo(0.3, within(0.005));
        assertThat(random.fewest()).isBetween(blocks.hiddenCount(0.1), blocks.hiddenCount(0.1) + 1);
        assertThat(random.most()).isBetween(blocks.hiddenCount(0.5) - 1, blocks.hiddenCount(0.5));
        // the same seeds draw the same images and ratios for both kinds; blocks fall short of
        // the count only when ten tries in a row fit no block, which is rare
        assertThat(block.meanHiddenShare()).isLessThanOrEqualTo(random.meanHiddenShare())
                .isCloseTo(random.meanHiddenShare(), within(0.002));
        assertThat(block.fewest()).isPositive();
        assertThat(block.most()).isLessThanOrEqualTo(random.most());
        // clumps: a hidden patch has over twice the hidden neighbours (2.5 against 1.1 on 7x7)
        // and is seldom alone (2% against 28%)
        assertThat(block.hiddenNeighbours()).isGreaterThan(2 * random.hiddenNeighbours());
        assertThat(block.isolated()).isLessThan(random.isolated() / 5);
    }

    @Test
    void aMaskIsAFunctionOfItsGeneratorAndDiffersAcrossCoordinates() {
        PatchMask mask = PatchMask.ibot(Kind.BLOCK, 7, 7, 0.3);
        // (seed, epoch, sample, view, stream) as the loader derives them
        float[] first = mask.draw(16, r -> Seeds.random(5, 0, r, 0, 1));
        assertThat(mask.draw(16, r -> Seeds.random(5, 0, r, 0, 1))).containsExactly(first);
        assertThat(first).hasSize(16 * 49);
        for (float[] other : new float[][] {mask.draw(16, r -> Seeds.random(5, 1, r, 0, 1)),
                mask.draw(16, r -> Seeds.random(5, 0, r + 16, 0, 1)),
                mask.draw(16, r -> Seeds.random(5, 0, r, 1, 1)),
                mask.draw(16, r -> Seeds.random(6, 0, r, 0, 1))}) {
            assertThat(other).isNotEqualTo(first);
        }
        // every value is written: a reused buffer gives the same mask as a fresh one
        float[] reused = new float[49];
        java.util.Arrays.fill(reused, 1f);
        mask.draw(Seeds.random(5, 0, 0, 0, 1), reused, 0);
        assertThat(reused).containsExactly(java.util.Arrays.copyOf(first, 49));
    }

    @Test
    void sizesAndHandCountedCases() {
        for (int[] grid : new int[][] {{7, 7}, {8, 8}, {14, 14}, {4, 6}, {1, 8}, {2, 1}}) {
            for (Kind kind : Kind.values()) {
                // every image masked at exactly half: round(patches / 2) hidden
                PatchMask half = new PatchMask(kind, grid[0], grid[1], 0.5, 0.5, 1);
                float[] masks = half.draw(50, r -> Seeds.random(3, r));
                assertThat(masks).hasSize(50 * half.patches());
                int target = half.hiddenCount(0.5);
                int reached = 0;
                for (int r = 0; r < 50; r++) {
                    int hidden = 0;
                    for (int p = 0; p < half.patches(); p++) {
                        hidden += (int) masks[r * half.patches() + p];
                    }
                    assertThat(hidden).as("%s on %dx%d", kind, grid[0], grid[1])
                            .isBetween(1, target);
                    reached += hidden == target ? 1 : 0;
                }
                assertThat(reached).as("%s on %dx%d", kind, grid[0], grid[1])
                        .isGreaterThanOrEqualTo(kind == Kind.RANDOM ? 50 : 45);
            }
        }
        assertThat(new PatchMask(Kind.BLOCK, 7, 7, 0.1, 0.5, 0.5).minBlockPatches()).isEqualTo(4);
        assertThat(new PatchMask(Kind.BLOCK, 8, 8, 0.1, 0.5, 0.5).minBlockPatches()).isEqualTo(4);
        assertThat(new PatchMask(Kind.BLOCK, 14, 14, 0.1, 0.5, 0.5).minBlockPatches()).isEqualTo(16);
        assertThat(new PatchMask(Kind.BLOCK, 2, 9, 0.1, 0.5, 0.5).minBlockPatches()).isEqualTo(1);
        // a 2-patch grid hides one and keeps one, whatever the ratio
        PatchMask tiny = new PatchMask(Kind.BLOCK, 1, 2, 0.01, 0.99, 1);
        assertThat(tiny.hiddenCount(0.01)).isEqualTo(1);
        assertThat(tiny.hiddenCount(0.99)).isEqualTo(1);
    }

    @Test
    void ibotsRangeIsCentredOnTheRatioAndStaysInsideZeroAndOne() {
        PatchMask ibot = PatchMask.ibot(Kind.BLOCK, 7, 7, PatchMask.IBOT_RATIO);
        assertThat(ibot.minRatio()).isCloseTo(0.1, within(1e-12));
        assertThat(ibot.maxRatio()).isCloseTo(0.5, within(1e-12));
        assertThat(ibot.maskedProbability()).isEqualTo(0.5);
        PatchMask low = PatchMask.ibot(Kind.RANDOM, 7, 7, 0.09);
        assertThat(low.minRatio()).isCloseTo(0.03, within(1e-12));
        assertThat(low.maxRatio()).isCloseTo(0.15, within(1e-12));
        PatchMask high = PatchMask.ibot(Kind.BLOCK, 7, 7, 0.9);
        assertThat(high.minRatio()).isCloseTo(0.8333, within(1e-4));
        assertThat(high.maxRatio()).isCloseTo(0.9667, within(1e-4));
        assertThat(PatchMask.ibot(Kind.BLOCK, 7, 7, 0.5).maxRatio()).isCloseTo(0.7, within(1e-12));
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> new PatchMask(null, 7, 7, 0.1, 0.5, 0.5))
                .hasMessage("mask kind must be one of [block, random], found null");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 1, 1, 0.1, 0.5, 0.5))
                .hasMessage("the patch grid must have at least 2 patches, to hide some and keep "
                        + "some, found 1x1");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 0, 7, 0.1, 0.5, 0.5))
                .hasMessageEndingWith("found 0x7");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 7, 7, 0, 0.5, 0.5))
                .hasMessage("mask ratios must satisfy 0 < min <= max < 1, found 0.0 and 0.5");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 7, 7, 0.6, 0.5, 0.5))
                .hasMessageEndingWith("found 0.6 and 0.5");
        assertThatThrownBy(() -> new PatchMask(Kind.RANDOM, 7, 7, 0.1, 1.0, 0.5))
                .hasMessageEndingWith("found 0.1 and 1.0");
        assertThatThrownBy(() -> new PatchMask(Kind.RANDOM, 7, 7, Double.NaN, 0.5, 0.5))
                .hasMessageEndingWith("found NaN and 0.5");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 7, 7, 0.1, 0.5, 0))
                .hasMessage("masked-image probability must be in (0, 1], found 0.0");
        assertThatThrownBy(() -> new PatchMask(Kind.BLOCK, 7, 7, 0.1, 0.5, 1.5))
                .hasMessageEndingWith("found 1.5");
        assertThatThrownBy(() -> PatchMask.ibot(Kind.BLOCK, 7, 7, 1.0))
                .hasMessage("mask ratio must be in (0, 1), found 1.0");
        assertThatThrownBy(() -> Kind.byName("blocks"))
                .hasMessage("mask kind must be one of [block, random], found 'blocks'");
        assertThatThrownBy(() -> PatchMask.ibot(Kind.BLOCK, 7, 7, 0.3).draw(-1, Seeds::random))
                .hasMessage("rows must be >= 0, found -1");
        assertThat(Kind.byName("random")).isEqualTo(Kind.RANDOM);
        assertThat(Kind.BLOCK).hasToString("block");
    }
}
