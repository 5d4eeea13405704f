package dev.selfsup.pretext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.train.TorchRuntime;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageMasksTest {
    @Test
    void patchMasksHideExactlyTheRatioOfWholePatches() {
        TorchRuntime.setSeed(3);
        int batch = 64;
        int side = 32;
        int patch = 4;
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] mask = ImageMasks.patches(manager, batch, side, side, patch, 0.6).toFloatArray();
            assertThat(mask.length).isEqualTo(batch * side * side);
            int patches = (side / patch) * (side / patch);
            int hidden = ImageMasks.hiddenPatches(patches, 0.6);
            assertThat(hidden).isEqualTo(38); // round(0.6 * 64)
            Set<String> layouts = new HashSet<>();
            int[] perPatchPosition = new int[patches];
            for (int n = 0; n < batch; n++) {
                StringBuilder layout = new StringBuilder();
                int count = 0;
                for (int py = 0; py < side / patch; py++) {
                    for (int px = 0; px < side / patch; px++) {
                        float first = mask[n * side * side + py * patch * side + px * patch];
                        for (int y = 0; y < patch; y++) {
                            for (int x = 0; x < patch; x++) {
                                assertThat(mask[n * side * side + (py * patch + y) * side
                                        + px * patch + x]).isEqualTo(first);
                            }
                        }
                        assertThat(first).isIn(0f, 1f);
                        count += (int) first;
                        perPatchPosition[py * (side / patch) + px] += (int) first;
                        layout.append((int) first);
                    }
                }
                assertThat(count).isEqualTo(hidden);
                layouts.add(layout.toString());
            }
            assertThat(layouts).hasSize(batch); // a new draw per image
            // every position is hidden with probability 0.6 (binomial(64, 0.6) stays in [20, 56])
            for (int count : perPatchPosition) {
                assertThat(count).isBetween(20, 56);
            }
            assertThatThrownBy(() -> ImageMasks.patches(manager, 1, 30, 30, 4, 0.6))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("divide");
            assertThatThrownBy(() -> ImageMasks.patches(manager, 1, 32, 32, 4, 1.0))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 1.0");
        }
    }

    @Test
    void squareMasksAreOneSquareInsideTheImage() {
        TorchRuntime.setSeed(4);
        int batch = 200;
        int height = 12;
        int width = 10;
        int side = ImageMasks.squareSide(height, width, 0.25);
        assertThat(side).isEqualTo(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] mask = ImageMasks.square(manager, batch, height, width, side).toFloatArray();
            Set<Integer> tops = new HashSet<>();
            Set<Integer> lefts = new HashSet<>();
            for (int n = 0; n < batch; n++) {
                int top = Integer.MAX_VALUE;
                int left = Integer.MAX_VALUE;
                int count = 0;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        if (mask[(n * height + y) * width + x] == 1f) {
                            top = Math.min(top, y);
                            left = Math.min(left, x);
                            count++;
                        }
                    }
                }
                assertThat(count).isEqualTo(side * side);
                for (int y = top; y < top + side; y++) {
                    for (int x = left; x < left + side; x++) {
                        assertThat(mask[(n * height + y) * width + x]).isEqualTo(1f);
                    }
                }
                tops.add(top);
                lefts.add(left);
            }
            // every position of the square's corner occurs
            assertThat(tops).hasSize(height - side + 1);
            assertThat(lefts).hasSize(width - side + 1);
            assertThatThrownBy(() -> ImageMasks.square(manager, 1, 8, 8, 8))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 8");
        }
    }

    @Test
    void pixelMasksHideTheirProbability() {
        TorchRuntime.setSeed(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] mask = ImageMasks.pixels(manager, 64, 32, 32, 0.25).toFloatArray();
            double sum = 0;
            for (float v : mask) {
                assertThat(v).isIn(0f, 1f);
                sum += v;
            }
            // 65,536 draws: the standard error of the share is 0.0017
            assertThat(sum / mask.length).isCloseTo(0.25, within(0.01));
            assertThat(ImageMasks.pixels(manager, 2, 4, 4, 0).toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void hidingSetsPixelsToTheMean() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] images = {1, 2, 3, 4, 5, 6, 7, 8}; // (1, 2, 2, 2)
            float[] mask = {1, 0, 0, 1}; // (1, 1, 2, 2)
            float[] hidden = ImageCorruption.hide(manager.create(images, new Shape(1, 2, 2, 2)),
                    manager.create(mask, new Shape(1, 1, 2, 2))).toFloatArray();
            assertThat(hidden).containsExactly(0, 2, 3, 0, 0, 6, 7, 0);
        }
    }
}
