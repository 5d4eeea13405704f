package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.nn.InferenceFolding;
import java.nio.FloatBuffer;

/** Turns images into feature matrices: a backbone's features, or the raw pixels (the baseline). */
public final class Features {
    private Features() {}

    /** Pixels scaled to [0, 1] and flattened: {@code (count, channels*height*width)}. */
    public static FeatureMatrix rawPixels(ImageSet set) {
        int volume = set.imageVolume();
        float[] values = new float[set.size() * volume];
        byte[] pixels = set.pixels();
        for (int i = 0; i < values.length; i++) {
            values[i] = (pixels[i] & 0xFF) * (1f / 255f);
        }
        return new FeatureMatrix(values, set.size(), volume);
    }

    /**
     * The backbone's features of every image, in inference mode (batch norm uses its running
     * statistics), in float32, {@code (count, featureDim)}.
     *
     * @param backbone an initialised backbone taking {@code (batch, C, H, W)}
     * @param stats the standardisation the backbone was trained with
     * @param batchSize images per forward pass
     * @param parent the manager under which each batch gets (and closes) its own manager
     */
    public static FeatureMatrix extract(Block backbone, ImageSet set, ChannelStats stats,
            int batchSize, NDManager parent) {
        return extract(backbone, set, stats, batchSize, parent, false);
    }

    /**
     * As {@link #extract(Block, ImageSet, ChannelStats, int, NDManager)}, with {@code bf16} the
     * forward passes under libtorch's bfloat16 autocast ({@link Bf16Autocast}): about twice as
     * fast on CPUs with AMX, features rounded to bfloat16's 8 significant bits (returned as
     * float32). BENCHMARKS.md gives the speed and the kNN accuracy against float32.
     *
     * @throws IllegalArgumentException with {@code bf16} where bf16 cannot run (the CPU lacks
     *     bf16 instructions), naming why
     */
    public static FeatureMatrix extract(Block backbone, ImageSet set, ChannelStats stats,
            int batchSize, NDManager parent, boolean bf16) {
        if (bf16) {
            Bf16Autocast.requireAvailable();
        }
        if (set.size() == 0) {
            throw new IllegalArgumentException("cannot extract features of an empty image set");
        }
        int volume = set.imageVolume();
        float[] out = null;
        int dim = -1;
        float[] buffer = new float[batchSize * volume];
        // the weights stay as they are for the whole pass: each batch-norm fold is made once
        try (InferenceFolding folding = InferenceFolding.open(parent);
                Bf16Autocast autocast = bf16 ? Bf16Autocast.on() : null) {
            for (int start = 0; start < set.size(); start += batchSize) {
                int count = Math.min(batchSize, set.size() - start);
                stats.standardizeImages(set, start, count, buffer);
                try (NDManager batch = parent.newSubManager()) {
                    NDArray input = batch.create(FloatBuffer.wrap(buffer, 0, count * volume),
                            new Shape(count, set.channels(), set.height(), set.width()));
                    NDArray features = Bf16Autocast.float32(backbone.forward(
                            new ParameterStore(batch, false), new NDList(input), false)
                            .singletonOrThrow()); // (count, dim)
                    if (out == null) {
                        dim = Math.toIntExact(features.getShape().get(1));
                        out = new float[set.size() * dim];
                    }
                    float[] values = features.toFloatArray();
                    System.arraycopy(values, 0, out, start * dim, values.length);
                }
            }
        }
        return new FeatureMatrix(out, set.size(), dim);
    }
}
