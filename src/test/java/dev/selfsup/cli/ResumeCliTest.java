package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Resumption;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pretrain --resume RUN} with other options: {@code --epochs} trains a finished run on,
 * the run settings are applied, every other option is refused with one line naming the run's
 * value (or accepted when it repeats it), and a complete run says so.
 */
class ResumeCliTest {
    /** 64 images in batches of 16: 4 steps an epoch. */
    private static final List<String> RUN = List.of("pretrain", "--method", "simclr",
            "--backbone", "mlp", "--data", "shapes", "--train-size", "64", "--test-size", "32",
            "--epochs", "1", "--batch-size", "16", "--threads", "1");

    private static CliTest.Run resume(Path run, String... options) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--resume", run.toString()));
        args.addAll(List.of(options));
        return CliTest.run(args.toArray(String[]::new));
    }

    /** The one error line of a refused resume, which trains nothing. */
    private static String refusal(CliTest.Run run) {
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).doesNotContain("epoch ");
        List<String> err = run.err().lines().filter(l -> !l.isBlank()).toList();
        assertThat(err).as(run.err()).hasSize(1);
        return err.get(0);
    }

    private static List<String> entries(Path folder) throws IOException {
        try (Stream<Path> stream = Files.list(folder)) {
            return stream.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anImageRunTrainsOnToMoreEpochsAndRefusesEveryOtherChange(@TempDir Path dir)
            throws IOException {
        Path run = dir.resolve("run");
        List<String> args = new ArrayList<>(RUN);
        args.addAll(List.of("--out", run.toString()));
        CliTest.Run first = CliTest.run(args.toArray(String[]::new));
        assertThat(first.code()).as(first.err()).isZero();
        String config = Files.readString(run.resolve("config.json"));
        PretrainConfig saved = PretrainConfig.readFrom(run);

        // finished: said, not silence, and nothing written
        for (CliTest.Run complete : List.of(resume(run), resume(run, "--epochs", "1"))) {
            assertThat(complete.code()).as(complete.err()).isZero();
            assertThat(complete.out().strip()).isEqualTo(run + " is already complete: 1 of 1 "
                    + "epochs trained; resume it with --epochs N (N > 1) to train it further");
        }
        assertThat(Files.readString(run.resolve("config.json"))).isEqualTo(config);

        String prefix = "selfsup: error: ";
        assertThat(refusal(resume(run, "--epochs", "2", "--method", "byol"))).isEqualTo(prefix
                + "--method cannot change on resume: the run in " + run + " trains simclr");
        assertThat(refusal(resume(run, "--lr", "0.1"))).isEqualTo(prefix + "--lr cannot change "
                + "on resume: the run in " + run + " has --lr " + saved.learningRate());
        assertThat(refusal(resume(run, "--batch-size", "32"))).isEqualTo(prefix + "--batch-size "
                + "cannot change on resume: the run in " + run + " has --batch-size 16");
        assertThat(refusal(resume(run, "--rotation", "10"))).isEqualTo(prefix + "--rotation "
                + "cannot change on resume: the run in " + run + " leaves --rotation to its "
                + "default");
        assertThat(refusal(resume(run, "--color", "gray"))).isEqualTo(prefix + "--color cannot "
                + "change on resume: the run in " + run + " has --color auto");
        assertThat(refusal(resume(run, "--pooling", "cls"))).isEqualTo(prefix + "--pooling "
                + "does not apply on resume: the run in " + run + " has no such setting");
        assertThat(refusal(resume(run, "--out", dir.resolve("elsewhere").toString())))
                .isEqualTo(prefix + "--out cannot change on resume: the run in " + run
                        + " has --out " + run);
        assertThat(Files.readString(run.resolve("config.json"))).isEqualTo(config);

        // the run's own values are no change; --epochs and the run settings are applied
        CliTest.Run extended = resume(run, "--method", "simclr", "--data", "shapes",
                "--batch-size", "16", "--epochs", "3", "--keep-checkpoints", "1",
                "--eval-every", "5");
        assertThat(extended.code()).as(extended.err()).isZero();
        assertThat(extended.out()).contains("3 epochs").contains("epoch 2:").contains("epoch 3:")
                .doesNotContain("epoch 1:");
        assertThat(PretrainConfig.readFrom(run))
                .isEqualTo(saved.withEpochs(3).withRunSettings(1, 1, 5, 1));
        List<JsonNode> metrics = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            metrics.add(Json.MAPPER.readTree(line));
        }
        assertThat(metrics).extracting(m -> m.get("epoch").asInt()).containsExactly(1, 2, 3);
        // the kNN monitor every 5 epochs now, and after the last
        assertThat(metrics).extracting(m -> m.get("knn_top1").isNull())
                .containsExactly(false, true, false);
        assertThat(entries(run.resolve("checkpoints"))).containsExactly("epoch-0003");
        JsonNode document = Json.MAPPER.readTree(run.resolve("config.json").toFile());
        JsonNode extension = document.get(Resumption.EXTENDED).get(0);
        assertThat(List.of(extension.get("from_epochs").asInt(), extension.get("to_epochs").asInt(),
                extension.get("at_step").asInt())).containsExactly(1, 3, 4);
        List<String> changed = new ArrayList<>();
        document.get(Resumption.CHANGED).forEach(c -> changed.add(c.get("setting").asText()));
        assertThat(changed).containsExactlyInAnyOrder("eval_every", "keep_checkpoints");

        assertThat(refusal(resume(run, "--epochs", "2"))).isEqualTo(prefix + "--epochs must be "
                + "at least the 3 epochs the run in " + run + " has trained, found 2");
    }
}
