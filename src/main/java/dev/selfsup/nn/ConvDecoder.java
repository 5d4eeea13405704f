package dev.selfsup.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.Arrays;

/**
 * A small convolutional decoder from features back to an image, shared by the reconstruction
 * pretext tasks: features {@code (batch, featureDim)} → Linear → reshape to
 * {@code (batch, stageWidths[0], H / 2^n, W / 2^n)} → ReLU, then for each of the {@code n} stage
 * widths a 2x nearest-neighbour upsampling, a 3x3 convolution, BatchNorm and ReLU, and a final
 * 3x3 convolution to {@code (batch, outputChannels, H, W)} (no output activation: targets are
 * standardised pixels or scaled colour channels).
 *
 * <p>Every convolution runs on the {@link ChannelsLast} layout. Besides being faster, that avoids
 * a wrong result: libtorch 2.7.1's oneDNN computes the input gradient of a default-layout
 * (NCHW) float32 convolution with fewer than 16 channels through a channel-padded blocked layout,
 * and on AVX-512 machines that gradient comes out wrong or NaN (measured on AMD EPYC family 26;
 * see {@code ConvolutionGradientTest}).
 */
public final class ConvDecoder extends ReleasingSequentialBlock {
    /** Channels at the start of {@link #forImage}'s decoders, then halved per stage. */
    public static final int DEFAULT_WIDTH = 64;

    private final int outputChannels;
    private final int height;
    private final int width;

    /**
     * A decoder to {@code (outputChannels, height, width)} with one upsampling stage per entry of
     * {@code stageWidths}; {@code height} and {@code width} must be divisible by
     * {@code 2^stageWidths.length}.
     */
    public ConvDecoder(int outputChannels, int height, int width, int... stageWidths) {
        if (outputChannels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("output must be (channels, height, width) > 0, "
                    + "found (" + outputChannels + ", " + height + ", " + width + ")");
        }
        if (stageWidths.length == 0 || Arrays.stream(stageWidths).anyMatch(w -> w <= 0)) {
            throw new IllegalArgumentException("need one or more stage widths > 0, found "
                    + Arrays.toString(stageWidths));
        }
        int scale = 1 << (stageWidths.length - 1);
        if (height % scale != 0 || width % scale != 0) {
            throw new IllegalArgumentException(height + "x" + width + " is not divisible by 2^"
                    + (stageWidths.length - 1) + " = " + scale + " for " + stageWidths.length
                    + " stages");
        }
        this.outputChannels = outputChannels;
        this.height = height;
        this.width = width;
        int startChannels = stageWidths[0];
        long startHeight = height / scale;
        long startWidth = width / scale;
        add(Linear.builder().setUnits(startChannels * startHeight * startWidth).build());
        // (batch, c0 * h0 * w0) -> (batch, c0, h0, w0)
        add(new LambdaBlock(x -> new NDList(x.singletonOrThrow()
                .reshape(-1, startChannels, startHeight, startWidth)), "reshape"));
        add(Activation::relu);
        for (int stage = 1; stage < stageWidths.length; stage++) {
            // (batch, c, h, w) -> (batch, c, 2h, 2w)
            add(new LambdaBlock(x -> new NDList(x.singletonOrThrow().repeat(2, 2).repeat(3, 2)),
                    "upsample"));
            add(conv3x3(stageWidths[stage], false));
            add(new ChannelBatchNorm());
            add(InPlace::relu);
        }
        add(conv3x3(outputChannels, true)); // (batch, outputChannels, H, W)
    }

    /**
     * The default decoder for images {@code (channels, height, width)}: as many stages (up to 4)
     * as the size allows while the start grid stays at least 2 pixels a side, widths 64, 32, 16,
     * 16. For 32x32: Linear to 64x4x4, then 8, 16, 32 pixels; for 28x28: 64x7x7, then 14, 28.
     */
    public static ConvDecoder forImage(int channels, int height, int width) {
        int stages = 1;
        while (stages < 4 && height % (1 << stages) == 0 && width % (1 << stages) == 0
                && height >> stages >= 2 && width >> stages >= 2) {
            stages++;
        }
        int[] widths = new int[stages];
        for (int i = 0; i < stages; i++) {
            widths[i] = Math.max(16, DEFAULT_WIDTH >> i);
        }
        return new ConvDecoder(channels, height, width, widths);
    }

    /** Puts a convolution's input into the channels-last layout (free if it already is). */
    @Override
    protected NDList prepareInput(int index, NDList input) {
        Block child = getChildren().get(index).getValue();
        if (!(child instanceof Conv2d) || !ChannelsLast.ENABLED) {
            return input;
        }
        return new NDList(ChannelsLast.of(input.singletonOrThrow()));
    }

    /** The output shape of one sample, {@code (channels, height, width)}. */
    public Shape outputShape() {
        return new Shape(outputChannels, height, width);
    }

    private static Conv2d conv3x3(int filters, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(filters)
                .optPadding(new Shape(1, 1))
                .optBias(bias)
                .build();
    }
}
