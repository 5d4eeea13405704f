package dev.selfsup.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.selfsup.data.DataFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * A run's metrics log, read from {@code RUN_DIR/metrics.jsonl}: one JSON object per line, one line
 * per epoch (see {@link MetricsRecord} for the fields).
 *
 * <p>Required fields: {@code epoch}, {@code step}, {@code loss}, {@code lr}, {@code
 * views_per_second}, {@code epoch_seconds}. Optional: {@code knn_top1} and {@code embedding_std}
 * (absent or null). Other fields are kept in {@link MetricsRecord#extra()}. Numbers may also be
 * written as {@code NaN}, {@code Infinity}, {@code -Infinity}, bare or quoted (as Jackson writes
 * non-finite doubles). Blank lines are skipped. A line that is not such an object fails the whole
 * read with a {@link DataFormatException} naming the file and the line number.
 */
public final class MetricsLog {
    /** The log's file name inside a run directory. */
    public static final String FILE_NAME = "metrics.jsonl";

    private static final Set<String> KNOWN_FIELDS = Set.of("epoch", "step", "loss", "lr",
            "views_per_second", "epoch_seconds", "knn_top1", "embedding_std");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final List<MetricsRecord> records;

    private MetricsLog(Path file, List<MetricsRecord> records) {
        this.file = file;
        this.records = List.copyOf(records);
    }

    /**
     * Reads a metrics log.
     *
     * @param file the {@code metrics.jsonl} file
     * @return its records in file order
     * @throws DataFormatException if a line is not a valid record (names file and line)
     * @throws IOException if the file cannot be read
     */
    public static MetricsLog read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        List<MetricsRecord> records = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lineNumber = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lineNumber++;
                if (!line.isBlank()) {
                    records.add(parseLine(file, lineNumber, line));
                }
            }
        } catch (CharacterCodingException e) {
            throw new DataFormatException(file, "not valid UTF-8 text", e);
        }
        return new MetricsLog(file, records);
    }

    /** Reads {@code runDir/metrics.jsonl}. */
    public static MetricsLog readRunDirectory(Path runDir) throws IOException {
        return read(runDir.resolve(FILE_NAME));
    }

    /** The file this log was read from. */
    public Path file() {
        return file;
    }

    /** All records, in file order (an epoch may repeat after a resume). */
    public List<MetricsRecord> records() {
        return records;
    }

    /** One record per epoch, the last logged for that epoch, in increasing epoch order. */
    public List<MetricsRecord> perEpoch() {
        Map<Integer, MetricsRecord> byEpoch = new TreeMap<>();
        for (MetricsRecord record : records) {
            byEpoch.put(record.epoch(), record);
        }
        return List.copyOf(byEpoch.values());
    }

    /** The record of the highest epoch, if any. */
    public Optional<MetricsRecord> last() {
        List<MetricsRecord> epochs = perEpoch();
        return epochs.isEmpty() ? Optional.empty() : Optional.of(epochs.get(epochs.size() - 1));
    }

    /** Whether the log holds no records. */
    public boolean isEmpty() {
        return records.isEmpty();
    }

    private static MetricsRecord parseLine(Path file, int lineNumber, String line)
            throws DataFormatException {
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, "line " + lineNumber + ": not valid JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
        if (node == null || !node.isObject()) {
            throw new DataFormatException(file, "line " + lineNumber
                    + ": must be a JSON object, found " + describe(node));
        }
        Field field = new Field(file, lineNumber, node);
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!KNOWN_FIELDS.contains(entry.getKey())) {
                extra.put(entry.getKey(), MAPPER.convertValue(entry.getValue(), Object.class));
            }
        }
        long epoch = field.integer("epoch", 0, Integer.MAX_VALUE);
        return new MetricsRecord(
                (int) epoch,
                field.integer("step", 0, Long.MAX_VALUE),
                field.number("loss"),
                field.number("lr"),
                field.number("views_per_second"),
                field.number("epoch_seconds"),
                field.optionalNumber("knn_top1"),
                field.optionalNumber("embedding_std"),
                extra);
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " " + node;
    }

    /** Typed access to one line's fields, with errors that name file, line and field. */
    private record Field(Path file, int lineNumber, JsonNode node) {
        long integer(String name, long min, long max) throws DataFormatException {
            JsonNode value = require(name);
            if (!value.isIntegralNumber() || !value.canConvertToLong()) {
                throw problem(name, "must be an integer, found " + value);
            }
            long number = value.asLong();
            if (number < min || number > max) {
                throw problem(name, "must be in [" + min + ", " + max + "], found " + number);
            }
            return number;
        }

        double number(String name) throws DataFormatException {
            return toDouble(name, require(name));
        }

        OptionalDouble optionalNumber(String name) throws DataFormatException {
            JsonNode value = node.get(name);
            if (value == null || value.isNull()) {
                return OptionalDouble.empty();
            }
            return OptionalDouble.of(toDouble(name, value));
        }

        private JsonNode require(String name) throws DataFormatException {
            JsonNode value = node.get(name);
            if (value == null) {
                throw problem(name, "is missing");
            }
            if (value.isNull()) {
                throw problem(name, "must not be null");
            }
            return value;
        }

        private double toDouble(String name, JsonNode value) throws DataFormatException {
            if (value.isNumber()) {
                return value.asDouble();
            }
            if (value.isTextual()) {
                switch (value.asText()) {
                    case "NaN":
                        return Double.NaN;
                    case "Infinity":
                        return Double.POSITIVE_INFINITY;
                    case "-Infinity":
                        return Double.NEGATIVE_INFINITY;
                    default:
                        break;
                }
            }
            throw problem(name, "must be a number, found " + value);
        }

        private DataFormatException problem(String name, String what) {
            return new DataFormatException(file, "line " + lineNumber + ": field \"" + name
                    + "\" " + what);
        }
    }
}
