package dev.selfsup.cli;

import dev.selfsup.train.PretrainConfig;
import picocli.CommandLine.Option;

/** {@code --precision} of the benchmarks: fp32, or bf16 under libtorch's CPU autocast. */
final class PrecisionOption {
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P",
            description = "fp32, or bf16: under libtorch's bfloat16 autocast, on CPUs with bf16 "
                    + "instructions (default: ${DEFAULT-VALUE}).")
    String precision;

    /** Whether bf16 was asked for. */
    boolean bf16() {
        if (!PretrainConfig.PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("--precision must be one of "
                    + PretrainConfig.PRECISIONS + ", found '" + precision + "'");
        }
        return PretrainConfig.BF16.equals(precision);
    }
}
