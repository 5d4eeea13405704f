package dev.selfsup.augment;

import static dev.selfsup.testing.Asserts.assertAllWithin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.selfsup.util.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Shape, range and determinism of every transform on 1- and 3-channel images of many sizes. */
class TransformContractTest {
    private static final int[][] SIZES = {{1, 1}, {2, 3}, {7, 5}, {28, 28}, {32, 32}, {40, 24}};

    /** Transforms that keep the shape and the [0, 1] range. */
    private static List<Supplier<ImageTransform>> shapeKeeping() {
        return List.of(
                () -> new HorizontalFlip(0.5),
                () -> new ColorJitter(0.4, 0.4, 0.4, 0.1, 0.8),
                () -> new ColorJitter(0.9, 0.9, 0.9, 0.5, 1.0),
                () -> new RandomGrayscale(0.5),
                () -> new GaussianBlur(1.0, 3),
                () -> new GaussianBlur(0.5, 9),
                () -> new Solarize(0.5));
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<Supplier<ImageTransform>> all = new ArrayList<>(shapeKeeping());
        all.add(() -> new RandomResizedCrop(8));
        all.add(() -> new RandomResizedCrop(32));
        all.add(() -> new Resize(16));
        all.add(() -> new GaussianNoise(0.05));
        for (Supplier<ImageTransform> transform : all) {
            for (int channels : new int[] {1, 3}) {
                for (int[] size : SIZES) {
                    cases.add(Arguments.of(transform.get(), channels, size[0], size[1]));
                }
            }
        }
        return cases.stream();
    }

    private static int[] expectedShape(ImageTransform transform, int channels, int h, int w) {
        if (transform instanceof RandomResizedCrop) {
            int s = ((RandomResizedCrop) transform).outputSize();
            return new int[] {channels, s, s};
        }
        if (transform instanceof Resize) {
            int s = ((Resize) transform).outputSize();
            return new int[] {channels, s, s};
        }
        return new int[] {channels, h, w};
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{3}")
    @MethodSource("cases")
    void keepsShapeAndRange(ImageTransform transform, int channels, int height, int width) {
        int[] shape = expectedShape(transform, channels, height, width);
        for (int trial = 0; trial < 20; trial++) {
            FloatImage input = TestImages.randomImage(channels, height, width, trial);
            FloatImage output = transform.apply(input, Seeds.random(7, trial));
            assertThat(new int[] {output.channels(), output.height(), output.width()})
                    .containsExactly(shape);
            if (transform instanceof GaussianNoise) {
                for (float v : output.data()) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            } else {
                assertAllWithin(output.data(), 0.0, 1.0);
            }
        }
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{3}")
    @MethodSource("cases")
    void sameSeedSameOutputOtherSeedsDiffer(ImageTransform transform, int channels, int height,
            int width) {
        FloatImage input = TestImages.randomImage(channels, height, width, 99);
        float[] first = transform.apply(input.copy(), Seeds.random(1, 2, 3)).data();
        float[] again = transform.apply(input.copy(), Seeds.random(1, 2, 3)).data();
        assertThat(again).containsExactly(first);
        if (transform instanceof Resize || height * width < 30
                || (transform instanceof RandomGrayscale && channels == 1)) {
            return; // deterministic, a no-op, or too small for every draw to show
        }
        boolean anyDiffers = false;
        for (int seed = 2; seed < 12 && !anyDiffers; seed++) {
            float[] other = transform.apply(input.copy(), Seeds.random(seed, 2, 3)).data();
            anyDiffers = !Arrays.equals(first, other);
        }
        assertThat(anyDiffers).as("some other seed gives another output").isTrue();
    }

    static Stream<Arguments> inPlaceCases() {
        List<Arguments> cases = new ArrayList<>();
        List<Supplier<ImageTransform>> all = new ArrayList<>(shapeKeeping());
        all.add(() -> new GaussianNoise(0.05));
        for (Supplier<ImageTransform> transform : all) {
            for (int channels : new int[] {1, 3}) {
                cases.add(Arguments.of(transform.get(), channels, 9, 13));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} on {1}x{2}x{3}")
    @MethodSource("inPlaceCases")
    void inPlaceOnABufferRegionEqualsApplyAndTouchesNothingElse(ImageTransform transform,
            int channels, int height, int width) {
        InPlaceTransform inPlace = (InPlaceTransform) transform;
        int volume = channels * height * width;
        int offset = 17;
        for (int seed = 0; seed < 10; seed++) {
            FloatImage image = TestImages.randomImage(channels, height, width, seed);
            float[] buffer = new float[offset + volume + 11];
            Arrays.fill(buffer, -7f);
            System.arraycopy(image.data(), 0, buffer, offset, volume);
            inPlace.applyInPlace(buffer, offset, channels, height, width, Seeds.random(seed));
            float[] expected = transform.apply(image.copy(), Seeds.random(seed)).data();
            assertThat(Arrays.copyOfRange(buffer, offset, offset + volume))
                    .containsExactly(expected);
            for (int i = 0; i < offset; i++) {
                assertThat(buffer[i]).isEqualTo(-7f);
            }
            for (int i = offset + volume; i < buffer.length; i++) {
                assertThat(buffer[i]).isEqualTo(-7f);
            }
        }
    }
}
