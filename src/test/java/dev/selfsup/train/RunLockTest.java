package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    /** Holds the lock of args[0] until killed (run in a child JVM by the test). */
    public static void main(String[] args) throws Exception {
        RunLock lock = RunLock.acquire(Path.of(args[0]));
        System.out.println("locked");
        System.out.flush();
        Thread.sleep(60_000);
        lock.close();
    }

    @Test
    void aSecondRunIsRefusedWhileTheFirstHoldsTheDirectory(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        try (RunLock first = RunLock.acquire(run)) {
            Files.writeString(run.resolve("config.json"), "{}");
            assertThatThrownBy(() -> RunLock.acquire(run)).isInstanceOf(IOException.class)
                    .hasMessageContaining(run + " is in use by another run")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid());
        }
        try (RunLock again = RunLock.acquire(run)) {
            assertThat(run.resolve("config.json")).exists();
        }
        assertThat(run).exists(); // it holds a run: kept
    }

    @Test
    void aDirectoryTheLockCreatedIsRemovedWhenNothingWasWritten(@TempDir Path dir)
            throws IOException {
        Path run = dir.resolve("fresh");
        RunLock.acquire(run).close();
        assertThat(run).doesNotExist();
    }

    @Test
    void aKilledRunLeavesNothingBlocking(@TempDir Path dir) throws Exception {
        Path run = Files.createDirectories(dir.resolve("run"));
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"),
                RunLockTest.class.getName(), run.toString()).redirectErrorStream(true).start();
        try {
            String line = new java.io.BufferedReader(new java.io.InputStreamReader(
                    holder.getInputStream())).readLine();
            assertThat(line).isEqualTo("locked");
            assertThatThrownBy(() -> RunLock.acquire(run))
                    .hasMessageContaining("pid " + holder.pid());
            holder.destroyForcibly(); // SIGKILL: no chance to release anything
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            try (RunLock lock = RunLock.acquire(run)) {
                assertThat(Files.readString(run.resolve(RunLock.FILE)))
                        .contains("pid " + ProcessHandle.current().pid());
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
