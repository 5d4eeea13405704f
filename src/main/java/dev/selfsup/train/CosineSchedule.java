package dev.selfsup.train;

/**
 * Linear warm-up from 0 to the base learning rate, then cosine decay to 0 (SGDR without restarts,
 * https://arxiv.org/abs/1608.03983), as SimCLR and solo-learn schedule their runs.
 *
 * @param baseLearningRate the peak rate, reached at the end of warm-up
 * @param warmupSteps steps of linear warm-up (0 for none)
 * @param totalSteps steps of the whole run
 */
public record CosineSchedule(double baseLearningRate, long warmupSteps, long totalSteps) {
    public CosineSchedule {
        if (!(baseLearningRate > 0) || Double.isInfinite(baseLearningRate)) {
            throw new IllegalArgumentException(
                    "learning rate must be a finite number > 0, found " + baseLearningRate);
        }
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, found " + totalSteps);
        }
        if (warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("warm-up steps must be in [0, " + totalSteps
                    + "], found " + warmupSteps);
        }
    }

    /** The rate for 0-based step {@code step}. */
    public double learningRate(long step) {
        if (step < warmupSteps) {
            return baseLearningRate * (step + 1) / warmupSteps;
        }
        long decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps == 0 ? 1 : (double) (step - warmupSteps) / decaySteps;
        progress = Math.min(1, progress);
        return baseLearningRate * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
}
