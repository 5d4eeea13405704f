package dev.selfsup.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files so that a final name never holds a half-written file. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes a file's contents. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code file} through a temporary sibling and a rename. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** Streams into a temporary sibling of {@code file}, then renames it into place. */
    public static void write(Path file, Writer writer) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, "." + absolute.getFileName(), ".tmp");
        try {
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                    temporary, java.nio.file.StandardOpenOption.WRITE)) {
                OutputStream out = new java.io.BufferedOutputStream(
                        java.nio.channels.Channels.newOutputStream(channel));
                writer.write(out);
                out.flush();
                channel.force(true); // on disk before it takes the final name
            }
            readableByAll(temporary);
            move(temporary, absolute);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Temporary files are created owner-only; a finished output is rw-r--r-- like any other. */
    private static void readableByAll(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its defaults apply
        }
    }

    /** Renames {@code source} to {@code target} atomically where the file system allows. */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes {@code path} and, for a directory, everything below it (nothing if absent). */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (java.util.stream.Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
