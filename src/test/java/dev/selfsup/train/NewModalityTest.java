package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.util.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modality the library does not know, 1-D signals, needs only a {@link TrainingTask} (data,
 * views, model, measurements) to be trained by the one {@link TrainingLoop}: the loss falls, the
 * metrics and report are written, and a run resumed from its first checkpoint ends with the same
 * weights, byte for byte, as a run never stopped. Nothing in the loop knows about signals.
 */
class NewModalityTest {
    private static final int LENGTH = 32;
    private static final int BATCH = 16;
    private static final int STEPS = 6;

    /** The task's line of metrics.jsonl: the standard fields plus one of its own. */
    record SignalMetrics(int epoch, long step, double loss,
            @JsonProperty("lr") double learningRate,
            @JsonProperty("views_per_second") double viewsPerSecond,
            @JsonProperty("epoch_seconds") double epochSeconds,
            @JsonProperty("signal_norm") double signalNorm) implements EpochRecord {}

    /** Where training stood, for state.json. */
    record SignalState(int epoch, long step, @JsonProperty("optimizer_updates") long updates) {}

    /**
     * Sine waves of 4 frequencies; a view scales, shifts (circularly) and adds noise, all drawn
     * from (seed, epoch, step), so a resumed run sees the same views.
     */
    static final class SignalTask implements TrainingTask<SignalMetrics> {
        private final Block model = new SequentialBlock()
                .add(Linear.builder().setUnits(32).build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(8).build());
        private final NtXentLoss loss = new NtXentLoss(0.5);
        private final long seed;

        SignalTask(long seed) {
            this.seed = seed;
        }

        @Override
        public Block model() {
            return model;
        }

        @Override
        public void initialize(NDManager modelManager) {
            model.initialize(modelManager, DataType.FLOAT32, new Shape(2 * BATCH, LENGTH));
        }

        @Override
        public int stepsPerEpoch() {
            return STEPS;
        }

        @Override
        public Class<SignalMetrics> metricsType() {
            return SignalMetrics.class;
        }

        @Override
        public Iterator<TrainingStep.Batch> batches(int epoch, long firstStep) {
            List<TrainingStep.Batch> batches = new ArrayList<>();
            for (int s = 0; s < STEPS; s++) {
                float[] views = views(Seeds.random(seed, epoch, s));
                batches.add(new TrainingStep.Batch() {
                    @Override
                    public NDArray loss(ParameterStore parameterStore, NDManager step) {
                        NDArray x = step.create(views, new Shape(2 * BATCH, LENGTH));
                        NDArray z = model.forward(parameterStore, new ai.djl.ndarray.NDList(x),
                                true).singletonOrThrow(); // (2 * BATCH, 8)
                        return loss.compute(z.get("0:" + BATCH), z.get(BATCH + ":"));
                    }

                    @Override
                    public long rows() {
                        return 2L * BATCH;
                    }
                });
            }
            return batches.iterator();
        }

        /** Two views of BATCH signals, view-major, {@code (2 * BATCH, LENGTH)} flattened. */
        private static float[] views(SplittableRandom random) {
            float[] out = new float[2 * BATCH * LENGTH];
            for (int i = 0; i < BATCH; i++) {
                int frequency = 1 + random.nextInt(4);
                double phase = random.nextDouble() * 2 * Math.PI;
                for (int v = 0; v < 2; v++) {
                    double scale = 0.5 + random.nextDouble();
                    int shift = random.nextInt(LENGTH);
                    for (int t = 0; t < LENGTH; t++) {
                        double clean = Math.sin(2 * Math.PI * frequency * (t + shift) / LENGTH
                                + phase);
                        out[(v * BATCH + i) * LENGTH + t] = (float) (scale * clean
                                + 0.1 * random.nextGaussian());
                    }
                }
            }
            return out;
        }

        @Override
        public SignalMetrics finishEpoch(EpochTotals totals, NDManager modelManager) {
            double norm = 0;
            for (var parameter : model.getParameters().values()) {
                norm += parameter.getArray().square().sum().getFloat();
            }
            return new SignalMetrics(totals.epoch(), totals.step(), totals.meanLoss(),
                    totals.learningRate(), totals.examples() / totals.seconds(), totals.seconds(),
                    Math.sqrt(norm));
        }

        @Override
        public Object checkpointState(int epoch, long step, long optimizerUpdates) {
            return new SignalState(epoch, step, optimizerUpdates);
        }
    }

    private static TrainingLoop.Settings settings(int epochs) {
        return new TrainingLoop.Settings(epochs, 1e-2, STEPS, "adam", 0, 5, 4);
    }

    @Test
    void aTaskOfItsOwnTrainsChecksAndResumesThroughTheOneLoop(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        Files.createDirectories(straight);
        TrainingLoop.Outcome<SignalMetrics> outcome = TrainingLoop.run(straight, Optional.empty(),
                new SignalTask(5), settings(4), ProgressListener.silent());
        List<SignalMetrics> epochs = outcome.epochs();
        assertThat(epochs).hasSize(4);
        assertThat(epochs.get(3).loss()).isLessThan(epochs.get(0).loss());
        assertThat(Files.readAllLines(straight.resolve("metrics.jsonl"))).hasSize(4)
                .allSatisfy(line -> assertThat(line).contains("\"signal_norm\""));
        assertThat(straight.resolve(ReportWriter.REPORT_FILE)).exists();

        Path resumed = dir.resolve("resumed");
        Files.createDirectories(resumed);
        TrainingLoop.run(resumed, Optional.empty(), new SignalTask(5), settings(4),
                ProgressListener.silent());
        for (int epoch = 2; epoch <= 4; epoch++) {
            dev.selfsup.util.AtomicFiles.deleteTree(
                    resumed.resolve(String.format("checkpoints/epoch-%04d", epoch)));
        }
        Path first = resumed.resolve("checkpoints/epoch-0001");
        TrainingLoop.Outcome<SignalMetrics> after = TrainingLoop.run(resumed,
                Optional.of(new TrainingLoop.Start(first, 1, STEPS, STEPS)), new SignalTask(5),
                settings(4), ProgressListener.silent());
        assertThat(after.epochs()).hasSize(4);
        assertThat(after.epochs().get(3).loss()).isEqualTo(epochs.get(3).loss());
        assertThat(Files.readAllBytes(resumed.resolve("checkpoints/epoch-0004/"
                + Checkpoints.MODEL_FILE))).isEqualTo(Files.readAllBytes(
                        straight.resolve("checkpoints/epoch-0004/" + Checkpoints.MODEL_FILE)));
    }
}
