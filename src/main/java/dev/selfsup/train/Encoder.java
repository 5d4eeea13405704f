package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Features;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A backbone ready to embed images: a trained one loaded from a checkpoint, or a freshly
 * initialised one (the random-init baseline), with the input standardisation it expects.
 *
 * @param method the method whose backbone this is (heads included, unused here)
 * @param stats the input standardisation
 * @param state the checkpoint's state (for a random-init encoder, a synthetic one at epoch 0)
 */
public record Encoder(Method method, ChannelStats stats, CheckpointState state)
        implements FeatureEncoder<ImageSet> {

    /**
     * Loads the encoder of a checkpoint (a checkpoint directory or a run directory: its newest
     * checkpoint), with its parameters under {@code manager}.
     */
    public static Encoder load(Path path, NDManager manager) throws IOException {
        TorchRuntime.inferenceOnThisThread(); // any thread may embed, not only DJL's
        Path checkpoint = Checkpoints.resolve(path);
        CheckpointState state = Checkpoints.readState(checkpoint);
        ChannelStats stats = new ChannelStats(state.channelMean(), state.channelStd());
        Method method = methodOf(state);
        method.model().initialize(manager, 2);
        Checkpoints.loadModel(checkpoint, method.model(), manager);
        return new Encoder(method, stats, state);
    }

    /** The method a checkpoint was trained with, built afresh (uninitialised) from its state. */
    public static Method methodOf(CheckpointState state) {
        return Methods.build(state.method(), state.backbone(), state.channels(), state.height(),
                state.width(), new Methods.Options(state.temperature(), state.queueSize(),
                        new ChannelStats(state.channelMean(), state.channelStd()), null));
    }

    /**
     * A randomly initialised encoder (seeded), standardising with {@code stats}: the baseline a
     * trained encoder must beat.
     */
    public static Encoder randomInit(String backbone, ImageSet like, ChannelStats stats, long seed,
            NDManager manager) {
        TorchRuntime.setSeed(seed);
        Method method = Methods.build("tutorial", backbone, like.channels(), like.height(),
                like.width(), Methods.Options.defaults());
        method.model().initialize(manager, 2);
        CheckpointState state = new CheckpointState(0, 0, 0, "random-init", backbone,
                like.channels(), like.height(), like.width(), null, stats.mean(), stats.std(), null);
        return new Encoder(method, stats, state);
    }

    @Override
    public String methodName() {
        return state.method();
    }

    /** The backbone block. */
    public Block backbone() {
        return method.backbone().block();
    }

    /**
     * Features of every image of {@code set}, {@code (count, featureDim)}.
     *
     * @throws IllegalArgumentException if the images' shape differs from what the encoder takes
     */
    @Override
    public FeatureMatrix embed(ImageSet set, NDManager manager) {
        return embed(set, manager, false);
    }

    /**
     * Features of every image of {@code set}, {@code (count, featureDim)}, with {@code bf16}
     * computed under libtorch's bfloat16 autocast ({@link Features#extract(ai.djl.nn.Block,
     * ImageSet, ChannelStats, int, NDManager, boolean) Features.extract}: about twice as fast
     * on CPUs with AMX).
     *
     * @throws IllegalArgumentException if the images' shape differs from what the encoder takes,
     *     or with {@code bf16} where the CPU lacks bf16 instructions
     */
    public FeatureMatrix embed(ImageSet set, NDManager manager, boolean bf16) {
        TorchRuntime.inferenceOnThisThread(); // any thread may embed, not only DJL's
        if (set.channels() != state.channels() || set.height() != state.height()
                || set.width() != state.width()) {
            throw new IllegalArgumentException("the encoder takes " + state.channels() + "x"
                    + state.height() + "x" + state.width() + " images, the data has "
                    + set.channels() + "x" + set.height() + "x" + set.width()
                    + " (for folder data, set --image-size " + state.height() + ")");
        }
        return Features.extract(backbone(), set, stats, 256, manager, bf16);
    }
}
