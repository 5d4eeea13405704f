package dev.selfsup.cli;

import dev.selfsup.augment.AugmentThroughput;
import dev.selfsup.augment.ViewRecipe;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.bench.KnnBenchmark;
import dev.selfsup.bench.TrainBenchmark;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code selfsup bench augment|train|knn}: throughput figures for BENCHMARKS.md. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput; with --json the last line is one JSON object.",
        subcommands = {BenchCommand.Augment.class, BenchCommand.Train.class, BenchCommand.Knn.class,
            BenchCommand.Pipeline.class})
final class BenchCommand implements Runnable {
    @Option(names = "--json", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print one JSON object on the last line.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a benchmark is required: augment, train, knn or pipeline");
    }

    static int print(boolean json, Map<String, Object> figures) throws Exception {
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(figures));
        } else {
            figures.forEach((k, v) -> System.out.printf("%-20s %s%n", k, v));
        }
        return 0;
    }

    /** Views per second of a view recipe. */
    @Command(name = "augment", mixinStandardHelpOptions = true,
            description = "Views/s of a view recipe on synthetic images (per run, all threads).")
    static final class Augment implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--recipe", defaultValue = "simclr") String recipe;
        @Option(names = "--image-size", defaultValue = "32") int imageSize;
        @Option(names = "--channels", defaultValue = "3") int channels;
        @Option(names = "--threads", defaultValue = "1") int threads;
        @Option(names = "--seconds", defaultValue = "5") double seconds;

        @Override
        public Integer call() throws Exception {
            ViewRecipe viewRecipe = ViewRecipes.byName(recipe, imageSize);
            ImageSet images = AugmentThroughput.syntheticImages(1024, channels, imageSize, 1);
            double viewsPerSecond = AugmentThroughput.viewsPerSecond(viewRecipe, images, threads, seconds);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "augment");
            figures.put("recipe", recipe);
            figures.put("channels", channels);
            figures.put("image_size", imageSize);
            figures.put("threads", threads);
            figures.put("views_per_second", Math.round(viewsPerSecond));
            figures.put("views_per_second_per_thread", Math.round(viewsPerSecond / threads));
            return print(parent.json, figures);
        }
    }

    /** Median training step time. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Median step (forward + NT-Xent + backward + Adam) on random inputs.")
    static final class Train implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--backbone", defaultValue = "mlp") String backbone;
        @Option(names = "--batch-size", defaultValue = "256") int batchSize;
        @Option(names = "--image-size", defaultValue = "32") int imageSize;
        @Option(names = "--channels", defaultValue = "3") int channels;
        @Option(names = "--threads", description = "Default: all cores.") Integer threads;
        @Option(names = "--steps", defaultValue = "10") int steps;
        @Option(names = "--profile", paramLabel = "TRACE.json", description = "Write libtorch's "
                + "profiler trace of the timed steps (Chrome trace JSON; step times read high).")
        java.nio.file.Path profile;

        @Override
        public Integer call() throws Exception {
            TrainBenchmark.Result r = TrainBenchmark.run(backbone, batchSize, channels, imageSize,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(), steps,
                    profile);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "train");
            figures.put("model", r.backbone());
            figures.put("batch", r.batchSize());
            figures.put("input", r.channels() + "x" + r.imageSize() + "x" + r.imageSize());
            figures.put("threads", r.threads());
            figures.put("steps", r.steps());
            figures.put("median_step_ms", Math.round(r.medianStepMillis() * 10) / 10.0);
            figures.put("views_per_second", Math.round(r.viewsPerSecond()));
            figures.put("peak_rss_mb", r.peakRssBytes() >> 20);
            return print(parent.json, figures);
        }
    }

    /** Chunked kNN classification time. */
    @Command(name = "knn", mixinStandardHelpOptions = true,
            description = "Time to classify random queries against a random bank (k=200).")
    static final class Knn implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--queries", defaultValue = "10000") int queries;
        @Option(names = "--bank", defaultValue = "60000") int bank;
        @Option(names = "--dim", defaultValue = "512") int dim;
        @Option(names = "--threads", description = "Default: all cores.") Integer threads;

        @Override
        public Integer call() throws Exception {
            KnnBenchmark.Result r = KnnBenchmark.run(queries, bank, dim,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors());
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "knn");
            figures.put("queries", r.queries());
            figures.put("bank", r.bank());
            figures.put("dim", r.dim());
            figures.put("threads", r.threads());
            figures.put("seconds", Math.round(r.seconds() * 100) / 100.0);
            figures.put("queries_per_second", Math.round(r.queriesPerSecond()));
            return print(parent.json, figures);
        }
    }

    /** Loader-fed steps against pre-built batches, and RSS over many steps. */
    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Wall time of steps fed by the augmentation pipeline over the same steps "
                    + "on pre-built batches, then RSS sampled over --memory-steps more steps.")
    static final class Pipeline implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        @Option(names = "--backbone", defaultValue = "mlp") String backbone;
        @Option(names = "--batch-size", defaultValue = "256") int batchSize;
        @Option(names = "--steps", defaultValue = "30") int steps;
        @Option(names = "--workers", defaultValue = "1") int workers;
        @Option(names = "--threads", description = "Default: all cores.") Integer threads;
        @Option(names = "--memory-steps", defaultValue = "0") int memorySteps;

        @Override
        public Integer call() throws Exception {
            dev.selfsup.bench.PipelineBenchmark.Result r = dev.selfsup.bench.PipelineBenchmark.run(
                    backbone, batchSize, steps, workers,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors(),
                    memorySteps);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("benchmark", "pipeline");
            figures.put("model", r.backbone());
            figures.put("batch", r.batchSize());
            figures.put("steps", r.steps());
            figures.put("workers", r.workers());
            figures.put("loader_seconds", Math.round(r.loaderSeconds() * 100) / 100.0);
            figures.put("prebuilt_seconds", Math.round(r.prebuiltSeconds() * 100) / 100.0);
            figures.put("ratio", Math.round(r.ratio() * 1000) / 1000.0);
            figures.put("memory_steps", memorySteps);
            figures.put("rss_mb_samples", r.rssSamplesMb());
            return print(parent.json, figures);
        }
    }
}
