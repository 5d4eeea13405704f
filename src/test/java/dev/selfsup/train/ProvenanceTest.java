package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
    private static final String LIBC =
            "7f1c2a000000-7f1c2a028000 r--p 00000000 fe:01 1234  /usr/lib/x86_64-linux-gnu/libc.so.6";
    private static final String HEAP = "55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0  [heap]";
    private static final String ANONYMOUS = "7f1c29000000-7f1c29800000 rw-p 00000000 00:00 0";

    @Test
    void theMallocIsReadFromTheProcessMemoryMap() {
        assertThat(Provenance.allocator(List.of(HEAP, LIBC, ANONYMOUS))).isEqualTo("glibc");
        assertThat(Provenance.allocator(List.of(HEAP, LIBC,
                "7f1c2b000000-7f1c2b010000 r-xp 00000000 fe:01 99  "
                        + "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4.5.10", ANONYMOUS)))
                .isEqualTo("tcmalloc");
        assertThat(Provenance.allocator(List.of(LIBC,
                "7f1c2b000000-7f1c2b010000 r-xp 00000000 fe:01 98  /usr/lib/libjemalloc.so.2")))
                .isEqualTo("jemalloc");
        assertThat(Provenance.allocator(List.of())).isEqualTo("glibc");
    }

    @Test
    void thisProcessNamesItsMallocAndTheVariablesThatTuneIt() {
        java.util.Map<String, Object> environment = Provenance.environment();
        // the test JVM is not started by the launcher: nothing preloads another malloc
        String expected = String.valueOf(System.getenv("LD_PRELOAD")).contains("tcmalloc")
                ? "tcmalloc" : "glibc";
        assertThat(environment.get("allocator")).isEqualTo(expected);
        assertThat(environment).containsKeys("cpu", "variables");
    }
}
