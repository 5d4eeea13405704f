package dev.selfsup.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.augment.MultiViewLoader;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.data.ShapesDataset;
import dev.selfsup.method.Method;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.train.TrainingStep;
import dev.selfsup.util.ProcessStats;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Whether the data pipeline hides behind compute, and whether native memory stays flat: the same
 * training steps are timed once on batches the {@link MultiViewLoader} renders on the fly (worker
 * threads, prefetch) and once on the same batches built beforehand; the resident set size is
 * sampled as the steps run.
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {}

    /**
     * @param backbone the backbone
     * @param batchSize samples per step
     * @param steps steps per pass
     * @param workers augmentation threads
     * @param loaderSeconds wall time of the steps fed by the loader
     * @param prebuiltSeconds wall time of the same steps on pre-built batches
     * @param memorySteps steps of the memory run after the timed ones
     * @param rssSamplesMb resident set size after each pass of the memory run, in MB
     */
    @JsonPropertyOrder({"benchmark", "model", "batch", "steps", "workers", "loader_seconds",
        "prebuilt_seconds", "ratio", "memory_steps", "rss_mb_samples"})
    public record Result(@JsonProperty("model") String backbone,
            @JsonProperty("batch") int batchSize, int steps, int workers,
            @JsonProperty("loader_seconds") double loaderSeconds,
            @JsonProperty("prebuilt_seconds") double prebuiltSeconds,
            @JsonProperty("memory_steps") int memorySteps,
            @JsonProperty("rss_mb_samples") List<Long> rssSamplesMb) {
        /** {@code loaderSeconds / prebuiltSeconds}: 1.0 means the pipeline costs nothing. */
        @JsonProperty("ratio")
        public double ratio() {
            return loaderSeconds / prebuiltSeconds;
        }

        /** {@code "pipeline"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "pipeline";
        }
    }

    /**
     * Times {@code steps} steps both ways on generated shapes, then runs {@code memorySteps}
     * more loader-fed steps, sampling RSS every {@code memorySteps / 5} steps.
     */
    public static Result run(String backbone, int batchSize, int steps, int workers, int threads,
            int memorySteps) {
        TorchRuntime.setThreads(threads);
        TorchRuntime.setSeed(0);
        ImageSet images = ShapesDataset.generate(Math.max(batchSize * steps, batchSize * 4), 0, 0)
                .train();
        ChannelStats stats = ChannelStats.of(images);
        try (NDManager manager = NDManager.newBaseManager();
                MultiViewLoader loader = new MultiViewLoader(images, ViewRecipes.simclr(32), stats,
                        batchSize, 2, 0, workers, workers + 1)) {
            Method method = TrainBenchmark.build(backbone, 3, 32);
            method.model().initialize(manager, 2L * batchSize);
            for (Pair<String, Parameter> p : method.model().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                long[] shape = loader.batchShape();
                List<float[]> prebuilt = new ArrayList<>();
                Iterator<float[]> batches = loader.epoch(0, 0);
                for (int i = 0; i < steps && batches.hasNext(); i++) {
                    prebuilt.add(batches.next());
                }
                step.run(prebuilt.get(0), shape, 1e-3); // warm-up
                long start = System.nanoTime();
                for (float[] batch : prebuilt) {
                    step.run(batch, shape, 1e-3);
                }
                double prebuiltSeconds = (System.nanoTime() - start) / 1e9;
                start = System.nanoTime();
                batches = loader.epoch(1, 0);
                for (int i = 0; i < prebuilt.size(); i++) {
                    float[] batch = batches.next();
                    step.run(batch, shape, 1e-3);
                    loader.recycle(batch);
                }
                double loaderSeconds = (System.nanoTime() - start) / 1e9;
                List<Long> rss = new ArrayList<>();
                int every = Math.max(1, memorySteps / 5);
                int epoch = 2;
                batches = loader.epoch(epoch, 0);
                for (int i = 1; i <= memorySteps; i++) {
                    if (!batches.hasNext()) {
                        batches = loader.epoch(++epoch, 0);
                    }
                    float[] batch = batches.next();
                    step.run(batch, shape, 1e-3);
                    loader.recycle(batch);
                    if (i % every == 0) {
                        rss.add(ProcessStats.rssBytes() >> 20);
                    }
                }
                return new Result(backbone, batchSize, prebuilt.size(), workers, loaderSeconds,
                        prebuiltSeconds, memorySteps, rss);
            }
        }
    }
}
