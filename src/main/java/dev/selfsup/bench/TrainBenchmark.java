package dev.selfsup.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.method.Method;
import dev.selfsup.method.SimClr;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.ProjectionHead;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.train.TrainingStep;
import dev.selfsup.util.ProcessStats;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Times the training step the PyTorch peer script times: random inputs
 * {@code (2 * batch, channels, size, size)}, the backbone, a projection head where the peer has
 * one, NT-Xent at t = 0.5, backward, Adam at lr 1e-3; the median of the steps after one warm-up
 * step.
 *
 * <p>{@code mlp} is the tutorial MLP with NT-Xent on its 128-d output; {@code resnet18} and
 * {@code small-resnet} carry a {@code featureDim -> featureDim -> 128} projection head.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {}

    /**
     * One measurement.
     *
     * @param backbone the backbone's name
     * @param batchSize samples per step (2 views each)
     * @param channels input channels
     * @param imageSize input side
     * @param threads libtorch threads
     * @param steps timed steps
     * @param medianStepMillis median step time
     * @param viewsPerSecond {@code 2 * batch / median}
     * @param peakRssBytes the process's peak resident set size afterwards
     * @param stepGflop the step's arithmetic in 10^9 operations ({@link Flops}: 3 x 2 x the
     *     forward multiply-adds of the convolutions and linear layers)
     * @param precision {@code fp32}, or {@code bf16}: the backbone under bfloat16 autocast
     */
    @JsonPropertyOrder({"benchmark", "model", "batch", "input", "threads", "steps",
        "median_step_ms", "views_per_second", "peak_rss_mb", "step_gflop", "gflops",
        "precision"})
    public record Result(@JsonProperty("model") String backbone,
            @JsonProperty("batch") int batchSize, @JsonIgnore int channels,
            @JsonIgnore int imageSize, int threads, int steps,
            @JsonProperty("median_step_ms") double medianStepMillis,
            @JsonProperty("views_per_second") double viewsPerSecond,
            @JsonIgnore long peakRssBytes,
            @JsonProperty("step_gflop") double stepGflop, String precision) {
        /** {@code "train"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "train";
        }

        /** The input shape, {@code channels x size x size}. */
        @JsonProperty("input")
        public String input() {
            return channels + "x" + imageSize + "x" + imageSize;
        }

        /**
         * The rate the step does its arithmetic at, in 10^9 operations per second: compare it
         * with {@code selfsup bench gemm} on the same machine.
         */
        @JsonProperty("gflops")
        public double gflops() {
            return stepGflop / (medianStepMillis / 1000);
        }

        /** {@link #peakRssBytes} in MiB. */
        @JsonProperty("peak_rss_mb")
        public long peakRssMb() {
            return peakRssBytes >> 20;
        }
    }

    /** Runs one warm-up step and {@code steps} timed ones. */
    public static Result run(String backbone, int batchSize, int channels, int imageSize,
            int threads, int steps) {
        return run(backbone, batchSize, channels, imageSize, threads, steps, null);
    }

    /**
     * Runs one warm-up step and {@code steps} timed ones; with {@code profile} not null, writes
     * libtorch's profiler trace of the timed steps there (Chrome trace JSON). The profiler adds
     * its own cost, so the step times of a profiled run read high.
     */
    public static Result run(String backbone, int batchSize, int channels, int imageSize,
            int threads, int steps, java.nio.file.Path profile) {
        return run(backbone, batchSize, channels, imageSize, threads, steps, profile, false);
    }

    /**
     * As {@link #run(String, int, int, int, int, int, java.nio.file.Path)}, with the backbone's
     * forward pass under bfloat16 autocast when {@code bf16} ({@code --precision bf16}).
     *
     * @throws IllegalArgumentException for bf16 where it cannot run, with the reason
     */
    public static Result run(String backbone, int batchSize, int channels, int imageSize,
            int threads, int steps, java.nio.file.Path profile, boolean bf16) {
        if (steps <= 0 || batchSize < 2) {
            throw new IllegalArgumentException("need steps > 0 and batch size >= 2, found "
                    + steps + " and " + batchSize);
        }
        TorchRuntime.setThreads(threads);
        TorchRuntime.setSeed(0);
        long rows = 2L * batchSize;
        long[] shape = {rows, channels, imageSize, imageSize};
        float[] batch = new float[Math.toIntExact(rows * channels * imageSize * imageSize)];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) random.nextGaussian();
        }
        double[] millis = new double[steps];
        double stepFlops;
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = build(backbone, channels, imageSize);
            method.model().initialize(manager, rows);
            method.model().setBf16(bf16);
            stepFlops = Flops.trainingStepFlops(method.model(), rows);
            for (Pair<String, Parameter> p : method.model().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                step.run(batch, shape, 1e-3); // warm-up
                if (profile != null) {
                    TorchRuntime.startProfiler();
                }
                for (int i = 0; i < steps; i++) {
                    long start = System.nanoTime();
                    step.run(batch, shape, 1e-3);
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
                if (profile != null) {
                    TorchRuntime.stopProfiler(profile);
                }
            }
        }
        double median = median(millis);
        return new Result(backbone, batchSize, channels, imageSize, threads, steps, median,
                rows / (median / 1000), ProcessStats.peakRssBytes(), stepFlops / 1e9,
                bf16 ? "bf16" : "fp32");
    }

    static Method build(String backbone, int channels, int imageSize) {
        var encoder = Backbones.byName(backbone, channels, imageSize, imageSize);
        SimClr.Builder builder = SimClr.builder().setBackbone(encoder).optTemperature(0.5);
        if (backbone.equals("mlp")) {
            // the tutorial MLP: NT-Xent straight on its 128-d output
            return new dev.selfsup.method.SimClr.Builder()
                    .setBackbone(encoder).optTemperature(0.5)
                    .optProjectionHead(new ai.djl.nn.SequentialBlock()).build();
        }
        return builder.optProjectionHead(ProjectionHead.simclr(encoder.featureDim(), 128)).build();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
