package dev.selfsup.augment;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.ImageSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every constructor rejects bad configuration with a message naming the rule and the value. */
class ArgumentValidationTest {
    private static void rejects(Executable construction, String message) {
        assertThatThrownBy(construction::execute)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void colorJitter() {
        rejects(() -> new ColorJitter(-1, 0, 0, 0), "brightness must be >= 0, found -1.0");
        rejects(() -> new ColorJitter(0, -0.5, 0, 0), "contrast must be >= 0, found -0.5");
        rejects(() -> new ColorJitter(0, 0, Double.NaN, 0), "saturation must be >= 0, found NaN");
        rejects(() -> new ColorJitter(Double.POSITIVE_INFINITY, 0, 0, 0),
                "brightness must be finite, found Infinity");
        rejects(() -> new ColorJitter(0, 0, 0, 0.6), "hue must be in [0.0, 0.5], found 0.6");
        rejects(() -> new ColorJitter(0, 0, 0, -0.1), "hue must be in [0.0, 0.5], found -0.1");
        rejects(() -> new ColorJitter(0.4, 0.4, 0.4, 0.1, 1.2),
                "probability must be in [0, 1], found 1.2");
        rejects(() -> ColorJitter.simClr(-2), "strength must be >= 0, found -2.0");
        rejects(() -> new ColorJitter(0.4, 0, 0, 0).apply(FloatImage.zeros(2, 3, 3),
                new java.util.SplittableRandom(1)), "ColorJitter needs 1 or 3 channels, found 2");
    }

    @Test
    void randomResizedCrop() {
        rejects(() -> new RandomResizedCrop(0), "outputSize must be > 0, found 0");
        rejects(() -> new RandomResizedCrop(32, 0.0, 1.0), "minScale must be in (0, 1], found 0.0");
        rejects(() -> new RandomResizedCrop(32, 0.5, 0.2),
                "maxScale must be in [minScale=0.5, 1], found 0.2");
        rejects(() -> new RandomResizedCrop(32, 0.5, 1.5),
                "maxScale must be in [minScale=0.5, 1], found 1.5");
        rejects(() -> new RandomResizedCrop(32, 0.08, 1, -1, 2), "minRatio must be > 0, found -1.0");
        rejects(() -> new RandomResizedCrop(32, 0.08, 1, 2, 1),
                "maxRatio must be >= minRatio=2.0, found 1.0");
    }

    @Test
    void simpleTransforms() {
        rejects(() -> new HorizontalFlip(-0.1), "probability must be in [0, 1], found -0.1");
        rejects(() -> new RandomGrayscale(2), "probability must be in [0, 1], found 2.0");
        rejects(() -> new Solarize(0.5, 1.5), "threshold must be in [0.0, 1.0], found 1.5");
        rejects(() -> new Solarize(Double.NaN), "probability must be in [0, 1], found NaN");
        rejects(() -> new GaussianNoise(-0.05), "std must be >= 0, found -0.05");
        rejects(() -> new Resize(-3), "outputSize must be > 0, found -3");
    }

    @Test
    void gaussianBlur() {
        rejects(() -> new GaussianBlur(0.5, 4), "kernelSize must be odd and >= 1, found 4");
        rejects(() -> new GaussianBlur(0.5, -1), "kernelSize must be odd and >= 1, found -1");
        rejects(() -> new GaussianBlur(0.5, 3, 0, 1), "minSigma must be > 0, found 0.0");
        rejects(() -> new GaussianBlur(0.5, 3, 2, 1), "maxSigma must be >= minSigma=2.0, found 1.0");
        rejects(() -> new GaussianBlur(1.5, 3), "probability must be in [0, 1], found 1.5");
    }

    @Test
    void cropBoxAndThroughput() {
        rejects(() -> new CropBox(0, 0, 0, 4),
                "crop box must have top, left >= 0 and height, width > 0, found "
                        + "(top=0, left=0, height=0, width=4)");
        ImageSet set = AugmentThroughput.syntheticImages(2, 3, 8, 1);
        rejects(() -> AugmentThroughput.viewsPerSecond(ViewRecipes.simclr(8), set, 0, 1),
                "threads must be > 0, found 0");
        rejects(() -> AugmentThroughput.viewsPerSecond(ViewRecipes.simclr(8), set, 1, 0),
                "seconds must be > 0, found 0.0");
    }
}
