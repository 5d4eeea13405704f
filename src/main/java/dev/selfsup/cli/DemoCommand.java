package dev.selfsup.cli;

import dev.selfsup.data.Datasets;
import dev.selfsup.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfsup demo}: SimCLR on the built-in shapes, measured against both baselines. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Pre-train SimCLR on the built-in shapes data, then compare kNN and linear "
                + "top-1 of raw pixels, a randomly initialised backbone and the trained one. "
                + "Writes runs/demo/summary.json and runs/demo/report.html.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--epochs", defaultValue = "" + Demo.DEFAULT_EPOCHS,
            description = "Default: ${DEFAULT-VALUE} (about 6 minutes on 2 cores).")
    int epochs;

    @Option(names = "--train-size", defaultValue = "" + Datasets.SHAPES_TRAIN_SIZE,
            description = "Default: ${DEFAULT-VALUE}.")
    int trainSize;

    @Option(names = "--test-size", defaultValue = "" + Datasets.SHAPES_TEST_SIZE,
            description = "Default: ${DEFAULT-VALUE}.")
    int testSize;

    @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--out", defaultValue = "runs/demo", paramLabel = "DIR",
            description = "Default: ${DEFAULT-VALUE} (replaced if it holds an earlier demo).")
    Path out;

    @Override
    public Integer call() throws Exception {
        Demo.Settings settings = new Demo.Settings(epochs, trainSize, testSize, seed,
                threads.resolved());
        try (ConsoleProgress progress = new ConsoleProgress(System.out)) {
            Demo.Summary summary = new Demo(settings, progress, System.out).run(out);
            return summary.beatsBaselines() ? 0 : 3;
        }
    }
}
