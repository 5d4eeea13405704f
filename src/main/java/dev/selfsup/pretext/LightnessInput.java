package dev.selfsup.pretext;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.nn.ConstantArray;

/**
 * A parameter-free input layer that shows an encoder only an image's lightness: standardised RGB
 * {@code (batch, 3, H, W)} is brought back to [0, 1] with the training set's {@link ChannelStats},
 * converted to CIE L ({@link CieLab}), scaled to {@code L / 50 - 1} in [-1, 1] and repeated to 3
 * channels, {@code (batch, 3, H, W)}. Colorization puts it in front of its backbone, so the
 * backbone sees gray input both in training and in evaluation (kNN, linear probe, embedding
 * export all run the backbone block, this layer included), as in Zhang et al.'s transfer tests.
 */
public final class LightnessInput extends AbstractBlock {
    private final ConstantArray mean;
    private final ConstantArray std;

    /** @param stats the standardisation of the RGB input (3 channels) */
    public LightnessInput(ChannelStats stats) {
        if (stats.channels() != 3) {
            throw new IllegalArgumentException("lightness input needs RGB statistics (3 channels), "
                    + "found " + stats.channels());
        }
        this.mean = new ConstantArray(stats.mean(), new Shape(1, 3, 1, 1));
        this.std = new ConstantArray(stats.std(), new Shape(1, 3, 1, 1));
    }

    /** RGB in [0, 1] of standardised images, {@code (batch, 3, H, W)}. */
    public NDArray rgb(NDArray standardized) {
        NDManager manager = standardized.getManager();
        NDArray m = mean.in(manager); // (1, 3, 1, 1)
        NDArray s = std.in(manager);
        return standardized.mul(s).add(m).clip(0f, 1f);
    }

    /** The lightness of standardised images as the encoder sees it, {@code (batch, 3, H, W)}. */
    public NDArray lightness(NDArray standardized) {
        NDArray l = CieLab.fromRgb(rgb(standardized)).get(new NDIndex(":, 0:1")); // (batch, 1, H, W)
        return l.div(50f).sub(1f).repeat(1, 3);
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow().toType(DataType.FLOAT32, false);
        if (images.getShape().dimension() != 4 || images.getShape().get(1) != 3) {
            throw new IllegalArgumentException("lightness input takes (batch, 3, H, W), found "
                    + images.getShape());
        }
        return new NDList(lightness(images.stopGradient()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
