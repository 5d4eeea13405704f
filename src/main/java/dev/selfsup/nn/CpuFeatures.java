package dev.selfsup.nn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * The CPU's vector extensions, which decide the kernels libtorch's oneDNN runs, and with them
 * which memory layouts compute right (see {@link Backbones#resNet}). Read once from
 * {@code /proc/cpuinfo}; where that file is missing (not Linux) no extension is assumed.
 */
public final class CpuFeatures {
    private static final Set<String> FLAGS = readFlags();

    /** Whether the CPU is Intel's ({@code vendor_id} {@code GenuineIntel}). */
    public static final boolean INTEL = readField("vendor_id").equals("GenuineIntel");

    /** Whether the CPU has AVX-512 (the {@code avx512f} flag). */
    public static final boolean AVX512 = FLAGS.contains("avx512f");

    /**
     * Whether the CPU has bfloat16 arithmetic instructions ({@code avx512_bf16} or
     * {@code amx_bf16}), with which libtorch's oneDNN runs bf16 products natively rather than
     * converting to float32 and back.
     */
    public static final boolean BF16 = FLAGS.contains("avx512_bf16") || FLAGS.contains("amx_bf16");

    private CpuFeatures() {}

    private static Set<String> readFlags() {
        String flags = readField("flags");
        return flags.isEmpty() ? Set.of() : Set.copyOf(Arrays.asList(flags.split("\\s+")));
    }

    /** The first CPU's {@code field} in /proc/cpuinfo, or "" (no such file: plainer kernels). */
    private static String readField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"),
                    StandardCharsets.ISO_8859_1)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equals(field)) {
                    return line.substring(colon + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/cpuinfo
        }
        return "";
    }
}
