package dev.selfsup.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes a run's {@code metrics.jsonl}, one JSON line per epoch ({@link EpochMetrics}
 * for image runs, {@link TextEpochMetrics} for text runs).
 */
final class MetricsFile {
    static final String FILE_NAME = "metrics.jsonl";

    private MetricsFile() {}

    static void append(Path runDir, Object metrics) throws IOException {
        String line = Json.COMPACT.writeValueAsString(metrics) + "\n";
        Files.writeString(runDir.resolve(FILE_NAME), line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /**
     * Keeps the lines of epochs up to {@code epochs} (a resumed run redoes the rest) and
     * returns them read as {@code type}.
     *
     * @throws IOException naming the file and line when a line is not an epoch's metrics
     */
    static <T> List<T> truncate(Path runDir, int epochs, Class<T> type) throws IOException {
        Path file = runDir.resolve(FILE_NAME);
        List<T> kept = new ArrayList<>();
        if (!Files.exists(file)) {
            return kept;
        }
        StringBuilder text = new StringBuilder();
        String content = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = content.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            T metrics;
            try {
                node = Json.COMPACT.readTree(line);
                metrics = Json.COMPACT.treeToValue(node, type);
            } catch (JacksonException e) {
                if (i == lines.size() - 1 && !content.endsWith("\n")) {
                    break; // an append cut short by a crash: its epoch was never saved
                }
                throw new IOException(file + ": line " + (i + 1) + ": not an epoch's metrics: "
                        + e.getOriginalMessage(), e);
            }
            if (node.path("epoch").asInt() <= epochs) {
                kept.add(metrics);
                text.append(line).append('\n');
            }
        }
        dev.selfsup.util.AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
        return kept;
    }
}
