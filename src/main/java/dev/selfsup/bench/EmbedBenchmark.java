package dev.selfsup.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.Features;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.ReleasingSequentialBlock;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.TorchRuntime;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times {@link Features#extract}, the inference pass behind {@code embed}, {@code eval} and the
 * kNN monitor: random 8-bit images through a freshly initialised backbone, batches of 256.
 */
public final class EmbedBenchmark {
    /** Images per forward pass, as the monitor and {@code embed} use. */
    private static final int BATCH = 256;

    private EmbedBenchmark() {}

    /**
     * @param backbone the backbone's registry name
     * @param images images embedded per timed pass
     * @param threads libtorch threads
     * @param repeats timed passes (after one warm-up batch)
     * @param medianSeconds the median pass's wall time
     * @param imagesPerSecond {@code images / medianSeconds}
     * @param precision {@code fp32}, or {@code bf16} under bfloat16 autocast
     * @param batchNormFolded whether inference folds batch norm into the convolutions
     *     ({@code -Dselfsup.foldBatchNorm=false} turns it off, for comparison)
     */
    @JsonPropertyOrder({"benchmark", "model", "input", "images", "threads", "repeats",
        "median_seconds", "images_per_second", "precision", "batch_norm_folded"})
    public record Result(@JsonProperty("model") String backbone, String input, int images,
            int threads, int repeats, @JsonProperty("median_seconds") double medianSeconds,
            @JsonProperty("images_per_second") double imagesPerSecond, String precision,
            @JsonProperty("batch_norm_folded") boolean batchNormFolded) {
        /** {@code "embed"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "embed";
        }
    }

    /**
     * Embeds {@code images} random images {@code repeats} times after a one-batch warm-up.
     *
     * @throws IllegalArgumentException for a non-positive count, or bf16 where it cannot run
     */
    public static Result run(String backbone, int channels, int imageSize, int images,
            int threads, int repeats, boolean bf16) {
        if (images <= 0 || repeats <= 0) {
            throw new IllegalArgumentException("need images > 0 and repeats > 0, found "
                    + images + " and " + repeats);
        }
        TorchRuntime.setThreads(threads);
        TorchRuntime.setSeed(0);
        byte[] pixels = new byte[Math.toIntExact((long) images * channels * imageSize * imageSize)];
        new SplittableRandom(0).nextBytes(pixels);
        int[] labels = new int[images];
        Arrays.fill(labels, ImageSet.UNLABELLED);
        ImageSet set = new ImageSet("random images", channels, imageSize, imageSize, pixels,
                labels, List.of());
        ChannelStats stats = ChannelStats.of(set);
        double[] seconds = new double[repeats];
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbone model = Backbones.byName(backbone, channels, imageSize, imageSize);
            model.block().initialize(manager, DataType.FLOAT32, model.batchShape(BATCH));
            ImageSet warmUp = new ImageSet("warm-up", channels, imageSize, imageSize,
                    Arrays.copyOf(pixels, Math.min(images, BATCH) * set.imageVolume()),
                    Arrays.copyOf(labels, Math.min(images, BATCH)), List.of());
            Features.extract(model.block(), warmUp, stats, BATCH, manager, bf16);
            for (int r = 0; r < repeats; r++) {
                long start = System.nanoTime();
                Features.extract(model.block(), set, stats, BATCH, manager, bf16);
                seconds[r] = (System.nanoTime() - start) / 1e9;
            }
        }
        Arrays.sort(seconds);
        double median = seconds[repeats / 2];
        return new Result(backbone, channels + "x" + imageSize + "x" + imageSize, images,
                threads, repeats, median, images / median,
                bf16 ? PretrainConfig.BF16 : PretrainConfig.FP32,
                ReleasingSequentialBlock.FOLD_BATCH_NORM);
    }
}
