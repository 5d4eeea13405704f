package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.util.Seeds;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The one training loop of every modality: epochs of a {@link TrainingTask}'s batches, an
 * optimiser step per batch under a warm-up + cosine schedule (libtorch reseeded from
 * (seed, step) before each, so a resumed run repeats every draw), and after every epoch the
 * task's measurements as one line of {@code metrics.jsonl}, a checkpoint, and a refreshed
 * {@code report.html}. A run resumes from a {@link Start}: its weights, optimiser state and
 * position; the rest of the run is then the same as that of a run never stopped.
 *
 * <p>Native memory: the parameters live in a model manager, the optimiser's state in a child of
 * it, every step's arrays in a step manager closed at the end of the step
 * ({@link TrainingStep}).
 */
public final class TrainingLoop {
    private TrainingLoop() {}

    /**
     * How the loop optimises.
     *
     * @param epochs epochs of the whole run (the schedule's horizon)
     * @param learningRate peak rate
     * @param warmupSteps steps of linear warm-up before the cosine decay
     * @param optimizer an {@link Optimizer#NAMES} name
     * @param weightDecay the optimiser's weight decay
     * @param seed the run's seed
     * @param keepCheckpoints newest checkpoints kept
     */
    public record Settings(int epochs, double learningRate, long warmupSteps, String optimizer,
            double weightDecay, long seed, int keepCheckpoints) {
        public Settings {
            if (epochs <= 0) {
                throw new IllegalArgumentException("epochs must be > 0, found " + epochs);
            }
            if (!(learningRate > 0)) {
                throw new IllegalArgumentException("learning rate must be > 0, found " + learningRate);
            }
            if (warmupSteps < 0) {
                throw new IllegalArgumentException("warm-up steps must be >= 0, found " + warmupSteps);
            }
            if (keepCheckpoints < 1) {
                throw new IllegalArgumentException("checkpoints kept must be >= 1, found "
                        + keepCheckpoints);
            }
        }
    }

    /**
     * Where a resumed run starts: a complete checkpoint and the position it holds.
     *
     * @param checkpoint the checkpoint directory
     * @param epoch epochs it completed
     * @param step steps it completed
     * @param optimizerUpdates updates its optimiser applied
     */
    public record Start(Path checkpoint, int epoch, long step, long optimizerUpdates) {}

    /**
     * What a run did.
     *
     * @param epochs every epoch's metrics, those before a resume included
     * @param checkpoint the newest checkpoint (null when none was written)
     */
    public record Outcome<M extends EpochRecord>(List<M> epochs, Path checkpoint) {}

    /**
     * Trains {@code task} into {@code runDir} from {@code start} (a new run when empty) up to
     * {@code settings.epochs()}. The caller holds the run's lock and has written its
     * {@code config.json}.
     *
     * @throws TrainingDivergedException when the loss or a weight stops being finite; no
     *     checkpoint of that state is written
     * @throws IOException when a checkpoint or the metrics cannot be read or written
     */
    public static <M extends EpochRecord> Outcome<M> run(Path runDir, Optional<Start> start,
            TrainingTask<M> task, Settings settings, ProgressListener listener) throws IOException {
        try (NDManager modelManager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(settings.seed()); // the initial weights depend on the seed alone
            task.initialize(modelManager);
            for (Pair<String, Parameter> entry : task.model().getParameters()) {
                if (entry.getValue().requiresGradient()) {
                    entry.getValue().getArray().setRequiresGradient(true);
                }
            }
            task.afterInitialize();
            try (Optimizer optimizer = Optimizer.create(settings.optimizer(), modelManager,
                    settings.weightDecay())) {
                int startEpoch = 0;
                long step = 0;
                if (start.isPresent()) {
                    Path checkpoint = start.get().checkpoint();
                    Checkpoints.loadModel(checkpoint, task.model(), modelManager);
                    Checkpoints.loadOptimizer(checkpoint, optimizer, task.model(),
                            start.get().optimizerUpdates(), modelManager);
                    startEpoch = start.get().epoch();
                    step = start.get().step();
                }
                List<M> history = MetricsFile.truncate(runDir, startEpoch, task.metricsType());
                int stepsPerEpoch = task.stepsPerEpoch();
                long totalSteps = (long) settings.epochs() * stepsPerEpoch;
                CosineSchedule schedule = new CosineSchedule(settings.learningRate(),
                        settings.warmupSteps(), totalSteps);
                if (startEpoch == settings.epochs()) {
                    listener.note(Resumption.completeMessage(runDir, startEpoch));
                }
                TrainingStep trainingStep = new TrainingStep(task.model(), optimizer,
                        modelManager, task::beforeStep, task::afterStep);
                Path lastCheckpoint = start.map(Start::checkpoint).orElse(null);
                for (int epoch = startEpoch; epoch < settings.epochs(); epoch++) {
                    long firstStep = step;
                    TrainingTask.EpochTotals totals = trainEpoch(task, trainingStep, schedule,
                            settings, epoch, firstStep, totalSteps, listener);
                    step = totals.step();
                    M metrics = task.finishEpoch(totals, modelManager);
                    Checkpoints.requireFiniteWeights(task.model(), epoch, firstStep, step);
                    history.add(metrics);
                    MetricsFile.append(runDir, metrics);
                    lastCheckpoint = Checkpoints.save(runDir, task.model(), optimizer, epoch + 1,
                            task.checkpointState(epoch + 1, step, optimizer.updateCount()),
                            task.checkpointFiles(), settings.keepCheckpoints());
                    task.afterCheckpoint(runDir, epoch, modelManager);
                    ReportWriter.write(runDir);
                    listener.epochFinished(metrics);
                }
                return new Outcome<>(history, lastCheckpoint);
            }
        }
    }

    private static TrainingTask.EpochTotals trainEpoch(TrainingTask<?> task,
            TrainingStep trainingStep, CosineSchedule schedule, Settings settings, int epoch,
            long firstStep, long totalSteps, ProgressListener listener) {
        listener.epochStarted(epoch + 1, settings.epochs(), task.stepsPerEpoch(), 0);
        long step = firstStep;
        double lossSum = 0;
        double learningRate = 0;
        long examples = 0;
        int done = 0;
        long begin = System.nanoTime();
        Iterator<TrainingStep.Batch> batches = task.batches(epoch, firstStep);
        while (batches.hasNext()) {
            TrainingStep.Batch batch = batches.next();
            learningRate = schedule.learningRate(step);
            // libtorch's draws of the step (masks, noise, dropout) depend on (seed, step) only,
            // so a resumed run repeats them
            TorchRuntime.setSeed(Seeds.derive(settings.seed(), step));
            float loss;
            try {
                loss = trainingStep.run(batch, learningRate, step, totalSteps);
            } catch (TrainingDivergedException e) {
                throw new TrainingDivergedException(e.getMessage() + " at step " + (step + 1)
                        + " (epoch " + (epoch + 1) + "); " + task.divergenceAdvice()
                        + ". No checkpoint of this state was saved.");
            }
            batch.release();
            lossSum += loss;
            examples += batch.rows();
            step++;
            done++;
            double seconds = (System.nanoTime() - begin) / 1e9;
            listener.stepFinished(step, loss, examples / seconds);
        }
        double seconds = (System.nanoTime() - begin) / 1e9;
        listener.epochTrained(epoch + 1);
        return new TrainingTask.EpochTotals(epoch + 1, step, lossSum / Math.max(1, done),
                learningRate, seconds, examples);
    }
}
