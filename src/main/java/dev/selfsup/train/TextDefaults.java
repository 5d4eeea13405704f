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
 * --warmup-epochs 1}) reached 0.1093. The warm-up default is not yet sized to match.
 */
public final class TextDefaults {
    /**
     * The fewest steps an epoch takes unless told otherwise: a corpus whose one pass is shorter
     * is repeated. 400 steps of {@code mlm} with the default sizes took 209 s on one thread of a
     * shared 2-core VM.
     */
    public static final int MIN_STEPS_PER_EPOCH = 400;

    private TextDefaults() {}

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
