package dev.selfsup.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of this process, read from {@code /proc/self/status} (Linux). */
public final class ProcessStats {
    private ProcessStats() {}

    /** Peak resident set size in bytes (VmHWM), or -1 where unavailable. */
    public static long peakRssBytes() {
        return statusField("VmHWM:");
    }

    /**
     * Peak resident set size in MiB (2^20 bytes, the unit of every {@code peak_rss_mb} selfsup
     * writes and of the PyTorch peers' figures), or -1 where unavailable.
     */
    public static long peakRssMb() {
        long bytes = peakRssBytes();
        return bytes < 0 ? -1 : bytes >> 20;
    }

    /** Current resident set size in bytes (VmRSS), or -1 where unavailable. */
    public static long rssBytes() {
        return statusField("VmRSS:");
    }

    private static long statusField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
