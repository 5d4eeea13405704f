package dev.selfsup.train;

import dev.selfsup.augment.ViewRecipe;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs self-supervised pre-training on images: epochs of multi-view batches through a
 * {@link Method} in the {@link TrainingLoop}, an optimiser step per batch under a warm-up +
 * cosine schedule, and after every epoch one line of {@code metrics.jsonl} (with the kNN monitor
 * and the collapse monitor), a checkpoint and a refreshed {@code report.html}.
 */
public final class Pretrainer {
    /**
     * embedding_std below this is reported as collapse. Spread-out features score near 1 (ReLU
     * features of a healthy CNN about 0.4 to 0.6); the tutorial method, whose views agree
     * perfectly, falls to about 0.14 on small data.
     */
    public static final double COLLAPSE_THRESHOLD = 0.2;

    private final PretrainConfig config;
    private final DataSplits data;
    private final ProgressListener listener;

    /** The outcome of a run. */
    public record Result(Path runDir, List<EpochMetrics> epochs, double trainSeconds,
            Path checkpoint) {
        /** The last epoch's metrics. */
        public EpochMetrics last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    /**
     * @throws IllegalArgumentException when the config asks for bf16 where it cannot run (a CPU
     *     without bf16 instructions), before anything is written
     */
    public Pretrainer(PretrainConfig config, DataSplits data, ProgressListener listener) {
        if (config.bf16()) {
            dev.selfsup.nn.Bf16Autocast.requireAvailable();
        }
        this.config = config;
        this.data = data;
        this.listener = listener;
    }

    /** Builds the method this config describes, for images shaped like {@code data}. */
    public static Method buildMethod(PretrainConfig config, DataSplits data) {
        return buildMethod(config, data, recipe(config, data), ChannelStats.of(data.train()));
    }

    private static ViewRecipe recipe(PretrainConfig config, DataSplits data) {
        return ViewRecipes.byName(config.recipe(), data.train().height(), config.minCropScale(),
                config.rotationDegrees(), config.colorJitterStrength());
    }

    private static Method buildMethod(PretrainConfig config, DataSplits data, ViewRecipe recipe,
            ChannelStats stats) {
        return Methods.build(config.method(), config.backbone(), data.train().channels(),
                recipe.outputSize(), recipe.outputSize(), config.methodOptions(stats));
    }

    /**
     * Trains into {@code runDir}.
     *
     * <p>Resuming continues from the newest complete checkpoint with this config, which must be
     * the run's ({@link PretrainConfig#readFrom}) but for the settings {@link Resumption} lets
     * change: more epochs ({@code readFrom(runDir).withEpochs(n)}; from the resume point on the
     * schedule is that of an {@code n}-epoch run, the warm-up as long as it was) and
     * {@linkplain PretrainConfig#withRunSettings how it runs}. The changes are written into
     * {@code config.json} before training goes on. A run that has trained all its epochs trains
     * nothing and says so ({@link ProgressListener#note}).
     *
     * @param resume continue the run in {@code runDir} (from scratch if it has no checkpoint
     *     yet); otherwise {@code runDir} must not hold a run yet
     * @throws IllegalArgumentException when resuming with a config that changes another setting,
     *     or asks for fewer epochs than the run has trained
     * @throws IOException also when another run trains in {@code runDir} now ({@link RunLock})
     */
    public Result run(Path runDir, boolean resume) throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            Optional<Path> checkpoint = Checkpoints.startingPoint(runDir, resume);
            if (checkpoint.isPresent()) {
                CheckpointState state = Checkpoints.readState(checkpoint.get());
                Resumption.record(runDir, config, Resumption.changes(runDir,
                        PretrainConfig.readFrom(runDir), config, state.epoch()), state.step());
            }
            return train(runDir, checkpoint);
        }
    }

    private Result train(Path runDir, Optional<Path> checkpoint) throws IOException {
        TorchRuntime.setThreads(config.threads());
        TorchRuntime.setSeed(config.seed());
        ChannelStats stats = ChannelStats.of(data.train());
        ViewRecipe recipe = recipe(config, data);
        Method method = buildMethod(config, data, recipe, stats);
        method.model().setBf16(config.bf16());
        if (checkpoint.isEmpty()) {
            Json.write(runDir.resolve(Provenance.CONFIG_FILE), Provenance.describe(config, data));
        }
        Optional<TrainingLoop.Start> start = Optional.empty();
        if (checkpoint.isPresent()) {
            CheckpointState state = Checkpoints.readState(checkpoint.get());
            start = Optional.of(new TrainingLoop.Start(checkpoint.get(), state.epoch(),
                    state.step(), state.optimizerUpdates()));
        }
        if (data.train().isLabelled() && !ImageTask.hasKnnMonitor(data)) {
            listener.warn(data.name() + " has one class (" + data.train().classNames().get(0)
                    + "): training ignores labels, but there is no kNN monitor (it needs at "
                    + "least 2 classes)");
        }
        long trainStart = System.nanoTime();
        try (ImageTask task = ImageTask.open(method, config.backbone(), data, recipe, stats,
                config, listener)) {
            TrainingLoop.Settings settings = new TrainingLoop.Settings(config.epochs(),
                    config.learningRate(), Math.round(config.warmupEpochs() * task.stepsPerEpoch()),
                    config.optimizer(), config.weightDecay(), config.seed(),
                    config.keepCheckpoints());
            TrainingLoop.Outcome<EpochMetrics> outcome = TrainingLoop.run(runDir, start, task,
                    settings, listener);
            double seconds = (System.nanoTime() - trainStart) / 1e9;
            return new Result(runDir, outcome.epochs(), seconds, outcome.checkpoint());
        }
    }
}
