package dev.selfsup.cli;

import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Resumption;
import dev.selfsup.train.TextPretrainConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The options of {@code pretrain --resume RUN}. The run's {@code config.json} decides every
 * setting, but {@code --epochs}, {@code --threads} and {@code --keep-checkpoints} (image runs also
 * {@code --workers} and {@code --eval-every}) are applied (see {@link Resumption}); any other
 * option given is refused with one line naming it and the run's value, unless it repeats that
 * value.
 */
final class ResumeOptions {
    /** Options that set nothing of a run. */
    private static final Set<String> NEUTRAL = Set.of("--resume", "--verbose");

    private ResumeOptions() {}

    /** The image run's config with the options given applied. */
    static PretrainConfig resumed(PretrainCommand c, PretrainConfig run) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("--method", run.method());
        settings.put("--backbone", run.backbone());
        settings.put("--data", run.data());
        settings.put("--train-size", run.dataOptions().trainSize());
        settings.put("--test-size", run.dataOptions().testSize());
        settings.put("--image-size", run.dataOptions().imageSize());
        settings.put("--color", run.dataOptions().colorMode());
        settings.put("--recipe", run.recipe());
        settings.put("--min-crop-scale", run.minCropScale());
        settings.put("--color-jitter", run.colorJitterStrength());
        settings.put("--rotation", run.rotationDegrees());
        settings.put("--batch-size", run.batchSize());
        settings.put("--optimizer", run.optimizer());
        settings.put("--lr", run.learningRate());
        settings.put("--weight-decay", run.weightDecay());
        settings.put("--temperature", run.temperature());
        settings.put("--queue-size", run.queueSize());
        settings.put("--mask-ratio", run.maskRatio());
        settings.put("--warmup-epochs", run.warmupEpochs());
        settings.put("--seed", run.seed());
        settings.put("--out", c.resume);
        refuseOthers(c, settings, Set.of("--epochs", "--threads", "--workers", "--eval-every",
                "--keep-checkpoints"));
        return run.withEpochs(or(c, "--epochs", c.epochs, run.epochs())).withRunSettings(
                c.threads != null ? c.threads : run.threads(),
                or(c, "--workers", c.workers, run.workers()),
                or(c, "--eval-every", c.evalEvery, run.evalEvery()),
                or(c, "--keep-checkpoints", c.keepCheckpoints, run.keepCheckpoints()));
    }

    /** The text run's config with the options given applied. */
    static TextPretrainConfig resumed(PretrainCommand c, TextPretrainConfig run) {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("--method", run.method());
        settings.put("--data", run.data());
        settings.put("--vocab-size", run.vocabularySize());
        settings.put("--text-width", run.width());
        settings.put("--text-layers", run.layers());
        settings.put("--text-heads", run.heads());
        settings.put("--max-tokens", run.maxLength());
        settings.put("--batch-size", run.batchSize());
        settings.put("--optimizer", "adamw");
        settings.put("--lr", run.learningRate());
        settings.put("--weight-decay", run.weightDecay());
        settings.put("--warmup-epochs", run.warmupFraction() == null ? null
                : run.warmupFraction() * run.epochs());
        settings.put("--warmup-fraction", run.warmupFraction());
        settings.put("--text-dropout", run.dropout());
        settings.put("--seed", run.seed());
        settings.put("--train-size", run.examplesPerEpoch());
        settings.put("--steps-per-epoch", run.stepsPerEpoch());
        settings.put("--test-size", run.heldOutExamples());
        settings.put("--utf8", run.utf8Errors());
        settings.put("--max-line-length", run.maxLineChars());
        settings.put("--out", c.resume);
        refuseOthers(c, settings, Set.of("--epochs", "--threads", "--keep-checkpoints"));
        return run.withEpochs(or(c, "--epochs", c.epochs, run.epochs())).withRunSettings(
                c.threads != null ? c.threads : run.threads(),
                or(c, "--keep-checkpoints", c.keepCheckpoints, run.keepCheckpoints()));
    }

    /**
     * Whether the run in {@code runDir} has nothing left to train at {@code epochs} epochs; if so
     * it says so on standard output.
     *
     * @throws IllegalArgumentException when {@code epochs} is below the epochs the run has trained
     */
    static boolean complete(Path runDir, int epochs) throws IOException {
        int trained = Resumption.epochsTrained(runDir);
        if (epochs < trained) {
            throw new IllegalArgumentException("--epochs must be at least the " + trained
                    + " epochs the run in " + runDir + " has trained, found " + epochs);
        }
        if (epochs == trained) {
            System.out.println(Resumption.completeMessage(runDir, epochs));
            return true;
        }
        return false;
    }

    /** The option's value when it was given, else the run's. */
    private static int or(PretrainCommand c, String option, int given, int run) {
        return c.spec.commandLine().getParseResult().hasMatchedOption(option) ? given : run;
    }

    /**
     * Refuses every option given but the {@code applied} ones that sets something else than
     * {@code settings} hold (option to the run's value), or that is no setting of the run.
     */
    private static void refuseOthers(PretrainCommand c, Map<String, Object> settings,
            Set<String> applied) {
        for (OptionSpec option : c.spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName();
            if (NEUTRAL.contains(name) || applied.contains(name)) {
                continue;
            }
            if (!settings.containsKey(name)) {
                throw new IllegalArgumentException(name + " does not apply on resume: the run in "
                        + c.resume + " has no such setting");
            }
            Object value = settings.get(name);
            if (!sameValue(option.getValue(), value)) {
                throw new IllegalArgumentException(name + " cannot change on resume: the run in "
                        + c.resume + " " + describe(name, value));
            }
        }
    }

    private static String describe(String option, Object value) {
        return switch (option) {
            case "--method" -> "trains " + value;
            case "--data" -> "trains on " + value;
            default -> value == null ? "leaves " + option + " to its default"
                    : "has " + option + " " + (value instanceof Enum<?> name
                            ? name.name().toLowerCase(Locale.ROOT) : value);
        };
    }

    /**
     * Whether an option's value repeats the run's: numbers by value, paths resolved, names in
     * any case.
     */
    static boolean sameValue(Object given, Object run) {
        if (given instanceof Number a && run instanceof Number b) {
            return a.doubleValue() == b.doubleValue();
        }
        if (given instanceof Path a && run instanceof Path b) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
        return given != null && run != null && given.toString().equalsIgnoreCase(run.toString());
    }
}
