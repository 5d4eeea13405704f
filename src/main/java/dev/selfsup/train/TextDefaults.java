package dev.selfsup.train;

import dev.selfsup.augment.text.TextExamples;

/**
 * Text pre-training settings suited to the corpus, for the settings a user leaves out: how many
 * steps make an epoch. Each pick carries its reason, so the CLI can print what it chose and why
 * (as {@link DataDefaults} does for images); a value the user gives wins, and the resolved value
 * is written to {@code config.json}.
 *
 * <p>An epoch is at least {@link #MIN_STEPS_PER_EPOCH} steps: one pass over a small corpus is
 * too few steps to learn anything. On 1.2 M characters of State of the Union (35 addresses,
 * 1,898 training windows, 60 steps of 32) one epoch of {@code mlm} ended at held-out masked
 * accuracy 0.0523, exactly the rate of always guessing the most frequent piece. Steps alone do
 * not lift it: 400 and 800 steps (warm-up 10% of them) both ended at 0.0396, still at the
 * unigram plateau; 402 steps with a 134-step warm-up ({@code --epochs 3 --steps-per-epoch 134
 * --warmup-epochs 1}) reached 0.1093. So the warm-up is sized in steps too ({@link #warmup}).
 */
public final class TextDefaults {
    /**
     * The fewest steps an epoch takes unless told otherwise: a corpus whose one pass is shorter
     * is repeated. 400 steps of {@code mlm} with the default sizes took 209 s on one thread of a
     * shared 2-core VM.
     */
    public static final int MIN_STEPS_PER_EPOCH = 400;

    /**
     * The fewest warm-up steps unless told otherwise (or a third of a shorter run): the
     * Transformer at its peak rate after a 40-step warm-up settles on the unigram plateau and
     * stays there (BENCHMARKS.md, "Text: a short run on a small corpus").
     */
    public static final int MIN_WARMUP_STEPS = 150;

    /** The share of a long run's steps spent warming up. */
    public static final double WARMUP_SHARE = 0.1;

    private TextDefaults() {}

    /**
     * The warm-up of a run of {@code totalSteps} steps, {@code stepsPerEpoch} to an epoch, as a
     * share of all steps: a tenth of them, but at least {@link #MIN_WARMUP_STEPS} steps, and never
     * more than a third of the run.
     *
     * @throws IllegalArgumentException if a count is not positive
     */
    public static DataDefaults.Pick warmup(long totalSteps, int stepsPerEpoch) {
        if (totalSteps <= 0) {
            throw new IllegalArgumentException("total steps must be > 0, found " + totalSteps);
        }
        if (stepsPerEpoch <= 0) {
            throw new IllegalArgumentException("steps per epoch must be > 0, found " + stepsPerEpoch);
        }
        long tenth = Math.round(WARMUP_SHARE * totalSteps);
        long steps = Math.max(tenth, Math.min(MIN_WARMUP_STEPS, totalSteps / 3));
        double fraction = (double) steps / totalSteps;
        String epochs = String.format("%.2f", (double) steps / stepsPerEpoch);
        String reason = steps == tenth
                ? String.format("%,d steps, a tenth of the run's %,d", steps, totalSteps)
                : steps < MIN_WARMUP_STEPS
                ? String.format("%,d steps, a third of the run's %,d: a shorter warm-up leaves the "
                        + "Transformer at the unigram plateau", steps, totalSteps)
                : String.format("%,d steps of the run's %,d: a shorter warm-up leaves the "
                        + "Transformer at the unigram plateau", steps, totalSteps);
        return new DataDefaults.Pick("warmup-epochs", new WarmupValue(epochs, fraction), reason);
    }

    /**
     * A warm-up as printed (in epochs, as {@code --warmup-epochs} takes it) and as stored (the
     * share of all steps, {@code warmup_fraction} in {@code config.json}).
     */
    public record WarmupValue(String epochs, double fraction) {
        @Override
        public String toString() {
            return epochs;
        }
    }

    /**
     * The steps per epoch for {@code trainExamples} training examples of {@code kind} in batches
     * of {@code batchSize}: one pass over them, but at least {@link #MIN_STEPS_PER_EPOCH} steps.
     *
     * @throws IllegalArgumentException if {@code trainExamples} or {@code batchSize} is not
     *     positive
     */
    public static DataDefaults.Pick stepsPerEpoch(TextExamples.Kind kind, int trainExamples,
            int batchSize) {
        if (trainExamples <= 0) {
            throw new IllegalArgumentException("training examples must be > 0, found " + trainExamples);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be > 0, found " + batchSize);
        }
        long onePass = (trainExamples + (long) batchSize - 1) / batchSize;
        String examples = String.format("%,d training %s", trainExamples, unit(kind));
        if (onePass >= MIN_STEPS_PER_EPOCH) {
            return new DataDefaults.Pick("steps-per-epoch", (int) onePass,
                    "one pass over the " + examples + " in batches of " + batchSize);
        }
        double passes = (double) MIN_STEPS_PER_EPOCH * batchSize / trainExamples;
        return new DataDefaults.Pick("steps-per-epoch", MIN_STEPS_PER_EPOCH, String.format(
                "one pass over the %s is only %d steps of %d, too few to learn; an epoch is at "
                        + "least %d steps, so it repeats them, %.1f passes, each in a new order",
                examples, onePass, batchSize, MIN_STEPS_PER_EPOCH, passes));
    }

    private static String unit(TextExamples.Kind kind) {
        return switch (kind) {
            case MLM -> "windows";
            case NSP, MLM_NSP, AUTOENCODER, CONTRASTIVE -> "sentences";
        };
    }
}
