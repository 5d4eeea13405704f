package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pretrain --config FILE} and {@code --print-config}: settings from YAML or JSON go down
 * the options' path (the data still picks what the file leaves out), the command line wins, and a
 * bad key or value is one line naming the file.
 */
class ConfigFileCliTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    private static JsonNode runConfig(Path run) throws IOException {
        return Json.MAPPER.readTree(run.resolve("config.json").toFile()).get("config");
    }

    private static JsonNode printed(CliTest.Run run) throws IOException {
        assertThat(run.code()).as(run.err()).isZero();
        return Json.MAPPER.readTree(run.out());
    }

    @Test
    void aYamlFileSetsTheRunAndTheDataPicksTheRest() throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path yaml = write("run.yaml",
                "# a partial file: the data's defaults fill in the rest",
                "method: simclr",
                "backbone: mlp",
                "data: idx:" + data,
                "epochs: 1",
                "threads: 2",
                "temperature: 0.3",
                "learning_rate: 1e-3");
        Path out = dir.resolve("run");
        CliTest.Run run = CliTest.run("pretrain", "--config", yaml.toString(), "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        String picked = run.out().lines().filter(l -> l.startsWith("defaults for")).findFirst()
                .orElseThrow();
        assertThat(picked).startsWith("defaults for small gray images: min-crop-scale 0.2 (")
                .contains("batch-size 128 (").doesNotContain("temperature").doesNotContain("lr ");
        JsonNode config = runConfig(out);
        assertThat(config.get("method").asText()).isEqualTo("simclr");
        assertThat(config.get("backbone").asText()).isEqualTo("mlp");
        assertThat(config.get("epochs").asInt()).isEqualTo(1);
        assertThat(config.get("threads").asInt()).isEqualTo(2);
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(config.get("learning_rate").asDouble()).isEqualTo(1e-3);
        assertThat(config.get("min_crop_scale").asDouble()).isEqualTo(0.2);
        assertThat(config.get("color_jitter_strength").asDouble()).isEqualTo(2.0);
        assertThat(config.get("batch_size").asInt()).isEqualTo(128);

        // the run's whole config.json gives a new run the same settings
        Path again = dir.resolve("again");
        JsonNode reprinted = printed(CliTest.run("pretrain", "--config",
                out.resolve("config.json").toString(), "--print-config", "--out", again.toString()));
        assertThat(reprinted).isEqualTo(config);
        assertThat(again).doesNotExist();
    }

    @Test
    void theCommandLineWinsOverAJsonFile() throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path json = write("run.json", """
                {"method": "moco", "backbone": "mlp", "data": "idx:%s", "epochs": 5,
                 "batch_size": 64, "queue_size": 256, "temperature": 0.3,
                 "data_options": {"trainSize": 200, "testSize": null}}""".formatted(data));
        Path out = dir.resolve("never");
        CliTest.Run run = CliTest.run("pretrain", "--config", json.toString(), "--temperature",
                "0.4", "--epochs", "2", "--print-config", "--out", out.toString());
        JsonNode config = printed(run);
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.4);
        assertThat(config.get("epochs").asInt()).isEqualTo(2);
        assertThat(config.get("warmup_epochs").asInt()).isEqualTo(1);
        assertThat(config.get("method").asText()).isEqualTo("moco");
        assertThat(config.get("batch_size").asInt()).isEqualTo(64);
        assertThat(config.get("queue_size").asInt()).isEqualTo(256);
        assertThat(config.get("data_options").get("trainSize").asInt()).isEqualTo(200);
        assertThat(config.get("data_options").get("testSize").isNull()).isTrue();
        // the data's picks fill in what neither gives, and are said on standard error
        assertThat(config.get("learning_rate").asDouble()).isEqualTo(2e-3);
        assertThat(config.get("min_crop_scale").asDouble()).isEqualTo(0.2);
        assertThat(run.err()).startsWith("defaults for small gray images: ")
                .contains("lr 0.002 (").doesNotContain("temperature").doesNotContain("batch-size");
        assertThat(out).doesNotExist();
    }

    /** Runs pretrain with {@code yaml} as its config file; returns its error output. */
    private String refused(String yaml, String... options) throws IOException {
        Path file = write("bad.yaml", yaml);
        Path out = dir.resolve("refused");
        List<String> args = new ArrayList<>(List.of("pretrain", "--config", file.toString(),
                "--train-size", "64", "--test-size", "32", "--out", out.toString()));
        args.addAll(Arrays.asList(options));
        CliTest.Run run = CliTest.run(args.toArray(String[]::new));
        assertThat(run.code()).as(yaml).isNotZero();
        assertThat(run.err()).as(yaml).doesNotContain("\tat ").doesNotContain("Usage:");
        assertThat(out).doesNotExist();
        return run.err().strip();
    }

    @Test
    void unknownKeysAndBadValuesAreOneLineNamingTheFile() throws IOException {
        Path file = dir.resolve("bad.yaml");
        assertThat(refused("temprature: 0.1")).isEqualTo("selfsup: error: unknown key "
                + "'temprature' in " + file + "; did you mean 'temperature'?");
        assertThat(refused("data_options: {trainsize: 10}")).isEqualTo("selfsup: error: unknown "
                + "key 'data_options.trainsize' in " + file + "; did you mean 'data_options.trainSize'?");
        assertThat(refused("vocabulary_size: 100")).isEqualTo("selfsup: error: 'vocabulary_size' "
                + "in " + file + " applies to text runs, not to image data 'shapes'");
        assertThat(refused("epochs: ten")).isEqualTo("selfsup: error: " + file
                + ": epochs must be a whole number, found \"ten\"");
        assertThat(refused("temperature: [0.1]")).isEqualTo("selfsup: error: " + file
                + ": temperature must be a number, found [0.1]");
        assertThat(refused("epochs: 0")).isEqualTo("selfsup: error: epochs must be > 0, found 0 "
                + "(from " + file + ": epochs 0)");
        assertThat(refused("method: byol\ntemperature: 0.1")).isEqualTo("selfsup: error: "
                + "--temperature does not apply to byol (from " + file + ": temperature 0.1)");
        assertThat(refused("epochs: 3\nepochs: 4")).startsWith("selfsup: error: " + file
                + ": not valid YAML: ").contains("epochs");
        assertThat(refused("- epochs")).startsWith("selfsup: error: " + file
                + ": must hold a mapping of settings");
        // a value given on the command line is not the file's to answer for
        assertThat(refused("epochs: 3", "--epochs", "0")).isEqualTo(
                "selfsup: error: epochs must be > 0, found 0");

        CliTest.Run missing = CliTest.run("pretrain", "--config", dir.resolve("none.yaml").toString());
        assertThat(missing.err().strip()).isEqualTo("selfsup: error: " + dir.resolve("none.yaml")
                + ": no such config file");
        CliTest.Run resume = CliTest.run("pretrain", "--resume", dir.toString(), "--config",
                file.toString());
        assertThat(resume.err().strip()).isEqualTo("selfsup: error: --resume takes every setting "
                + "from the run's config.json; --config and --print-config are for a new run");
        CliTest.Run warmups = CliTest.run("pretrain", "--data", "text:" + dir.resolve("corpus"),
                "--warmup-epochs", "1", "--warmup-fraction", "0.2", "--print-config");
        assertThat(warmups.err().strip()).isEqualTo("selfsup: error: give --warmup-epochs or "
                + "--warmup-fraction, not both; found 1 and 0.2");
        CliTest.Run typo = CliTest.run("pretrain", "--temprature", "0.1");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("'--temprature'")
                .contains("did you mean '--temperature'?");
    }

    @Test
    void aTextRunTakesItsKeysAndPrintsItsPickedSizes() throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(12, 6, 8), dir.resolve("corpus"));
        Path yaml = write("text.yaml", "method: mlm", "data: text:" + corpus,
                "vocabulary_size: 100", "max_length: 24", "width: 16", "layers: 1", "heads: 2",
                "dropout: 0.2", "batch_size: 16", "held_out_examples: 16", "threads: 1",
                "epochs: 1");
        Path never = dir.resolve("never");
        CliTest.Run print = CliTest.run("pretrain", "--config", yaml.toString(), "--print-config",
                "--out", never.toString());
        JsonNode config = printed(print);
        assertThat(config.get("vocabulary_size").asInt()).isEqualTo(100);
        assertThat(config.get("dropout").asDouble()).isEqualTo(0.2);
        // picked from the corpus, as a run picks them, without training
        assertThat(config.get("steps_per_epoch").asInt()).isEqualTo(400);
        assertThat(config.get("warmup_fraction").asDouble()).isEqualTo(133 / 400.0);
        assertThat(print.err()).contains("defaults for text: steps-per-epoch 400 (");
        assertThat(never).doesNotExist();

        // a run from the file, its epochs sized on the command line, writes what is printed
        Path run = dir.resolve("run");
        CliTest.Run trained = CliTest.run("pretrain", "--config", yaml.toString(),
                "--steps-per-epoch", "2", "--out", run.toString());
        assertThat(trained.code()).as(trained.err()).isZero();
        ObjectNode expected = ((ObjectNode) config.deepCopy()).put("steps_per_epoch", 2)
                .put("warmup_fraction", 0.0); // 2 steps: too few to warm up
        assertThat(runConfig(run)).isEqualTo(expected);
        assertThat(printed(CliTest.run("pretrain", "--config", yaml.toString(),
                "--steps-per-epoch", "2", "--print-config"))).isEqualTo(expected);

        // its config.json starts a new run; --train-size replaces the file's steps per epoch
        JsonNode examples = printed(CliTest.run("pretrain", "--config",
                run.resolve("config.json").toString(), "--train-size", "32", "--print-config"));
        assertThat(examples.get("examples_per_epoch").asInt()).isEqualTo(32);
        assertThat(examples.get("steps_per_epoch").isNull()).isTrue();
        assertThat(examples.get("dropout")).isEqualTo(config.get("dropout"));
    }
}
