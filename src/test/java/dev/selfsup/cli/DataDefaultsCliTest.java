package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pretrain fills in the data's defaults, says so, records them, and lets given options win. */
class DataDefaultsCliTest {
    @Test
    void theDataDefaultsAreUsedPrintedAndRecorded(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path out = dir.resolve("picked");
        CliTest.Run run = CliTest.run("pretrain", "--method", "simclr", "--backbone", "mlp",
                "--data", "idx:" + data, "--epochs", "1", "--threads", "2",
                "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("defaults for small gray images: min-crop-scale 0.2 (")
                .contains("color-jitter 2.0 (").contains("temperature 0.1 (")
                .contains("batch-size 128 (").contains("lr 0.002 (")
                .contains("batch 128");
        JsonNode config = Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("config");
        assertThat(config.get("min_crop_scale").asDouble()).isEqualTo(0.2);
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.1);
        assertThat(config.get("color_jitter_strength").asDouble()).isEqualTo(2.0);
        assertThat(config.get("batch_size").asInt()).isEqualTo(128);
        assertThat(config.get("learning_rate").asDouble()).isEqualTo(2e-3);
        // what the run's speed depends on is recorded beside it
        JsonNode environment = Json.MAPPER.readTree(out.resolve("config.json").toFile())
                .get("environment");
        assertThat(environment.get("cpu").asText()).isNotBlank();
        assertThat(environment.get("variables").isObject()).isTrue();
        assertThat(environment.get("allocator").asText()).isIn("glibc", "tcmalloc", "jemalloc");
        System.getenv().forEach((name, value) -> {
            if (name.startsWith("MALLOC_") || name.startsWith("OMP_")) {
                assertThat(environment.get("variables").get(name).asText()).isEqualTo(value);
            }
        });
    }

    @Test
    void givenOptionsWinAndAreNotCalledDefaults(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path out = dir.resolve("given");
        CliTest.Run run = CliTest.run("pretrain", "--method", "simclr", "--backbone", "mlp",
                "--data", "idx:" + data, "--epochs", "1", "--threads", "2",
                "--batch-size", "64", "--temperature", "0.5", "--lr", "1e-3",
                "--color-jitter", "0.5", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        String line = run.out().lines().filter(l -> l.startsWith("defaults for")).findFirst()
                .orElseThrow();
        assertThat(line).contains("min-crop-scale 0.2").doesNotContain("temperature")
                .doesNotContain("color-jitter")
                .doesNotContain("batch-size").doesNotContain("lr ");
        JsonNode config = Json.MAPPER.readTree(out.resolve("config.json").toFile()).get("config");
        assertThat(config.get("min_crop_scale").asDouble()).isEqualTo(0.2);
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.5);
        assertThat(config.get("color_jitter_strength").asDouble()).isEqualTo(0.5);
        assertThat(config.get("batch_size").asInt()).isEqualTo(64);
        assertThat(config.get("learning_rate").asDouble()).isEqualTo(1e-3);
        // another recipe: the simclr crop pick does not apply
        CliTest.Run cropFlip = CliTest.run("pretrain", "--method", "simclr", "--backbone", "mlp",
                "--recipe", "crop-flip", "--data", "idx:" + data, "--epochs", "1",
                "--threads", "2", "--out", dir.resolve("crop-flip").toString());
        assertThat(cropFlip.code()).as(cropFlip.err()).isZero();
        JsonNode other = Json.MAPPER.readTree(dir.resolve("crop-flip/config.json").toFile()).get("config");
        assertThat(other.get("min_crop_scale").isNull()).isTrue();
        assertThat(other.get("color_jitter_strength").isNull()).isTrue();
        // a jitter strength for a recipe without colour jitter is refused before any work
        CliTest.Run jitter = CliTest.run("pretrain", "--method", "rotation", "--backbone", "mlp",
                "--color-jitter", "1", "--data", "idx:" + data, "--epochs", "1",
                "--out", dir.resolve("rotation").toString());
        assertThat(jitter.code()).isNotZero();
        assertThat(jitter.err()).contains("--color-jitter applies to the simclr recipe");
        assertThat(dir.resolve("rotation")).doesNotExist();
    }
}
