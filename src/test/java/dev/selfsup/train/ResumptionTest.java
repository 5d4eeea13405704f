package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selfsup.data.DataSplits;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resuming an image run with more epochs: the new horizon's schedule from the resume point on,
 * the change written and recorded in {@code config.json}, an extension stopped and resumed again
 * ending byte for byte where the extension run through ends, and every other change refused.
 */
class ResumptionTest {
    /** 512 images in batches of 64: 8 steps an epoch, the first epoch warm-up. */
    private static final DataSplits DATA = TinyData.splits(512, 256, 3);
    private static final int STEPS = 8;

    private static PretrainConfig oneEpoch() {
        return PretrainerTest.config("simclr", "mlp", 1, 9);
    }

    private static Pretrainer trainer(PretrainConfig config, ProgressListener listener) {
        return new Pretrainer(config, DATA, listener);
    }

    @Test
    void aFinishedRunExtendedTrainsOnOnTheLongerRunsScheduleAndRecordsIt(@TempDir Path dir)
            throws Exception {
        // the warm-up is epoch 1 in both, so a 1-epoch run's steps are those of a 3-epoch run's
        // first epoch, and extending it to 3 epochs must give the 3-epoch run exactly
        Path straight = dir.resolve("straight");
        trainer(oneEpoch().withEpochs(3), ProgressListener.silent()).run(straight, false);

        Path extended = dir.resolve("extended");
        trainer(oneEpoch(), ProgressListener.silent()).run(extended, false);
        Pretrainer.Result result = trainer(PretrainConfig.readFrom(extended).withEpochs(3),
                ProgressListener.silent()).run(extended, true);

        assertThat(result.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
        assertThat(result.epochs()).allSatisfy(m -> assertThat(m.loss()).isFinite());
        // each epoch's last rate is the 3-epoch schedule's: warm-up 8 steps, 24 in all
        CosineSchedule horizon = new CosineSchedule(oneEpoch().learningRate(), STEPS, 3 * STEPS);
        assertThat(result.epochs()).extracting(EpochMetrics::learningRate).containsExactly(
                horizon.learningRate(STEPS - 1), horizon.learningRate(2 * STEPS - 1),
                horizon.learningRate(3 * STEPS - 1));
        assertSameRun(extended, straight);

        JsonNode document = Json.MAPPER.readTree(extended.resolve("config.json").toFile());
        assertThat(PretrainConfig.readFrom(extended)).isEqualTo(oneEpoch().withEpochs(3));
        assertThat(document.at("/config/warmup_epochs").asInt()).isEqualTo(1);
        assertThat(document.get(Resumption.EXTENDED).size()).isEqualTo(1);
        JsonNode extension = document.get(Resumption.EXTENDED).get(0);
        assertThat(extension.get("from_epochs").asInt()).isEqualTo(1);
        assertThat(extension.get("to_epochs").asInt()).isEqualTo(3);
        assertThat(extension.get("at_step").asLong()).isEqualTo(STEPS);
        assertThat(document.has(Resumption.CHANGED)).isFalse();
        // the provenance is kept
        assertThat(document.at("/dataset/train/size").asInt()).isEqualTo(512);
        assertThat(document.at("/versions/djl").asText()).isNotEmpty();

        // complete now: resumed again, it trains nothing and says so
        List<String> notes = new ArrayList<>();
        Pretrainer.Result again = trainer(PretrainConfig.readFrom(extended),
                TextPretrainerTest.noting(notes))
                .run(extended, true);
        assertThat(notes).containsExactly(Resumption.completeMessage(extended, 3));
        assertThat(again.epochs()).hasSize(3);
        assertThat(Files.readAllLines(extended.resolve("metrics.jsonl"))).hasSize(3);
        assertThat(Json.MAPPER.readTree(extended.resolve("config.json").toFile())
                .get(Resumption.EXTENDED).size()).isEqualTo(1);
    }

    @Test
    void anExtensionStoppedAndResumedAgainEndsWhereTheExtensionRunThroughEnds(@TempDir Path dir)
            throws Exception {
        Path through = dir.resolve("through");
        trainer(oneEpoch(), ProgressListener.silent()).run(through, false);
        trainer(PretrainConfig.readFrom(through).withEpochs(3), ProgressListener.silent())
                .run(through, true);

        Path stopped = dir.resolve("stopped");
        trainer(oneEpoch(), ProgressListener.silent()).run(stopped, false);
        long stopStep = 2 * STEPS + 3; // after the 3rd step of epoch 3
        assertThatThrownBy(() -> trainer(PretrainConfig.readFrom(stopped).withEpochs(3),
                TextPretrainerTest.stopAtStep(stopStep)).run(stopped, true)).hasMessage("stopped");
        assertThat(Checkpoints.latest(stopped)).hasValue(stopped.resolve("checkpoints/epoch-0002"));
        // the extension is in config.json already: a plain resume continues it
        assertThat(PretrainConfig.readFrom(stopped).epochs()).isEqualTo(3);
        trainer(PretrainConfig.readFrom(stopped), ProgressListener.silent()).run(stopped, true);

        assertSameRun(stopped, through);
        JsonNode document = Json.MAPPER.readTree(stopped.resolve("config.json").toFile());
        assertThat(document.get(Resumption.EXTENDED).size()).isEqualTo(1);
        assertThat(document.get(Resumption.EXTENDED).get(0).get("at_step").asLong())
                .isEqualTo(STEPS);
    }

    @Test
    void runSettingsMayChangeOtherSettingsAndFewerEpochsAreRefused(@TempDir Path dir)
            throws Exception {
        Path run = dir.resolve("run");
        trainer(oneEpoch(), ProgressListener.silent()).run(run, false);
        String before = Files.readString(run.resolve("config.json"));

        PretrainConfig saved = PretrainConfig.readFrom(run);
        PretrainConfig otherRate = new PretrainConfig(saved.method(), saved.backbone(),
                saved.data(), saved.dataOptions(), saved.recipe(), saved.minCropScale(),
                saved.rotationDegrees(), 2, saved.batchSize(), saved.optimizer(), 0.01,
                saved.weightDecay(), saved.temperature(), saved.warmupEpochs(), saved.seed(),
                saved.threads(), saved.workers(), saved.evalEvery(), saved.keepCheckpoints(),
                saved.queueSize(), saved.maskRatio(), saved.colorJitterStrength());
        assertThatThrownBy(() -> trainer(otherRate, ProgressListener.silent()).run(run, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("learning rate cannot change on resume: the run in " + run
                        + " has 0.003, found 0.01");
        PretrainConfig otherMethod = PretrainerTest.config("tutorial", "mlp", 2, 9);
        assertThatThrownBy(() -> trainer(otherMethod, ProgressListener.silent()).run(run, true))
                .hasMessage("method cannot change on resume: the run in " + run
                        + " has simclr, found tutorial");
        // refused before anything is written
        assertThat(Files.readString(run.resolve("config.json"))).isEqualTo(before);

        // 2 epochs, one worker, 1 checkpoint kept, the kNN monitor every 2 epochs
        trainer(saved.withEpochs(2).withRunSettings(saved.threads(), 1, 2, 1),
                ProgressListener.silent()).run(run, true);
        assertThat(PretrainConfig.readFrom(run))
                .isEqualTo(saved.withEpochs(2).withRunSettings(saved.threads(), 1, 2, 1));
        try (var entries = Files.list(Checkpoints.folder(run))) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("epoch-0002");
        }
        JsonNode document = Json.MAPPER.readTree(run.resolve("config.json").toFile());
        List<String> changed = new ArrayList<>();
        for (JsonNode change : document.get(Resumption.CHANGED)) {
            changed.add(change.get("setting").asText() + " " + change.get("from") + " -> "
                    + change.get("to") + " at " + change.get("at_step"));
        }
        assertThat(changed).containsExactlyInAnyOrder("workers 2 -> 1 at 8",
                "eval_every 1 -> 2 at 8", "keep_checkpoints 5 -> 1 at 8");
        assertThat(document.get(Resumption.EXTENDED).size()).isEqualTo(1);

        assertThatThrownBy(() -> trainer(saved.withEpochs(1), ProgressListener.silent())
                .run(run, true))
                .hasMessage("epochs must be at least the 2 the run in " + run
                        + " has trained, found 1");
        assertThat(Resumption.epochsTrained(run)).isEqualTo(2);
        assertThat(Resumption.epochsTrained(dir.resolve("none"))).isZero();
    }

    /** Same last weights, optimiser and state, byte for byte; same metrics but for timings. */
    static void assertSameRun(Path actual, Path expected) throws Exception {
        Path last = Checkpoints.latest(expected).orElseThrow();
        assertThat(Checkpoints.latest(actual)).hasValue(actual.resolve(expected.relativize(last)));
        for (String file : List.of(Checkpoints.MODEL_FILE, Checkpoints.OPTIMIZER_FILE,
                Checkpoints.STATE_FILE)) {
            Path relative = expected.relativize(last.resolve(file));
            // -1: no byte differs
            assertThat(Files.mismatch(actual.resolve(relative), expected.resolve(relative)))
                    .as(file).isEqualTo(-1L);
        }
        assertThat(withoutTimings(actual)).isEqualTo(withoutTimings(expected));
    }

    private static List<JsonNode> withoutTimings(Path run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(line);
            node.remove(List.of("views_per_second", "epoch_seconds", "peak_rss_mb"));
            lines.add(node);
        }
        return lines;
    }
}
