package dev.selfsup.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One training run per run directory at a time: an operating-system lock on {@code RUN/.lock},
 * held while the run trains. The operating system drops the lock when the process ends however
 * it ends, so a killed run never leaves the directory blocked; the file itself only records who
 * held it last (process id and start time), for the message a second run gets.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name inside a run directory. */
    public static final String FILE = ".lock";

    private final Path runDir;
    private final boolean createdDirectory;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path runDir, boolean createdDirectory, FileChannel channel, FileLock lock) {
        this.runDir = runDir;
        this.createdDirectory = createdDirectory;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code runDir}, creating the directory if needed.
     *
     * @throws IOException naming the directory and the process that holds it, when another run
     *     (in this process or another) trains there now
     */
    public static RunLock acquire(Path runDir) throws IOException {
        boolean created = !Files.exists(runDir);
        Files.createDirectories(runDir);
        Path file = runDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another run in this JVM
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            channel.close();
            throw new IOException(runDir + " is in use by another run"
                    + (holder.isEmpty() ? "" : " (" + holder + ")")
                    + "; wait for it to finish or choose another --out");
        }
        String holder = "pid " + ProcessHandle.current().pid() + ", started " + Instant.now();
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        return new RunLock(runDir, created, channel, lock);
    }

    /**
     * Releases the lock. A directory this lock created and that holds nothing else (the run
     * stopped before writing anything) is removed again.
     */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
        if (createdDirectory) {
            try (var entries = Files.list(runDir)) {
                if (entries.allMatch(p -> p.getFileName().toString().equals(FILE))) {
                    Files.deleteIfExists(runDir.resolve(FILE));
                    Files.deleteIfExists(runDir);
                }
            }
        }
    }
}
