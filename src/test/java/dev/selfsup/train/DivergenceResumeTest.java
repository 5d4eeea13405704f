package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.testing.Cli;
import dev.selfsup.testing.Cli.Run;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss that turns NaN mid-run: the command stops with one line naming the step, nothing of the
 * bad state is saved, and {@code --resume} continues from the last good checkpoint to the same
 * weights as a run that never diverged. The NaN is injected ({@link TrainingStep#nanLossAtStep})
 * as a transient fault would strike; a real divergence would repeat on resume, because a resumed
 * run repeats its steps exactly.
 */
class DivergenceResumeTest {
    /** 64 images in batches of 16: 4 steps per epoch. */
    private static final List<String> RUN = List.of("pretrain", "--method", "simclr",
            "--backbone", "mlp", "--data", "shapes", "--train-size", "64", "--test-size", "32",
            "--epochs", "3", "--batch-size", "16", "--threads", "1");

    private static Run cli(List<String> args) {
        return Cli.run(args.toArray(String[]::new));
    }

    private static Run pretrain(Path out) {
        List<String> args = new ArrayList<>(RUN);
        args.addAll(List.of("--out", out.toString()));
        return cli(args);
    }

    private static List<String> entries(Path folder) throws IOException {
        try (Stream<Path> stream = Files.list(folder)) {
            return stream.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @AfterEach
    void noFault() {
        TrainingStep.nanLossAtStep = -1;
        TrainingStep.nanGradientAtStep = -1;
    }

    /** The one error line of a failed run (stderr also holds the progress bar). */
    private static String errorLine(Run run) {
        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.err()).doesNotContain("\tat ");
        List<String> err = run.err().lines()
                .filter(l -> !l.isBlank() && !l.startsWith("epoch ")).toList();
        assertThat(err).as("out:\n" + run.out() + "\nerr:\n" + run.err()).hasSize(1);
        return err.get(0);
    }

    @Test
    void aNanLossStopsTheRunNamingTheStepAndResumeFinishesIt(@TempDir Path dir)
            throws IOException {
        Path run = dir.resolve("run");
        TrainingStep.nanLossAtStep = 6; // the 7th step: the 3rd of epoch 2
        Run diverged = pretrain(run);
        TrainingStep.nanLossAtStep = -1;

        assertThat(errorLine(diverged)).isEqualTo("selfsup: error: loss became NaN at step 7 "
                + "(epoch 2); lower --lr or check the data. No checkpoint of this state was saved.");
        assertThat(diverged.out()).contains("epoch 1").doesNotContain("epoch 2:");
        // epoch 1 is saved whole; of epoch 2, nothing: no checkpoint, no metrics line, no leftovers
        assertThat(entries(run.resolve("checkpoints"))).containsExactly("epoch-0001");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(1);
        assertThat(Json.MAPPER.readTree(metrics.get(0)).get("epoch").asInt()).isEqualTo(1);

        Run resumed = cli(List.of("pretrain", "--resume", run.toString()));
        assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
        assertThat(entries(run.resolve("checkpoints"))).containsExactly("epoch-0002", "epoch-0003");
        List<Integer> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode epoch = Json.MAPPER.readTree(line);
            epochs.add(epoch.get("epoch").asInt());
            assertThat(epoch.get("loss").asDouble()).as(line).isFinite();
        }
        assertThat(epochs).containsExactly(1, 2, 3);

        // the steps of epoch 2 done before the NaN left nothing behind: the resumed run ends
        // with the weights of a run that never diverged
        Path reference = dir.resolve("reference");
        Run whole = pretrain(reference);
        assertThat(whole.code()).as(whole.err()).isZero();
        assertThat(Files.readAllBytes(Checkpoints.resolve(run).resolve(Checkpoints.MODEL_FILE)))
                .isEqualTo(Files.readAllBytes(
                        Checkpoints.resolve(reference).resolve(Checkpoints.MODEL_FILE)));
    }

    @Test
    void aNanGradientUnderAFiniteLossIsCaughtByTheNextLossOrAtTheEpochsEnd(@TempDir Path dir)
            throws IOException {
        // mid-epoch: the poisoned weights make the next step's loss NaN
        TrainingStep.nanGradientAtStep = 5;
        assertThat(errorLine(pretrain(dir.resolve("middle")))).isEqualTo("selfsup: error: loss "
                + "became NaN at step 7 (epoch 2); lower --lr or check the data. No checkpoint of "
                + "this state was saved.");

        // at the epoch's last step no loss follows: the weights are checked before saving
        Path run = dir.resolve("last");
        TrainingStep.nanGradientAtStep = 7;
        String line = errorLine(pretrain(run));
        TrainingStep.nanGradientAtStep = -1;
        assertThat(line).startsWith("selfsup: error: weights became NaN or infinite (")
                .endsWith(") in steps 5 to 8 (epoch 2) while the loss stayed finite; lower --lr "
                        + "or check the data. No checkpoint of this state was saved.");
        assertThat(entries(run.resolve("checkpoints"))).containsExactly("epoch-0001");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(1);

        Run resumed = cli(List.of("pretrain", "--resume", run.toString()));
        assertThat(resumed.code()).as(resumed.out() + resumed.err()).isZero();
        assertThat(entries(run.resolve("checkpoints"))).containsExactly("epoch-0002", "epoch-0003");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(3);
    }
}
