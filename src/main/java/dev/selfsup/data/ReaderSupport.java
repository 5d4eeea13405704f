package dev.selfsup.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Helpers shared by the dataset readers: array-size arithmetic and gzip detection. */
final class ReaderSupport {
    /** The largest byte array the JVM reliably allocates. */
    static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    private static final int BUFFER_BYTES = 1 << 16;

    private ReaderSupport() {}

    /**
     * The product of {@code factors} as an array length, computed without overflow.
     *
     * @throws DataFormatException naming {@code file} if the product exceeds {@link
     *     #MAX_ARRAY_BYTES}
     */
    static int arrayLength(Path file, String what, long... factors) throws DataFormatException {
        long product = 1;
        StringBuilder formula = new StringBuilder();
        for (long factor : factors) {
            formula.append(formula.length() == 0 ? "" : " x ").append(factor);
            if (product != Long.MAX_VALUE) {
                try {
                    product = Math.multiplyExact(product, factor);
                } catch (ArithmeticException overflow) {
                    product = Long.MAX_VALUE;
                }
            }
        }
        if (product > MAX_ARRAY_BYTES) {
            throw new DataFormatException(file, what + " must fit in one Java array (at most "
                    + MAX_ARRAY_BYTES + " bytes), found " + formula + " bytes");
        }
        return (int) product;
    }

    /**
     * Opens {@code file} for reading, decompressing it if it starts with the gzip magic bytes
     * {@code 0x1f 0x8b} (whatever its name).
     */
    static InputStream openMaybeGzipped(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
        try {
            raw.mark(2);
            int first = raw.read();
            int second = raw.read();
            raw.reset();
            if (first == 0x1f && second == 0x8b) {
                return new GZIPInputStream(raw, BUFFER_BYTES);
            }
            return raw;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** {@code path} as an absolute, normalised path. */
    static Path absolute(Path path) {
        return path.toAbsolutePath().normalize();
    }
}
