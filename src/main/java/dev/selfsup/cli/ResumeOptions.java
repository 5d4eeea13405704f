package dev.selfsup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Resumption;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.util.Json;
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
    /** Keys whose values {@code config.json} writes as upper-case names, options in lower case. */
    private static final Set<String> NAMES = Set.of("data_options.colorMode", "utf8_errors");

    /** Options that set nothing of a run. */
    private static final Set<String> NEUTRAL = Set.of("--resume", "--verbose");

    private ResumeOptions() {}

    /** The image run's config with the options given applied. */
    static PretrainConfig resumed(PretrainCommand c, PretrainConfig run) {
        Map<String, Object> settings = settings(c, run, ConfigFile.IMAGE_KEYS);
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
        Map<String, Object> settings = settings(c, run, ConfigFile.TEXT_KEYS);
        settings.put("--optimizer", "adamw");
        settings.put("--warmup-epochs", run.warmupFraction() == null ? null
                : run.warmupFraction() * run.epochs());
        refuseOthers(c, settings, Set.of("--epochs", "--threads", "--keep-checkpoints"));
        return run.withEpochs(or(c, "--epochs", c.epochs, run.epochs())).withRunSettings(
                c.threads != null ? c.threads : run.threads(),
                or(c, "--keep-checkpoints", c.keepCheckpoints, run.keepCheckpoints()));
    }

    /**
     * The run's value of every option that stands for a key of its config ({@code keys}, the
     * table {@code --config} files use), by option name, and {@code --out}, the run itself.
     */
    private static Map<String, Object> settings(PretrainCommand c, Object run,
            Map<String, String> keys) {
        JsonNode config = Json.MAPPER.valueToTree(run);
        Map<String, Object> settings = new LinkedHashMap<>();
        keys.forEach((key, option) -> {
            JsonNode value = config.at("/" + key.replace('.', '/'));
            settings.put(option, value.isNumber() ? value.numberValue()
                    : value.isMissingNode() || value.isNull() ? null
                    : NAMES.contains(key) ? value.asText().toLowerCase(Locale.ROOT)
                    : value.asText());
        });
        settings.put("--out", c.resume);
        return settings;
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
                    : "has " + option + " " + value;
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
