package dev.selfsup.cli;

import dev.selfsup.augment.AugmentThroughput;
import dev.selfsup.bench.KnnBenchmark;
import dev.selfsup.bench.TrainBenchmark;
import dev.selfsup.train.Provenance;
import dev.selfsup.util.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code selfsup bench augment|train|embed|knn|pipeline|gemm|tsne}: throughput figures for
 * BENCHMARKS.md.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput; with --json the last line is one JSON object.",
        subcommands = {BenchCommand.Augment.class, BenchCommand.Train.class, BenchCommand.Embed.class,
            BenchCommand.Knn.class,
            BenchCommand.Pipeline.class, BenchCommand.Gemm.class, BenchCommand.Tsne.class})
final class BenchCommand implements Runnable {
    @Option(names = "--json", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Print one JSON object on the last line.")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a benchmark is required: augment, train, embed, knn, pipeline, gemm or tsne");
    }

    /**
     * Prints a benchmark's result record: as one JSON line, or one {@code name value} line per
     * field. Fractions are rounded to 3 decimals. The last field, {@code setup}, is what the
     * figures depend on, as the peers print theirs: versions, CPU, malloc and the environment
     * variables that tune threads, BLAS and the allocator.
     */
    static int print(boolean json, Object result) throws Exception {
        Map<String, Object> figures = Json.COMPACT.convertValue(result,
                new com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>>() {});
        figures.replaceAll((name, value) -> value instanceof Double d
                ? Math.round(d * 1000) / 1000.0 : value);
        Map<String, Object> setup = new LinkedHashMap<>(Provenance.versions());
        setup.putAll(Provenance.environment());
        figures.put("setup", setup);
        if (json) {
            System.out.println(Json.COMPACT.writeValueAsString(figures));
        } else {
            figures.forEach((k, v) -> System.out.printf("%-28s %s%n", k, v));
        }
        return 0;
    }

    /** A benchmark: prints the result record of {@link #measure()} as {@link #print} does. */
    @Command
    abstract static class Benchmark implements Callable<Integer> {
        @ParentCommand
        BenchCommand parent;

        /** Runs the benchmark and returns its result record. */
        abstract Object measure() throws Exception;

        @Override
        public Integer call() throws Exception {
            return print(parent.json, measure());
        }
    }

    /** {@code --backbone} and {@code --batch-size}: the model a training benchmark steps. */
    static final class ModelOptions {
        @Option(names = "--backbone", defaultValue = "mlp") String backbone;
        @Option(names = "--batch-size", defaultValue = "256") int batchSize;
    }

    /** {@code --image-size} and {@code --channels}: the synthetic images' shape. */
    static final class ImageOptions {
        @Option(names = "--image-size", defaultValue = "32") int imageSize;
        @Option(names = "--channels", defaultValue = "3") int channels;
    }

    /** Views per second of a view recipe. */
    @Command(name = "augment", mixinStandardHelpOptions = true,
            description = "Views/s of a view recipe on synthetic images (per run, all threads).")
    static final class Augment extends Benchmark {
        @Option(names = "--recipe", defaultValue = "simclr") String recipe;
        @Mixin
        ImageOptions image = new ImageOptions();
        @Option(names = "--threads", defaultValue = "1") int threads;
        @Option(names = "--seconds", defaultValue = "5") double seconds;

        @Override
        Object measure() {
            return AugmentThroughput.measure(recipe, image.channels, image.imageSize, threads,
                    seconds);
        }
    }

    /** Median training step time. */
    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Median step (forward + NT-Xent + backward + Adam) on random inputs.")
    static final class Train extends Benchmark {
        @Mixin
        ModelOptions model = new ModelOptions();
        @Mixin
        ImageOptions image = new ImageOptions();
        @Mixin
        ThreadsOption threads = new ThreadsOption();
        @Option(names = "--steps", defaultValue = "10") int steps;
        @Option(names = "--profile", paramLabel = "TRACE.json", description = "Write libtorch's "
                + "profiler trace of the timed steps (Chrome trace JSON; step times read high).")
        java.nio.file.Path profile;
        @Mixin
        PrecisionOption precision = new PrecisionOption();

        @Override
        Object measure() throws Exception {
            return TrainBenchmark.run(model.backbone, model.batchSize, image.channels,
                    image.imageSize, threads.resolved(), steps, profile, precision.bf16());
        }
    }

    /** Images per second of the inference pass. */
    @Command(name = "embed", mixinStandardHelpOptions = true,
            description = "Median time to embed random images through a fresh backbone in "
                    + "inference mode, batches of 256 (the pass of embed, eval and the kNN "
                    + "monitor).")
    static final class Embed extends Benchmark {
        @Option(names = "--backbone", defaultValue = "small-resnet") String backbone;
        @Mixin
        ImageOptions image = new ImageOptions();
        @Option(names = "--images", defaultValue = "10000",
                description = "Images per timed pass (default: ${DEFAULT-VALUE}).")
        int images;
        @Option(names = "--repeats", defaultValue = "3",
                description = "Timed passes; the median is reported (default: ${DEFAULT-VALUE}).")
        int repeats;
        @Mixin
        ThreadsOption threads = new ThreadsOption();
        @Mixin
        PrecisionOption precision = new PrecisionOption();

        @Override
        Object measure() throws Exception {
            return dev.selfsup.bench.EmbedBenchmark.run(backbone, image.channels,
                    image.imageSize, images, threads.resolved(), repeats, precision.bf16());
        }
    }

    /** Chunked kNN classification time. */
    @Command(name = "knn", mixinStandardHelpOptions = true,
            description = "Time to classify random queries against a random bank (k=200).")
    static final class Knn extends Benchmark {
        @Option(names = "--queries", defaultValue = "10000") int queries;
        @Option(names = "--bank", defaultValue = "60000") int bank;
        @Option(names = "--dim", defaultValue = "512") int dim;
        @Mixin
        ThreadsOption threads = new ThreadsOption();

        @Override
        Object measure() throws Exception {
            return KnnBenchmark.run(queries, bank, dim, threads.resolved());
        }
    }

    /** Loader-fed steps against pre-built batches, and RSS over many steps. */
    @Command(name = "pipeline", mixinStandardHelpOptions = true,
            description = "Wall time of steps fed by the augmentation pipeline over the same steps "
                    + "on pre-built batches, then RSS sampled over --memory-steps more steps.")
    static final class Pipeline extends Benchmark {
        @Mixin
        ModelOptions model = new ModelOptions();
        @Option(names = "--steps", defaultValue = "30") int steps;
        @Option(names = "--workers", defaultValue = "1") int workers;
        @Mixin
        ThreadsOption threads = new ThreadsOption();
        @Option(names = "--memory-steps", defaultValue = "0") int memorySteps;

        @Override
        Object measure() throws Exception {
            return dev.selfsup.bench.PipelineBenchmark.run(model.backbone, model.batchSize, steps,
                    workers, threads.resolved(), memorySteps);
        }
    }

    /** The matrix-product ceiling. */
    @Command(name = "gemm", mixinStandardHelpOptions = true,
            description = "GFLOP/s of square float32 matrix products through libtorch, checked "
                    + "against float64 first: the ceiling a training step's GFLOP/s (bench "
                    + "train) is a share of.")
    static final class Gemm extends Benchmark {
        @Option(names = "--size", defaultValue = "4096", paramLabel = "N",
                description = "Side of the square matrices (default: ${DEFAULT-VALUE}).")
        int size;

        @Option(names = "--repeats", defaultValue = "10",
                description = "Timed products (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Mixin
        ThreadsOption threads = new ThreadsOption();

        @Mixin
        PrecisionOption precision = new PrecisionOption();

        @Override
        Object measure() throws Exception {
            return dev.selfsup.bench.GemmBenchmark.run(size, threads.resolved(), repeats,
                    precision.bf16());
        }
    }

    /** Exact t-SNE time, as the report's map of at most 2,000 points takes. */
    @Command(name = "tsne", mixinStandardHelpOptions = true,
            description = "Time of an exact t-SNE fit (perplexity 30, 1000 iterations) of random "
                    + "points in ten blobs.")
    static final class Tsne extends Benchmark {
        @Option(names = "--points", defaultValue = "2000",
                description = "Points mapped (default: ${DEFAULT-VALUE}).")
        int points;

        @Option(names = "--dim", defaultValue = "128",
                description = "Feature width (default: ${DEFAULT-VALUE}).")
        int dim;

        @Option(names = "--threads", paramLabel = "N",
                description = "Threads of the row loops (default: all cores).")
        Integer threads;

        @Override
        Object measure() throws Exception {
            return dev.selfsup.bench.TsneBenchmark.run(points, dim,
                    threads != null ? threads : Runtime.getRuntime().availableProcessors());
        }
    }
}
