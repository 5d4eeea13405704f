package dev.selfsup.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU's vector extensions, which decide the kernels libtorch's oneDNN runs, and with them
 * which memory layouts compute right (see {@link Backbones#resNet}). Read once from
 * {@code /proc/cpuinfo}; where that file is missing (not Linux) no extension is assumed.
 */
public final class CpuFeatures {
    /** Whether the CPU has AVX-512 (the {@code avx512f} flag). */
    public static final boolean AVX512 = hasFlag("avx512f");

    private CpuFeatures() {}

    private static boolean hasFlag(String flag) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"),
                    StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("flags")) {
                    return (" " + line.substring(line.indexOf(':') + 1) + " ")
                            .contains(" " + flag + " ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/cpuinfo: assume the plainer kernels
        }
        return false;
    }
}
