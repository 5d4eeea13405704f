package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllWithin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in recipes and {@link TransformRecipe}: shapes, determinism, threads, values. */
class ViewRecipesTest {

    @Test
    void looksUpRecipesByName() {
        assertThat(ViewRecipes.names()).containsExactly("simclr", "tutorial", "crop-flip");
        assertThat(ViewRecipes.byName("simclr", 32).name()).isEqualTo("simclr");
        assertThat(ViewRecipes.byName("Tutorial", 28).name()).isEqualTo("tutorial");
        assertThat(ViewRecipes.byName("tutorial", 28).outputSize()).isEqualTo(28);
        assertThatThrownBy(() -> ViewRecipes.byName("byol", 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'byol'")
                .hasMessageContaining("simclr, tutorial");
    }

    @Test
    void cropFlipRecipeCropsAndFlipsOnly() {
        List<ImageTransform> steps = ViewRecipes.byName("crop-flip", 32).transforms();
        assertThat(steps).hasSize(2);
        assertThat(((RandomResizedCrop) steps.get(0)).minScale())
                .isEqualTo(ViewRecipes.CROP_FLIP_MIN_SCALE);
        assertThat(((HorizontalFlip) steps.get(1)).probability()).isEqualTo(0.5);
        List<ImageTransform> larger = ViewRecipes.byName("crop-flip", 32, 0.8, null).transforms();
        assertThat(((RandomResizedCrop) larger.get(0)).minScale()).isEqualTo(0.8);
        assertThat(larger).hasSize(2);
        assertThatThrownBy(() -> ViewRecipes.byName("crop-flip", 32, null, 10.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rotation to the simclr recipe only");
    }

    @Test
    void simClrRecipeHasThePaperCifarSettings() {
        List<ImageTransform> steps = ViewRecipes.simclr(32).transforms();
        assertThat(steps).hasSize(4);
        RandomResizedCrop crop = (RandomResizedCrop) steps.get(0);
        assertThat(crop.outputSize()).isEqualTo(32);
        assertThat(crop.minScale()).isEqualTo(0.08);
        assertThat(crop.maxScale()).isEqualTo(1.0);
        assertThat(crop.minRatio()).isEqualTo(0.75);
        assertThat(crop.maxRatio()).isCloseTo(4.0 / 3.0, within(1e-12));
        assertThat(((HorizontalFlip) steps.get(1)).probability()).isEqualTo(0.5);
        ColorJitter jitter = (ColorJitter) steps.get(2);
        assertThat(jitter.brightness()).isCloseTo(0.4, within(1e-12));
        assertThat(jitter.hue()).isCloseTo(0.1, within(1e-12));
        assertThat(jitter.probability()).isEqualTo(0.8);
        assertThat(((RandomGrayscale) steps.get(3)).probability()).isEqualTo(0.2);
        assertThat(steps).noneMatch(step -> step instanceof GaussianBlur);
    }

    @ParameterizedTest(name = "{0} {1}x{2}x{3} -> {4}")
    @CsvSource({"simclr,3,32,32,32", "simclr,1,28,28,28", "simclr,3,40,24,16",
            "tutorial,3,32,32,32", "tutorial,1,28,28,32", "tutorial,3,20,30,24"})
    void rendersTheShapeAtTheOffsetOnly(String name, int channels, int height, int width,
            int size) {
        ImageSet set = TestImages.random(5, channels, height, width, 4);
        ViewRecipe recipe = ViewRecipes.byName(name, size);
        int volume = channels * size * size;
        int offset = 13;
        for (int index = 0; index < set.size(); index++) {
            float[] out = new float[offset + volume + 7];
            Arrays.fill(out, Float.NaN);
            recipe.renderView(set, index, Seeds.random(1, 0, index, 0), out, offset);
            float[] view = Arrays.copyOfRange(out, offset, offset + volume);
            if (name.equals("simclr")) {
                assertAllWithin(view, 0.0, 1.0);
            } else {
                assertAllWithin(view, -1.0, 2.0);
            }
            for (int i = 0; i < offset; i++) {
                assertThat(out[i]).isNaN();
            }
            for (int i = offset + volume; i < out.length; i++) {
                assertThat(out[i]).isNaN();
            }
        }
    }

    @Test
    void sameSeedSameViewsOtherSeedOrViewDiffers() {
        ImageSet set = TestImages.random(3, 3, 32, 32, 6);
        for (String name : ViewRecipes.names()) {
            ViewRecipe recipe = ViewRecipes.byName(name, 32);
            float[] a = new float[3 * 32 * 32];
            float[] b = new float[3 * 32 * 32];
            float[] c = new float[3 * 32 * 32];
            float[] d = new float[3 * 32 * 32];
            recipe.renderView(set, 1, Seeds.random(42, 3, 1, 0), a, 0);
            recipe.renderView(set, 1, Seeds.random(42, 3, 1, 0), b, 0);
            recipe.renderView(set, 1, Seeds.random(43, 3, 1, 0), c, 0);
            recipe.renderView(set, 1, Seeds.random(42, 3, 1, 1), d, 0);
            assertThat(b).containsExactly(a);
            assertThat(Arrays.equals(a, c)).as(name + ": another seed").isFalse();
            assertThat(Arrays.equals(a, d)).as(name + ": the other view").isFalse();
        }
    }

    @Test
    void concurrentRenderingEqualsSequentialRendering() throws Exception {
        ImageSet set = TestImages.random(64, 3, 32, 32, 7);
        for (String name : ViewRecipes.names()) {
            ViewRecipe recipe = ViewRecipes.byName(name, 32);
            int volume = 3 * 32 * 32;
            int views = 2 * set.size();
            float[] sequential = new float[views * volume];
            for (int v = 0; v < views; v++) {
                recipe.renderView(set, v / 2, Seeds.random(9, 1, v / 2, v % 2), sequential,
                        v * volume);
            }
            float[] concurrent = new float[views * volume];
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    futures.add(pool.submit(() -> {
                        for (int round = 0; round < 5; round++) {
                            for (int v = thread; v < views; v += 4) {
                                recipe.renderView(set, v / 2, Seeds.random(9, 1, v / 2, v % 2),
                                        concurrent, v * volume);
                            }
                        }
                    }));
                }
                for (Future<?> future : futures) {
                    future.get();
                }
            } finally {
                pool.shutdownNow();
            }
            // Arrays.mismatch: AssertJ's containsExactly is quadratic on a failure diff
            assertThat(Arrays.mismatch(concurrent, sequential)).as(name).isEqualTo(-1);
        }
    }

    @Test
    void renderViewEqualsTheReferenceChainOnFloatImages() {
        ImageSet set = TestImages.random(8, 3, 32, 32, 8);
        ImageSet gray = TestImages.random(8, 1, 28, 28, 9);
        List<TransformRecipe> recipes = List.of(
                ViewRecipes.simclr(32),
                ViewRecipes.tutorial(32),
                new TransformRecipe("blurred", 32, List.of(new RandomResizedCrop(32),
                        new GaussianBlur(0.5, 3), new HorizontalFlip(), new Solarize(0.3))),
                new TransformRecipe("lambda", 32, List.<ImageTransform>of(new HorizontalFlip(0.5),
                        (image, random) -> image.copy(), new RandomGrayscale(0.5))),
                new TransformRecipe("resized", 32, List.of(new Resize(32),
                        new ColorJitter(0.4, 0.4, 0.4, 0.1))),
                // planar, with a flip that is not fused into the crop
                new TransformRecipe("planar", 32, List.of(new RandomResizedCrop(32),
                        new ColorJitter(0.4, 0.4, 0.4, 0.1), new RandomGrayscale(0.5),
                        new HorizontalFlip())));
        ImageSet large = TestImages.random(8, 3, 45, 40, 10); // crops shrink as well as enlarge
        for (TransformRecipe recipe : recipes) {
            for (ImageSet source : List.of(set, gray, large)) {
                int volume = source.channels() * 32 * 32;
                for (int index = 0; index < source.size(); index++) {
                    float[] rendered = new float[volume];
                    recipe.renderView(source, index, Seeds.random(5, index), rendered, 0);
                    float[] reference = recipe.apply(FloatImage.of(source, index),
                            Seeds.random(5, index)).data();
                    assertThat(rendered).as(recipe.name()).containsExactly(reference);
                }
            }
        }
    }

    @Test
    void standardisedViewsEqualViewsStandardisedAfterwards() {
        ImageSet rgb = TestImages.random(6, 3, 36, 32, 11);
        ImageSet gray = TestImages.random(6, 1, 28, 28, 12);
        List<TransformRecipe> recipes = List.of(ViewRecipes.simclr(24), ViewRecipes.cropFlip(24),
                ViewRecipes.tutorial(24), ViewRecipes.simclr(24, 0.3, 20),
                new TransformRecipe("planar", 24, List.of(new RandomResizedCrop(24),
                        new RandomGrayscale(0.5), new HorizontalFlip(),
                        new ColorJitter(0.4, 0.4, 0.4, 0.1))));
        for (ImageSet source : List.of(rgb, gray)) {
            ChannelStats stats = ChannelStats.of(source);
            int volume = source.channels() * 24 * 24;
            for (TransformRecipe recipe : recipes) {
                for (int index = 0; index < source.size(); index++) {
                    float[] fused = new float[volume + 5];
                    recipe.renderView(source, index, Seeds.random(3, index), fused, 5, stats);
                    float[] separate = new float[volume + 5];
                    recipe.renderView(source, index, Seeds.random(3, index), separate, 5);
                    stats.standardize(separate, 5, 24 * 24);
                    assertThat(fused).as(recipe.name()).containsExactly(separate);
                }
            }
        }
        ChannelStats wrong = ChannelStats.of(gray);
        assertThatThrownBy(() -> ViewRecipes.simclr(24).renderView(rgb, 0, Seeds.random(1),
                new float[3 * 24 * 24], 0, wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stats have 1 channels");
    }

    @Test
    void tutorialViewIsTheResizedImagePlusNoise() {
        ImageSet set = TestImages.random(4, 1, 32, 32, 10);
        TransformRecipe recipe = ViewRecipes.tutorial(32);
        double sum = 0;
        double sumSquares = 0;
        int n = 0;
        for (int index = 0; index < set.size(); index++) {
            float[] view = new float[32 * 32];
            recipe.renderView(set, index, Seeds.random(3, index), view, 0);
            float[] image = FloatImage.of(set, index).data();
            for (int i = 0; i < view.length; i++) {
                double d = view[i] - image[i];
                sum += d;
                sumSquares += d * d;
                n++;
            }
        }
        assertThat(sum / n).isCloseTo(0.0, within(0.005));
        assertThat(Math.sqrt(sumSquares / n)).isCloseTo(0.05, within(0.003));

        // a 28x28 set at 32: resized first (no noise when std = 0)
        ImageSet small = TestImages.random(1, 1, 28, 28, 11);
        TransformRecipe clean = new TransformRecipe("clean", 32, List.of(new GaussianNoise(0)));
        float[] view = new float[32 * 32];
        clean.renderView(small, 0, Seeds.random(1), view, 0);
        float[] resized = new Resize(32).apply(FloatImage.of(small, 0), Seeds.random(1)).data();
        assertThat(view).containsExactly(resized);
    }

    @Test
    void grayViewsStayGray() {
        ImageSet gray = TestImages.random(2, 1, 28, 28, 12);
        float[] out = new float[28 * 28];
        ViewRecipes.simclr(28).renderView(gray, 1, Seeds.random(1), out, 0);
        assertAllWithin(out, 0.0, 1.0);
    }

    @Test
    void rejectsInconsistentRecipes() {
        assertThatThrownBy(() -> new TransformRecipe("x", 32, List.of(new RandomResizedCrop(28))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outputSize 32")
                .hasMessageContaining("found 28");
        assertThatThrownBy(() -> new TransformRecipe(" ", 32, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name must not be blank");
        assertThatThrownBy(() -> new TransformRecipe("x", 0, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outputSize must be > 0, found 0");
        List<ImageTransform> withNull = new ArrayList<>();
        withNull.add(new HorizontalFlip());
        withNull.add(null);
        assertThatThrownBy(() -> new TransformRecipe("x", 32, withNull))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transform 1 must not be null");

        TransformRecipe shrinking = new TransformRecipe("bad", 8,
                List.<ImageTransform>of((image, random) -> FloatImage.zeros(image.channels(), 4, 4)));
        ImageSet set = TestImages.random(1, 3, 8, 8, 1);
        assertThatThrownBy(() -> shrinking.renderView(set, 0, Seeds.random(1), new float[192], 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3x8x8")
                .hasMessageContaining("found 3x4x4");
    }

    @Test
    void emptyRecipeGivesTheResizedImage() {
        ImageSet set = TestImages.random(1, 3, 16, 16, 2);
        float[] out = new float[3 * 16 * 16];
        new TransformRecipe("plain", 16, List.of()).renderView(set, 0, Seeds.random(1), out, 0);
        assertThat(out).containsExactly(FloatImage.of(set, 0).data());
    }

    @Test
    void theSimClrJitterStrengthIsSetByNameAndRefusedElsewhere() {
        ColorJitter standard = jitterOf(ViewRecipes.byName("simclr", 28));
        assertThat(standard.brightness()).isCloseTo(0.4, within(1e-12));
        ColorJitter strong = jitterOf(ViewRecipes.byName("simclr", 28, 0.2, null, 1.0));
        assertThat(strong.brightness()).isCloseTo(0.8, within(1e-12));
        assertThat(strong.contrast()).isCloseTo(0.8, within(1e-12));
        assertThat(strong.hue()).isCloseTo(0.2, within(1e-12));
        assertThat(strong.probability()).isEqualTo(0.8);
        assertThatThrownBy(() -> ViewRecipes.byName("crop-flip", 28, null, null, 1.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("simclr recipe only");
    }

    private static ColorJitter jitterOf(TransformRecipe recipe) {
        return recipe.transforms().stream().filter(ColorJitter.class::isInstance)
                .map(ColorJitter.class::cast).findFirst().orElseThrow();
    }
}
