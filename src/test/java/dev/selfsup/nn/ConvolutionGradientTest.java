package dev.selfsup.nn;

import static dev.selfsup.testing.Float64Reference.assertFloat32AgreesWithFloat64;

import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Every block with convolutions computes the same values and gradients in float32 as in float64.
 *
 * <p>This guards against a libtorch fault, not only against our own mistakes: libtorch 2.7.1's
 * oneDNN computes the input gradient of a default-layout (NCHW) float32 convolution with fewer
 * than 16 channels through a channel-padded blocked layout, and on AVX-512 machines (AMD EPYC
 * family 26, measured) that gradient is wrong, differs from run to run, or is NaN. Our blocks run
 * their convolutions channels-last, which takes another, correct path. With the decoder on the
 * default layout, the reconstruction tasks diverged to NaN within two steps. On AVX2-only CPUs
 * the faults are others (channels-last weight gradients of networks narrower than 16 channels,
 * resnet18's stem in the default layout), and {@code Backbones.startsChannelsLast} picks the
 * layout per CPU; these checks run on whichever CPU runs the tests.
 */
class ConvolutionGradientTest {
    private static final double RTOL = 1e-4;

    @Test
    void residualBackbonesAgreeWithFloat64() {
        // two blocks per stage: identity and projection shortcuts both occur; 8 channels < 16
        assertFloat32AgreesWithFloat64(
                () -> Backbones.resNet("tiny", 3, 8, 8, new int[] {4, 8}, 2).block(),
                new Shape(4, 3, 8, 8), 7, RTOL);
        assertFloat32AgreesWithFloat64(() -> Backbones.smallResNet(1, 28, 28).block(),
                new Shape(8, 1, 28, 28), 8, RTOL);
        // the default backbone on CIFAR-shaped input (the 3-channel stem of resnet18 is not
        // right there: see resnet18AgreesWithFloat64)
        assertFloat32AgreesWithFloat64(() -> Backbones.smallResNet(3, 32, 32).block(),
                new Shape(4, 3, 32, 32), 14, RTOL);
    }

    @Test
    void resnet18AgreesWithFloat64() {
        // all channels-last, its forward (wide stages) and its 3-channel stem's weight gradient
        // were wrong on the AMD EPYC VM (interop/check.sh found it); see
        // Backbones.CHANNELS_LAST_MAX_WIDTH for the layouts it runs in now
        assertFloat32AgreesWithFloat64(() -> Backbones.resnet18Cifar(1, 28, 28).block(),
                new Shape(4, 1, 28, 28), 12, RTOL);
        // on 3 channels it runs in the default layout on AVX-512 CPUs, whose input gradient for
        // fewer than 16 channels is the fault described above (Backbones.startsChannelsLast):
        // pixels need no gradient, so the output and every parameter gradient are checked
        assertFloat32AgreesWithFloat64(() -> Backbones.resnet18Cifar(3, 32, 32).block(),
                new Shape(4, 3, 32, 32), 13, RTOL, false);
    }

    @Test
    void decodersAgreeWithFloat64() {
        assertFloat32AgreesWithFloat64(() -> ConvDecoder.forImage(1, 28, 28),
                new Shape(4, 32), 9, RTOL);
        assertFloat32AgreesWithFloat64(() -> ConvDecoder.forImage(2, 32, 32),
                new Shape(4, 32), 10, RTOL);
        assertFloat32AgreesWithFloat64(() -> new ConvDecoder(3, 8, 8, 8, 4),
                new Shape(4, 16), 11, RTOL);
    }
}
