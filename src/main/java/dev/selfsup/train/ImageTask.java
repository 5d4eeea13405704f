package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.MultiViewLoader;
import dev.selfsup.augment.PatchMask;
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
import dev.selfsup.method.PictureSheet;
import dev.selfsup.report.EmbeddingPictures;
import dev.selfsup.report.PictureGrid;
import dev.selfsup.report.ReportWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Optional;

/**
 * Images in the {@link TrainingLoop}: multi-view batches of an image set through an image
 * {@link Method}; after an epoch the kNN and collapse monitors (every {@code evalEvery} epochs
 * and the last) and the method's pictures.
 */
record ImageTask(Method method, String backbone, DataSplits data, ViewRecipe recipe,
        ChannelStats stats, PretrainConfig config, ProgressListener listener,
        MultiViewLoader loader, TrainingStep.ViewInput views, MonitorFeatures monitored)
        implements TrainingTask<EpochMetrics>, AutoCloseable {
    /** The features the kNN monitor last extracted, kept for the embedding pictures. */
    static final class MonitorFeatures {
        FeatureMatrix bank;
        FeatureMatrix queries;
    }

    /** Images per forward pass when extracting features for the kNN monitor. */
    private static final int FEATURE_BATCH = 256;
    /** Test images shown in a method's pictures. */
    private static final int PICTURE_COUNT = 8;

    /**
     * Opens the task: its loader's worker threads start here, and stop at {@link #close()}.
     *
     * @param backbone the backbone's registry name, written into checkpoints
     */
    static ImageTask open(Method method, String backbone, DataSplits data, ViewRecipe recipe,
            ChannelStats stats, PretrainConfig config, ProgressListener listener) {
        java.util.List<ViewRecipe> views = new java.util.ArrayList<>(
                java.util.Collections.nCopies(method.viewCount(), recipe));
        if (method.localViewCount() > 0) {
            ViewRecipe local = ViewRecipes.localCrops(method.localViewSize(recipe.outputSize()),
                    config.colorJitterStrength() != null ? config.colorJitterStrength()
                            : ViewRecipes.SIMCLR_JITTER_STRENGTH);
            views.addAll(java.util.Collections.nCopies(method.localViewCount(), local));
        }
        PatchMask masks = method.patchMask().orElse(null);
        MultiViewLoader loader = new MultiViewLoader(data.train(), views, stats,
                config.batchSize(), config.seed(), config.workers(),
                Math.max(2, config.workers() + 1), masks, masks == null ? 0 : method.viewCount());
        return new ImageTask(method, backbone, data, recipe, stats, config, listener, loader,
                new TrainingStep.ViewInput(method), new MonitorFeatures());
    }

    @Override
    public Block model() {
        return method.model();
    }

    @Override
    public void initialize(NDManager modelManager) {
        method.model().initialize(modelManager, (long) config.batchSize() * method.viewCount());
    }

    @Override
    public void afterInitialize() {
        method.afterInitialize();
    }

    @Override
    public int stepsPerEpoch() {
        return loader.batchesPerEpoch();
    }

    @Override
    public Class<EpochMetrics> metricsType() {
        return EpochMetrics.class;
    }

    @Override
    public Iterator<TrainingStep.Batch> batches(int epoch, long firstStep) {
        Iterator<float[]> arrays = loader.epoch(epoch, 0);
        java.util.List<long[]> groups = loader.viewGroups();
        long[] maskShape = loader.maskShape();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return arrays.hasNext();
            }

            @Override
            public TrainingStep.Batch next() {
                float[] values = arrays.next();
                // the step copies the values into its own buffer, then they go back to the loader
                return views.batch(values, groups, maskShape, () -> loader.recycle(values));
            }
        };
    }

    @Override
    public void beforeStep(long step, long totalSteps) {
        method.beforeStep(step, totalSteps);
    }

    @Override
    public void afterStep(long step, long totalSteps) {
        method.afterStep(step, totalSteps);
    }

    @Override
    public EpochMetrics finishEpoch(TrainingTask.EpochTotals totals, NDManager modelManager) {
        Double knn = null;
        Double std = null;
        int epoch = totals.epoch();
        java.util.Map<String, Double> diagnostics = method.epochDiagnostics();
        if (hasKnnMonitor(data) && (epoch % config.evalEvery() == 0 || epoch == config.epochs())) {
            // in the run's precision: a bf16 run's encoder is measured as it computes
            boolean bf16 = config.bf16();
            FeatureMatrix bank = Features.extract(method.backbone().block(), data.train(), stats,
                    FEATURE_BATCH, modelManager, bf16);
            FeatureMatrix queries = Features.extract(method.backbone().block(), data.test(), stats,
                    FEATURE_BATCH, modelManager, bf16);
            knn = KnnClassifier.standard().accuracy(bank, data.train().labels(), queries,
                    data.test().labels(), data.train().classCount(), modelManager);
            std = Metrics.embeddingStd(queries);
            monitored.bank = bank;
            monitored.queries = queries;
            if (std < Pretrainer.COLLAPSE_THRESHOLD) {
                listener.warn(String.format("epoch %d: embedding_std %.3f: the embeddings are "
                        + "collapsing (nearly every image maps to the same point)", epoch, std));
            }
        }
        return new EpochMetrics(epoch, totals.step(), totals.meanLoss(), totals.learningRate(),
                totals.examples() / totals.seconds(), knn, std, totals.seconds(), peakRssMb(),
                diagnostics.isEmpty() ? null : diagnostics);
    }

    @Override
    public Object checkpointState(int epoch, long step, long optimizerUpdates) {
        return new CheckpointState(epoch, step, optimizerUpdates, method.name(), backbone,
                data.train().channels(), recipe.outputSize(), recipe.outputSize(),
                config.temperature(), stats.mean(), stats.std(), config.queueSize());
    }

    /**
     * Writes the pictures of the features the kNN monitor just measured, if it ran: the maps of
     * the test embeddings ({@link EmbeddingPictures#writeMaps}: PCA, and t-SNE when due) and the
     * retrieval grid; and {@code pictures/<method>-epoch-NNNN.png} when the method draws
     * pictures, of the first {@value #PICTURE_COUNT} test images (training images if there are
     * no test images).
     */
    @Override
    public void afterCheckpoint(Path runDir, int epoch, NDManager modelManager) throws IOException {
        if (monitored.queries != null) {
            // the maps and the retrieval grid of the features the monitor just measured
            Path pictures = runDir.resolve(ReportWriter.PICTURES_DIRECTORY);
            EmbeddingPictures.writeMaps(pictures, monitored.queries, data.test().labels(),
                    data.test().classNames(), "test embeddings", epoch + 1, config.epochs(),
                    listener::note);
            EmbeddingPictures.writeRetrieval(pictures.resolve(EmbeddingPictures.RETRIEVAL_FILE),
                    monitored.bank, data.train(), monitored.queries, data.test());
            monitored.bank = null;
            monitored.queries = null;
        }
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

    @Override
    public String divergenceAdvice() {
        return "lower --lr or check the data";
    }

    /**
     * Whether epochs report kNN accuracy: both splits labelled with at least 2 classes (on one
     * class every guess is right). A one-class folder still pre-trains: training ignores labels.
     */
    static boolean hasKnnMonitor(DataSplits data) {
        return data.train().isLabelled() && data.test().isLabelled()
                && data.train().classCount() >= 2;
    }

    private static Double peakRssMb() {
        long mb = dev.selfsup.util.ProcessStats.peakRssMb();
        return mb > 0 ? (double) mb : null;
    }

    @Override
    public void close() {
        loader.close();
    }
}
