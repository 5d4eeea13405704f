package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.augment.MultiViewLoader;
import dev.selfsup.augment.ViewRecipe;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.KnnClassifier;
import dev.selfsup.eval.Metrics;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.method.PictureSheet;
import dev.selfsup.nn.Backbones;
import dev.selfsup.report.PictureGrid;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.util.Json;
import dev.selfsup.util.Seeds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Runs self-supervised pre-training: epochs of multi-view batches through a {@link Method}, an
 * optimiser step per batch under a warm-up + cosine schedule, and after every epoch one line of
 * {@code metrics.jsonl} (with the kNN monitor and the collapse monitor), a checkpoint and a
 * refreshed {@code report.html}.
 *
 * <p>Native memory: the model's parameters live in the model manager, the optimiser's state in a
 * child of it, and every step's arrays in a step manager closed at the end of the step.
 */
public final class Pretrainer {
    /**
     * embedding_std below this is reported as collapse. Spread-out features score near 1 (ReLU
     * features of a healthy CNN about 0.4 to 0.6); the tutorial method, whose views agree
     * perfectly, falls to about 0.14 on small data.
     */
    public static final double COLLAPSE_THRESHOLD = 0.2;
    /** Images per forward pass when extracting features for the kNN monitor. */
    private static final int FEATURE_BATCH = 256;
    /** Test images shown in a method's pictures. */
    private static final int PICTURE_COUNT = 8;

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

    public Pretrainer(PretrainConfig config, DataSplits data, ProgressListener listener) {
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
        Path configFile = runDir.resolve(Provenance.CONFIG_FILE);
        TorchRuntime.setThreads(config.threads());
        TorchRuntime.setSeed(config.seed());
        ChannelStats stats = ChannelStats.of(data.train());
        ViewRecipe recipe = recipe(config, data);
        Method method = buildMethod(config, data, recipe, stats);
        if (checkpoint.isEmpty()) {
            Json.write(configFile, Provenance.describe(config, data));
        }
        long trainStart = System.nanoTime();
        try (NDManager modelManager = NDManager.newBaseManager();
                MultiViewLoader loader = new MultiViewLoader(data.train(), recipe, stats,
                        config.batchSize(), method.viewCount(), config.seed(), config.workers(),
                        Math.max(2, config.workers() + 1))) {
            method.model().initialize(modelManager, (long) config.batchSize() * method.viewCount());
            PairList<String, Parameter> parameters = method.model().getParameters();
            for (Pair<String, Parameter> entry : parameters) {
                if (entry.getValue().requiresGradient()) {
                    entry.getValue().getArray().setRequiresGradient(true);
                }
            }
            method.afterInitialize();
            try (Optimizer optimizer = Optimizer.create(config.optimizer(), modelManager,
                    config.weightDecay())) {
                int startEpoch = 0;
                long step = 0;
                if (checkpoint.isPresent()) {
                    CheckpointState state = Checkpoints.readState(checkpoint.get());
                    Checkpoints.loadModel(checkpoint.get(), method.model(), modelManager);
                    Checkpoints.loadOptimizer(checkpoint.get(), optimizer, method.model(),
                            state.optimizerUpdates(), modelManager);
                    startEpoch = state.epoch();
                    step = state.step();
                }
                List<EpochMetrics> history = MetricsFile.truncate(runDir, startEpoch,
                        EpochMetrics.class);
                int stepsPerEpoch = loader.batchesPerEpoch();
                CosineSchedule schedule = new CosineSchedule(config.learningRate(),
                        (long) config.warmupEpochs() * stepsPerEpoch,
                        (long) config.epochs() * stepsPerEpoch);
                Path lastCheckpoint = checkpoint.orElse(null);
                if (startEpoch == config.epochs()) {
                    listener.note(Resumption.completeMessage(runDir, startEpoch));
                }
                if (data.train().isLabelled() && !hasKnnMonitor()) {
                    listener.warn(data.name() + " has one class (" + data.train().classNames()
                            .get(0) + "): training ignores labels, but there is no kNN monitor "
                            + "(it needs at least 2 classes)");
                }
                for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
                    EpochMetrics metrics = trainEpoch(method, optimizer, loader, schedule,
                            epoch, step, stepsPerEpoch, modelManager, stats);
                    Checkpoints.requireFiniteWeights(method.model(), epoch, step, metrics.step());
                    step = metrics.step();
                    history.add(metrics);
                    MetricsFile.append(runDir, metrics);
                    lastCheckpoint = Checkpoints.save(runDir, method.model(), optimizer,
                            new CheckpointState(epoch + 1, step, optimizer.updateCount(),
                                    method.name(), config.backbone(), data.train().channels(),
                                    recipe.outputSize(), recipe.outputSize(), config.temperature(),
                                    stats.mean(), stats.std(), config.queueSize()),
                            config.keepCheckpoints());
                    writePictures(method, runDir, epoch, modelManager, stats);
                    ReportWriter.write(runDir);
                    listener.epochFinished(metrics);
                }
                double seconds = (System.nanoTime() - trainStart) / 1e9;
                return new Result(runDir, history, seconds, lastCheckpoint);
            }
        }
    }

    private EpochMetrics trainEpoch(Method method, Optimizer optimizer, MultiViewLoader loader,
            CosineSchedule schedule, int epoch, long firstStep, int stepsPerEpoch,
            NDManager modelManager, ChannelStats stats) {
        listener.epochStarted(epoch + 1, config.epochs(), stepsPerEpoch, 0);
        TrainingStep trainingStep = new TrainingStep(method, optimizer, modelManager);
        long[] shape = loader.batchShape();
        long step = firstStep;
        double lossSum = 0;
        double learningRate = 0;
        long start = System.nanoTime();
        Iterator<float[]> batches = loader.epoch(epoch, 0);
        int done = 0;
        while (batches.hasNext()) {
            float[] batch = batches.next();
            learningRate = schedule.learningRate(step);
            // libtorch draws of the step (masks, noise) depend on (seed, step) only, so a
            // resumed run repeats them
            TorchRuntime.setSeed(Seeds.derive(config.seed(), step));
            float loss;
            try {
                loss = trainingStep.run(batch, shape, learningRate, step,
                        (long) config.epochs() * stepsPerEpoch);
                loader.recycle(batch); // the step copied it into its own buffer
            } catch (TrainingDivergedException e) {
                throw new TrainingDivergedException(e.getMessage() + " at step " + (step + 1)
                        + " (epoch " + (epoch + 1) + "); lower --lr or check the data. "
                        + "No checkpoint of this state was saved.");
            }
            lossSum += loss;
            step++;
            done++;
            double seconds = (System.nanoTime() - start) / 1e9;
            listener.stepFinished(step, loss, done * shape[0] / seconds);
        }
        double epochSeconds = (System.nanoTime() - start) / 1e9;
        listener.epochTrained(epoch + 1);
        Double knn = null;
        Double std = null;
        boolean last = epoch + 1 == config.epochs();
        if (hasKnnMonitor() && ((epoch + 1) % config.evalEvery() == 0 || last)) {
            FeatureMatrix bank = Features.extract(method.backbone().block(), data.train(), stats,
                    FEATURE_BATCH, modelManager);
            FeatureMatrix queries = Features.extract(method.backbone().block(), data.test(), stats,
                    FEATURE_BATCH, modelManager);
            knn = KnnClassifier.standard().accuracy(bank, data.train().labels(), queries,
                    data.test().labels(), data.train().classCount(), modelManager);
            std = Metrics.embeddingStd(queries);
            if (std < COLLAPSE_THRESHOLD) {
                listener.warn(String.format("epoch %d: embedding_std %.3f: the embeddings are "
                        + "collapsing (nearly every image maps to the same point)", epoch + 1, std));
            }
        }
        return new EpochMetrics(epoch + 1, step, lossSum / Math.max(1, done), learningRate,
                done * shape[0] / epochSeconds, knn, std, epochSeconds, peakRssMb());
    }

    /**
     * Whether epochs report kNN accuracy: both splits labelled with at least 2 classes (on one
     * class every guess is right). A one-class folder still pre-trains: training ignores labels.
     */
    private boolean hasKnnMonitor() {
        return data.train().isLabelled() && data.test().isLabelled()
                && data.train().classCount() >= 2;
    }

    private static Double peakRssMb() {
        long mb = dev.selfsup.util.ProcessStats.peakRssMb();
        return mb > 0 ? (double) mb : null;
    }

    /**
     * Writes {@code pictures/<method>-epoch-NNNN.png} when the method draws pictures, of the first
     * {@value #PICTURE_COUNT} test images (training images if there are no test images).
     */
    private void writePictures(Method method, Path runDir, int epoch,
            NDManager modelManager, ChannelStats stats) throws IOException {
        ImageSet images = data.test().size() > 0 ? data.test() : data.train();
        int count = Math.min(PICTURE_COUNT, images.size());
        float[] values = new float[count * images.imageVolume()];
        stats.standardizeImages(images, 0, count, values);
        try (NDManager manager = modelManager.newSubManager()) {
            NDArray batch = manager.create(values,
                    new Shape(count, images.channels(), images.height(), images.width()));
            Optional<PictureSheet> sheet = method.pictures(new ParameterStore(manager, false),
                    batch, stats);
            if (sheet.isPresent()) {
                PictureGrid.write(runDir.resolve(ReportWriter.PICTURES_DIRECTORY).resolve(
                        String.format("%s-epoch-%04d.png", method.name(), epoch + 1)), sheet.get());
            }
        }
    }

    /**
     * Reads and writes a run's {@code metrics.jsonl}, one JSON line per epoch ({@link EpochMetrics}
     * for image runs, {@link TextEpochMetrics} for text runs).
     */
    static final class MetricsFile {
        static final String FILE_NAME = "metrics.jsonl";

        private MetricsFile() {}

        static void append(Path runDir, Object metrics) throws IOException {
            String line = Json.COMPACT.writeValueAsString(metrics) + "\n";
            Files.writeString(runDir.resolve(FILE_NAME), line, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        /**
         * Keeps the lines of epochs up to {@code epochs} (a resumed run redoes the rest) and
         * returns them read as {@code type}.
         *
         * @throws IOException naming the file and line when a line is not an epoch's metrics
         */
        static <T> List<T> truncate(Path runDir, int epochs, Class<T> type) throws IOException {
            Path file = runDir.resolve(FILE_NAME);
            List<T> kept = new ArrayList<>();
            if (!Files.exists(file)) {
                return kept;
            }
            StringBuilder text = new StringBuilder();
            String content = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = content.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                T metrics;
                try {
                    node = Json.COMPACT.readTree(line);
                    metrics = Json.COMPACT.treeToValue(node, type);
                } catch (JacksonException e) {
                    if (i == lines.size() - 1 && !content.endsWith("\n")) {
                        break; // an append cut short by a crash: its epoch was never saved
                    }
                    throw new IOException(file + ": line " + (i + 1) + ": not an epoch's metrics: "
                            + e.getOriginalMessage(), e);
                }
                if (node.path("epoch").asInt() <= epochs) {
                    kept.add(metrics);
                    text.append(line).append('\n');
                }
            }
            dev.selfsup.util.AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
            return kept;
        }
    }
}
