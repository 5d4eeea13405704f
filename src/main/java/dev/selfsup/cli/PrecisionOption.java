package dev.selfsup.cli;

import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.train.PretrainConfig;
import picocli.CommandLine.Option;

/**
 * {@code --precision} of the benchmarks, {@code embed} and {@code eval}: fp32, or bf16 under
 * libtorch's CPU autocast.
 */
final class PrecisionOption {
    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P",
            description = "fp32, or bf16: under libtorch's bfloat16 autocast, on CPUs with bf16 "
                    + "instructions (default: ${DEFAULT-VALUE}).")
    String precision;

    /**
     * Whether bf16 was asked for.
     *
     * @throws IllegalArgumentException for a value other than fp32 or bf16, or for bf16 where
     *     it cannot run (the CPU lacks bf16 instructions), naming why
     */
    boolean bf16() {
        if (!PretrainConfig.PRECISIONS.contains(precision)) {
            throw new IllegalArgumentException("--precision must be one of "
                    + PretrainConfig.PRECISIONS + ", found '" + precision + "'");
        }
        boolean bf16 = PretrainConfig.BF16.equals(precision);
        if (bf16) {
            Bf16Autocast.requireAvailable();
        }
        return bf16;
    }
}
