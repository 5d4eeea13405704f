package dev.selfsup.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link MultiViewLoader}: batch layout and values, determinism, and reuse of recycled arrays. */
class MultiViewLoaderTest {
    private static final int SIZE = 16;

    private static List<float[]> epoch(MultiViewLoader loader, int epoch, boolean recycle) {
        List<float[]> batches = new ArrayList<>();
        Iterator<float[]> iterator = loader.epoch(epoch, 0);
        while (iterator.hasNext()) {
            float[] batch = iterator.next();
            batches.add(batch.clone());
            if (recycle) {
                loader.recycle(batch);
            }
        }
        return batches;
    }

    @Test
    void batchesAreStandardisedViewMajorViewsOfTheEpochOrder() {
        ImageSet set = TestImages.random(10, 3, 20, 18, 1);
        ChannelStats stats = ChannelStats.of(set);
        TransformRecipe recipe = ViewRecipes.simclr(SIZE);
        int volume = 3 * SIZE * SIZE;
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 5, 1, 2)) {
            assertThat(loader.batchesPerEpoch()).isEqualTo(2);
            int[] order = loader.epochOrder(3);
            List<float[]> batches = epoch(loader, 3, false);
            assertThat(batches).hasSize(2);
            for (int b = 0; b < 2; b++) {
                for (int v = 0; v < 2; v++) {
                    for (int s = 0; s < 4; s++) {
                        int index = order[b * 4 + s];
                        // the plain reference chain on a float image, standardised afterwards
                        float[] expected = recipe.apply(FloatImage.of(set, index),
                                Seeds.random(5, 3, index, v)).data();
                        stats.standardize(expected, 0, SIZE * SIZE);
                        int offset = (v * 4 + s) * volume;
                        float[] actual = new float[volume];
                        System.arraycopy(batches.get(b), offset, actual, 0, volume);
                        assertThat(actual).as("batch %d view %d sample %d", b, v, s)
                                .containsExactly(expected);
                    }
                }
            }
        }
    }

    @Test
    void multiCropBatchesHoldTheGlobalViewsThenTheSmallerLocalOnes() {
        ImageSet set = TestImages.random(10, 1, 20, 20, 4);
        ChannelStats stats = ChannelStats.of(set);
        TransformRecipe global = ViewRecipes.simclr(SIZE);
        TransformRecipe local = ViewRecipes.localCrops(8, 0.5);
        List<ViewRecipe> views = List.of(global, global, local, local, local);
        int batch = 4;
        try (MultiViewLoader loader = new MultiViewLoader(set, views, stats, batch, 5, 2, 2)) {
            assertThat(loader.viewGroups()).containsExactly(new long[] {8, 1, SIZE, SIZE},
                    new long[] {12, 1, 8, 8});
            assertThat(loader.batchLength()).isEqualTo(batch * (2 * SIZE * SIZE + 3 * 64));
            assertThatThrownBy(loader::batchShape).hasMessageContaining("2 sizes");
            int[] order = loader.epochOrder(1);
            float[] first = epoch(loader, 1, false).get(0);
            for (int v = 0; v < views.size(); v++) {
                TransformRecipe recipe = (TransformRecipe) views.get(v);
                int volume = recipe.outputSize() * recipe.outputSize();
                int base = v < 2 ? v * batch * SIZE * SIZE
                        : 2 * batch * SIZE * SIZE + (v - 2) * batch * 64;
                for (int s = 0; s < batch; s++) {
                    int index = order[s];
                    float[] expected = recipe.apply(FloatImage.of(set, index),
                            Seeds.random(5, 1, index, v)).data();
                    stats.standardize(expected, 0, volume);
                    float[] actual = new float[volume];
                    System.arraycopy(first, base + s * volume, actual, 0, volume);
                    assertThat(actual).as("view %d sample %d", v, s).containsExactly(expected);
                }
            }
        }
    }

    @Test
    void recycledArraysAreReusedAndGiveTheSameBatches() {
        ImageSet set = TestImages.random(24, 3, 16, 16, 2);
        ChannelStats stats = ChannelStats.of(set);
        TransformRecipe recipe = ViewRecipes.simclr(SIZE);
        List<float[]> fresh;
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 9, 1, 1)) {
            fresh = epoch(loader, 0, false);
        }
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 9, 2, 2)) {
            List<float[]> recycled = epoch(loader, 0, true);
            assertThat(recycled).hasSize(fresh.size());
            for (int b = 0; b < fresh.size(); b++) {
                assertThat(recycled.get(b)).as("batch " + b).containsExactly(fresh.get(b));
            }
        }
        // one worker, prefetch 1: batch 1 (if its rendering had not started yet) or else batch 2
        // is rendered into the recycled batch 0
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 9, 1, 1)) {
            Iterator<float[]> iterator = loader.epoch(0, 0);
            float[] first = iterator.next();
            loader.recycle(first);
            float[] second = iterator.next();
            float[] third = iterator.next();
            assertThat(second == first || third == first).as("batch 0's array reused").isTrue();
            assertThat(second).containsExactly(fresh.get(1));
            assertThat(third).containsExactly(fresh.get(2));
            assertThatThrownBy(() -> loader.recycle(new float[7]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("found 7");
        }
    }

    @Test
    void theSameSeedGivesTheSameBatchesWhateverTheWorkers() {
        ImageSet set = TestImages.random(16, 1, 16, 16, 3);
        ChannelStats stats = ChannelStats.of(set);
        TransformRecipe recipe = ViewRecipes.simclr(SIZE);
        List<float[]> one;
        List<float[]> two;
        List<float[]> otherSeed;
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 1, 1, 1)) {
            one = epoch(loader, 1, true);
        }
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 1, 2, 3)) {
            two = epoch(loader, 1, true);
        }
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 4, 2, 2, 2, 3)) {
            otherSeed = epoch(loader, 1, true);
        }
        for (int b = 0; b < one.size(); b++) {
            assertThat(two.get(b)).containsExactly(one.get(b));
            assertThat(otherSeed.get(b)).isNotEqualTo(one.get(b));
        }
    }

    @Test
    void patchMasksFollowTheViewsOnStreamsOfTheirOwnWhateverTheWorkers() {
        ImageSet set = TestImages.random(12, 1, 20, 20, 5);
        ChannelStats stats = ChannelStats.of(set);
        TransformRecipe global = ViewRecipes.simclr(SIZE);
        List<ViewRecipe> views = List.of(global, global, ViewRecipes.localCrops(8, 0.5));
        PatchMask mask = PatchMask.ibot(PatchMask.Kind.BLOCK, 4, 4, 0.3);
        int batch = 3;
        List<float[]> plain;
        try (MultiViewLoader loader = new MultiViewLoader(set, views, stats, batch, 7, 1, 1)) {
            plain = epoch(loader, 2, false);
        }
        try (MultiViewLoader one = new MultiViewLoader(set, views, stats, batch, 7, 1, 1, mask, 2);
                MultiViewLoader two = new MultiViewLoader(set, views, stats, batch, 7, 2, 3, mask,
                        2)) {
            assertThat(one.maskShape()).containsExactly(2L * batch, 16);
            int viewFloats = batch * (2 * SIZE * SIZE + 64);
            assertThat(one.batchLength()).isEqualTo(viewFloats + 2 * batch * 16);
            int[] order = one.epochOrder(2);
            List<float[]> masked = epoch(one, 2, true);
            List<float[]> again = epoch(two, 2, true);
            boolean someHidden = false;
            for (int b = 0; b < masked.size(); b++) {
                // the views are those of a loader without masks: the masks draw on streams of
                // their own
                assertThat(java.util.Arrays.copyOf(masked.get(b), viewFloats))
                        .containsExactly(plain.get(b));
                assertThat(again.get(b)).containsExactly(masked.get(b));
                for (int v = 0; v < 2; v++) {
                    for (int s = 0; s < batch; s++) {
                        float[] expected = new float[16];
                        mask.draw(Seeds.random(7, 2, order[b * batch + s], v, 1), expected, 0);
                        float[] actual = new float[16];
                        System.arraycopy(masked.get(b), viewFloats + (v * batch + s) * 16, actual,
                                0, 16);
                        assertThat(actual).as("batch %d view %d sample %d", b, v, s)
                                .containsExactly(expected);
                        someHidden |= sum(expected) > 0;
                    }
                }
            }
            assertThat(someHidden).isTrue();
        }
        assertThatThrownBy(() -> new MultiViewLoader(set, views, stats, batch, 7, 1, 1, mask, 4))
                .hasMessageContaining("masked views must be in [1, 3] with a mask and 0 without, "
                        + "found 4");
        assertThatThrownBy(() -> new MultiViewLoader(set, views, stats, batch, 7, 1, 1, null, 2))
                .hasMessageContaining("found 2 with none");
    }

    private static float sum(float[] values) {
        float total = 0;
        for (float value : values) {
            total += value;
        }
        return total;
    }
}
