package dev.selfsup.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.nn.CpuFeatures;
import dev.selfsup.train.TorchRuntime;

/**
 * The matrix-product ceiling of this machine as libtorch reaches it through DJL: the median
 * GFLOP/s of float32 {@code (n, n) x (n, n)} products ({@code 2 n^3} operations each). A
 * training step's share of this ceiling says how much of the step is arithmetic at full speed
 * and how much is everything else.
 *
 * <p>The product is checked against a float64 product of the same inputs before it is timed, so
 * that a fast but wrong kernel cannot report a ceiling.
 *
 * <p>In {@code bf16} the same float32 inputs are multiplied under libtorch's bfloat16 autocast
 * ({@link Bf16Autocast}), as a {@code --precision bf16} run multiplies them: the product runs in
 * bfloat16, and its error against float64 is checked against bfloat16's looser bound (1e-2 of
 * the largest value; float32's is 1e-3).
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    /**
     * The figures.
     *
     * @param size the side {@code n} of the square matrices
     * @param threads libtorch threads
     * @param repeats timed products
     * @param medianMillis median time of one product
     * @param gflops {@code 2 n^3 / median}, in 10^9 operations per second
     * @param relativeError largest {@code |product - float64 product| / max |float64 product|}
     * @param cpuBf16 whether the CPU has bf16 instructions ({@link CpuFeatures#BF16})
     * @param precision {@code fp32} or {@code bf16}
     */
    @JsonPropertyOrder({"benchmark", "precision", "size", "threads", "repeats", "median_ms",
        "gflops", "relative_error", "cpu_bf16"})
    public record Result(int size, int threads, int repeats,
            @JsonProperty("median_ms") double medianMillis, double gflops,
            @JsonIgnore double relativeError,
            @JsonProperty("cpu_bf16") boolean cpuBf16, String precision) {
        /** {@code "gemm"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "gemm";
        }

        /** {@link #relativeError} in scientific notation (the printer rounds plain numbers). */
        @JsonProperty("relative_error")
        public String relativeErrorText() {
            return String.format(java.util.Locale.ROOT, "%.1e", relativeError);
        }
    }

    /**
     * Times {@code repeats} float32 products of side {@code size} after a checked warm-up product.
     *
     * @throws IllegalStateException if the product is off the float64 one by more than 1e-3 of
     *     its largest value
     */
    public static Result run(int size, int threads, int repeats) {
        return run(size, threads, repeats, false);
    }

    /**
     * As {@link #run(int, int, int)}, the products under bfloat16 autocast when {@code bf16}.
     *
     * @throws IllegalArgumentException for bf16 where it cannot run, with the reason
     * @throws IllegalStateException if the product is off the float64 one by more than 1e-3 of
     *     its largest value (1e-2 in bf16)
     */
    public static Result run(int size, int threads, int repeats, boolean bf16) {
        if (bf16) {
            Bf16Autocast.requireAvailable();
        }
        if (size < 16 || repeats <= 0) {
            throw new IllegalArgumentException("need size >= 16 and repeats > 0, found size "
                    + size + ", repeats " + repeats);
        }
        TorchRuntime.setThreads(threads);
        TorchRuntime.setSeed(0);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(size, size));
            NDArray b = manager.randomNormal(new Shape(size, size));
            NDArray exact = a.toType(DataType.FLOAT64, false)
                    .matMul(b.toType(DataType.FLOAT64, false)); // (size, size)
            double bound = bf16 ? 1e-2 : 1e-3;
            double[] millis = new double[repeats];
            double error;
            try (Bf16Autocast autocast = bf16 ? Bf16Autocast.on() : null) {
                error = a.matMul(b).toType(DataType.FLOAT64, false).sub(exact).abs().max()
                        .getDouble() / exact.abs().max().getDouble();
                if (!(error <= bound)) {
                    throw new IllegalStateException("the " + (bf16 ? "bf16" : "float32")
                            + " product is off the float64 one by " + error
                            + " of its largest value, more than " + bound);
                }
                for (int i = 0; i < repeats; i++) {
                    long start = System.nanoTime();
                    // libtorch's CPU kernels are synchronous: the product is done on return
                    a.matMul(b).close();
                    millis[i] = (System.nanoTime() - start) / 1e6;
                }
            }
            double median = TrainBenchmark.median(millis);
            double gflops = 2.0 * size * size * (double) size / (median / 1000) / 1e9;
            return new Result(size, threads, repeats, median, gflops, error, CpuFeatures.BF16,
                    bf16 ? "bf16" : "fp32");
        }
    }
}
