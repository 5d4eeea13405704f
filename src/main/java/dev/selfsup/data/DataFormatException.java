package dev.selfsup.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file that cannot be read as what it claims to be. The message always names the file
 * (and the record or line where there is one) and what is wrong with it.
 */
public class DataFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A problem with the whole file. */
    public DataFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** A problem with the file, with the underlying cause. */
    public DataFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
