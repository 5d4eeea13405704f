package dev.selfsup.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The project's one JSON mapper and atomic JSON file writes. */
public final class Json {
    /** Shared mapper: pretty output, unknown properties rejected. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);
    /** Mapper for one-line output (JSON lines). */
    public static final ObjectMapper COMPACT = new ObjectMapper();

    private Json() {}

    /** Writes {@code value} as pretty JSON to {@code file} via a temporary file and a rename. */
    public static void write(Path file, Object value) throws IOException {
        AtomicFiles.write(file, (MAPPER.writeValueAsString(value) + "\n")
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code value} as indented JSON, for values that always map (records of plain fields).
     *
     * @throws IllegalStateException if it does not
     */
    public static String pretty(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The {@code type} value in {@code file}, or empty when there is no such file.
     *
     * @param what names the kind of file for the error, e.g. {@code "a nearest-sentences file"}
     * @throws IOException if it cannot be read, or parsed as {@code type} (naming the file)
     */
    public static <T> Optional<T> readIfExists(Path file, Class<T> type, String what)
            throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(MAPPER.readValue(file.toFile(), type));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not " + what + ": " + e.getOriginalMessage(), e);
        }
    }
}
