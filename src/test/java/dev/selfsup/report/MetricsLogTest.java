package dev.selfsup.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
    @TempDir
    Path dir;

    @Test
    void readsRecordsWithOptionalAndUnknownFields() throws Exception {
        Path file = write(
                "{\"epoch\":1,\"step\":10,\"loss\":5.5,\"lr\":0.1,\"views_per_second\":900.5,"
                        + "\"knn_top1\":null,\"embedding_std\":null,\"epoch_seconds\":2.5}",
                "",
                "{\"epoch\":2,\"step\":20,\"loss\":4.25,\"lr\":0.05,\"views_per_second\":1000,"
                        + "\"knn_top1\":0.5,\"embedding_std\":0.75,\"epoch_seconds\":2,"
                        + "\"alignment\":0.3,\"note\":\"hi\",\"nested\":{\"a\":[1,2]}}",
                "{\"epoch\":3,\"step\":30,\"loss\":\"NaN\",\"lr\":0.01,\"views_per_second\":1,"
                        + "\"epoch_seconds\":NaN}");

        MetricsLog log = MetricsLog.read(file);

        assertThat(log.file()).isEqualTo(file);
        assertThat(log.records()).hasSize(3);
        MetricsRecord first = log.records().get(0);
        assertThat(first.epoch()).isEqualTo(1);
        assertThat(first.step()).isEqualTo(10L);
        assertThat(first.loss()).isEqualTo(5.5);
        assertThat(first.learningRate()).isEqualTo(0.1);
        assertThat(first.viewsPerSecond()).isEqualTo(900.5);
        assertThat(first.epochSeconds()).isEqualTo(2.5);
        assertThat(first.knnTop1()).isEmpty();
        assertThat(first.embeddingStd()).isEmpty();
        assertThat(first.extra()).isEmpty();

        MetricsRecord second = log.records().get(1);
        assertThat(second.knnTop1()).hasValue(0.5);
        assertThat(second.embeddingStd()).hasValue(0.75);
        assertThat(second.extra()).containsEntry("alignment", 0.3).containsEntry("note", "hi")
                .containsEntry("nested", Map.of("a", List.of(1, 2)));
        assertThat(second.extra().keySet()).containsExactly("alignment", "note", "nested");

        MetricsRecord third = log.records().get(2);
        assertThat(third.loss()).isNaN();
        assertThat(third.epochSeconds()).isNaN();
        assertThat(third.knnTop1()).isEmpty();
        assertThat(log.last()).contains(third);
    }

    @Test
    void perEpochKeepsTheLastRecordOfARepeatedEpoch() throws Exception {
        Path file = write(line(1, 1.0), line(2, 2.0), line(3, 3.0), line(2, 20.0),
                line(3, 30.0));

        MetricsLog log = MetricsLog.read(file);

        assertThat(log.records()).hasSize(5);
        assertThat(log.perEpoch()).extracting(MetricsRecord::loss)
                .containsExactly(1.0, 20.0, 30.0);
        assertThat(log.last().orElseThrow().loss()).isEqualTo(30.0);
    }

    @Test
    void emptyFileGivesAnEmptyLog() throws Exception {
        MetricsLog log = MetricsLog.read(write());

        assertThat(log.isEmpty()).isTrue();
        assertThat(log.perEpoch()).isEmpty();
        assertThat(log.last()).isEmpty();
    }

    @Test
    void malformedLineNamesFileAndLineNumber() throws Exception {
        Path file = write(line(1, 1.0), line(2, 2.0), "{\"epoch\":3,\"step\":", line(4, 4.0));

        assertThatThrownBy(() -> MetricsLog.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("line 3")
                .hasMessageContaining("not valid JSON");
    }

    @Test
    void wrongFieldsAreReportedByName() throws Exception {
        assertProblem("{\"step\":1,\"loss\":1,\"lr\":1,\"views_per_second\":1,"
                + "\"epoch_seconds\":1}", "line 1: field \"epoch\" is missing");
        assertProblem("{\"epoch\":1.5,\"step\":1,\"loss\":1,\"lr\":1,\"views_per_second\":1,"
                + "\"epoch_seconds\":1}", "field \"epoch\" must be an integer, found 1.5");
        assertProblem("{\"epoch\":-1,\"step\":1,\"loss\":1,\"lr\":1,\"views_per_second\":1,"
                + "\"epoch_seconds\":1}", "field \"epoch\" must be in [0, ");
        assertProblem("{\"epoch\":1,\"step\":1,\"loss\":\"low\",\"lr\":1,"
                + "\"views_per_second\":1,\"epoch_seconds\":1}",
                "field \"loss\" must be a number, found \"low\"");
        assertProblem("{\"epoch\":1,\"step\":1,\"loss\":1,\"lr\":null,"
                + "\"views_per_second\":1,\"epoch_seconds\":1}", "field \"lr\" must not be null");
        assertProblem("{\"epoch\":1,\"step\":1,\"loss\":1,\"lr\":1,\"views_per_second\":1,"
                + "\"epoch_seconds\":1,\"knn_top1\":true}",
                "field \"knn_top1\" must be a number, found true");
        assertProblem("[1, 2]", "line 1: must be a JSON object, found array");
        assertProblem(line(1, 1.0) + " {}", "line 1: not valid JSON");
        assertProblem("{\"epoch\":1,\"epoch\":2}", "line 1: not valid JSON");
    }

    @Test
    void missingFileIsAnIOException() {
        assertThatThrownBy(() -> MetricsLog.readRunDirectory(dir.resolve("nothing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageContaining("metrics.jsonl");
    }

    private void assertProblem(String line, String message) throws Exception {
        Path file = write(line);
        assertThatThrownBy(() -> MetricsLog.read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining(message);
    }

    static String line(int epoch, double loss) {
        return "{\"epoch\":" + epoch + ",\"step\":" + epoch * 10 + ",\"loss\":" + loss
                + ",\"lr\":0.1,\"views_per_second\":500.0,\"knn_top1\":null,"
                + "\"embedding_std\":null,\"epoch_seconds\":3.0}";
    }

    private Path write(String... lines) throws Exception {
        Path file = Files.createTempFile(dir, "metrics", ".jsonl");
        Files.writeString(file, lines.length == 0 ? "" : String.join("\n", lines) + "\n");
        return file;
    }
}
