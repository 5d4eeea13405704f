package dev.selfsup.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.selfsup.train.ProgressListener;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * The settings of a pre-training run read from a YAML or JSON file ({@code pretrain --config
 * FILE}). The file holds the keys of the {@code "config"} object of a run's {@code config.json}
 * (a whole {@code config.json} is taken too, so that a new run can start from an old one's
 * settings). Each key stands for the command-line option that sets the same thing, and its value
 * is set as if that option had been given, so that it goes down the options' resolution path:
 * the methods' and the data's defaults fill in what neither the file nor the command line gives,
 * and an option given on the command line wins over the file. A null value counts as left out.
 */
final class ConfigFile {
    /** The keys of an image run's config ({@code PretrainConfig}) and the options they stand for. */
    static final Map<String, String> IMAGE_KEYS = keys(
            "method", "--method", "backbone", "--backbone", "data", "--data",
            "data_options.trainSize", "--train-size", "data_options.testSize", "--test-size",
            "data_options.imageSize", "--image-size", "data_options.colorMode", "--color",
            "recipe", "--recipe", "min_crop_scale", "--min-crop-scale",
            "rotation_degrees", "--rotation", "epochs", "--epochs", "batch_size", "--batch-size",
            "optimizer", "--optimizer", "learning_rate", "--lr", "weight_decay", "--weight-decay",
            "temperature", "--temperature", "warmup_epochs", "--warmup-epochs", "seed", "--seed",
            "threads", "--threads", "workers", "--workers", "eval_every", "--eval-every",
            "keep_checkpoints", "--keep-checkpoints", "queue_size", "--queue-size",
            "mask_ratio", "--mask-ratio", "color_jitter_strength", "--color-jitter",
            "mask_kind", "--mask-kind", "precision", "--precision");

    /** The keys of a text run's config ({@code TextPretrainConfig}) and the options they stand for. */
    static final Map<String, String> TEXT_KEYS = keys(
            "method", "--method", "data", "--data", "vocabulary_size", "--vocab-size",
            "width", "--text-width", "layers", "--text-layers", "heads", "--text-heads",
            "max_length", "--max-tokens", "dropout", "--text-dropout", "epochs", "--epochs",
            "batch_size", "--batch-size", "learning_rate", "--lr", "weight_decay", "--weight-decay",
            "warmup_fraction", "--warmup-fraction", "seed", "--seed", "threads", "--threads",
            "examples_per_epoch", "--train-size", "steps_per_epoch", "--steps-per-epoch",
            "held_out_examples", "--test-size", "keep_checkpoints", "--keep-checkpoints",
            "utf8_errors", "--utf8", "max_line_chars", "--max-line-length");

    /**
     * Keys left out when the command line gives another option that sets the same thing another
     * way (the two together are refused).
     */
    private static final Map<String, String> REPLACED_BY = Map.of(
            "warmup_fraction", "--warmup-epochs",
            "steps_per_epoch", "--train-size",
            "examples_per_epoch", "--steps-per-epoch");

    private static final String DATA_OPTIONS = "data_options";

    /** How a value is read for an option of some type, and what that type wants, in words. */
    private record Reading(String expected, Function<String, Object> parse) {}

    private static final Map<Class<?>, Reading> READINGS = Map.of(
            int.class, new Reading("a whole number", Integer::valueOf),
            Integer.class, new Reading("a whole number", Integer::valueOf),
            long.class, new Reading("a whole number", Long::valueOf),
            Long.class, new Reading("a whole number", Long::valueOf),
            double.class, new Reading("a number", Double::valueOf),
            Double.class, new Reading("a number", Double::valueOf),
            float.class, new Reading("a number", Float::valueOf),
            Float.class, new Reading("a number", Float::valueOf),
            String.class, new Reading("a string", text -> text));

    /** Readers that refuse a key given twice. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY).build();

    /** Where {@code --print-config} sends notes: standard error, so the config stays clean JSON. */
    static final ProgressListener NOTES = new ProgressListener() {
        @Override
        public void note(String message) {
            System.err.println(message);
        }
    };

    private final Path file;
    /** Values by key, {@code data_options}' as {@code data_options.NAME}, in the file's order. */
    private final Map<String, JsonNode> values;
    /** The keys of this kind of run, by {@link #applyTo}. */
    private Map<String, String> keys = Map.of();
    /** The values set, by key, by {@link #applyTo}. */
    private final Map<String, JsonNode> applied = new LinkedHashMap<>();

    private ConfigFile(Path file, Map<String, JsonNode> values) {
        this.file = file;
        this.values = values;
    }

    /** Prints a resolved config as JSON on standard output ({@code --print-config}); returns 0. */
    static int print(Object config) throws IOException {
        System.out.println(Json.pretty(config));
        return 0;
    }

    /** No file: nothing to set. */
    static ConfigFile none() {
        return new ConfigFile(null, Map.of());
    }

    /**
     * Reads {@code file}: YAML unless its name ends in {@code .json}.
     *
     * @throws IOException naming the file when it is missing, not valid YAML or JSON, or not a
     *     mapping of settings
     */
    static ConfigFile read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such config file");
        }
        boolean json = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json");
        JsonNode document;
        try {
            document = (json ? JSON : YAML).readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid " + (json ? "JSON" : "YAML") + ": "
                    + e.getOriginalMessage(), e);
        }
        if (document == null || !document.isObject()) {
            throw new IOException(file + ": must hold a mapping of settings (the keys of the "
                    + "\"config\" object of a run's config.json), found "
                    + (document == null ? "nothing" : document.getNodeType().toString().toLowerCase(Locale.ROOT)));
        }
        // a whole config.json: its "config" object (dataset, versions and the rest are records)
        JsonNode config = document.path("config").isObject() ? document.get("config") : document;
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : config.properties()) {
            JsonNode value = entry.getValue();
            if (!entry.getKey().equals(DATA_OPTIONS)) {
                values.put(entry.getKey(), value);
            } else if (value.isObject()) {
                value.properties().forEach(option ->
                        values.put(DATA_OPTIONS + "." + option.getKey(), option.getValue()));
            } else if (!value.isNull()) {
                throw new IllegalArgumentException(file + ": " + DATA_OPTIONS + " must be a mapping "
                        + "(trainSize, testSize, imageSize, colorMode), found " + value);
            }
        }
        return new ConfigFile(file, values);
    }

    /**
     * Sets the option each key stands for on {@code command}, except the options given on its
     * command line, which win, and returns the options set. The keys are those of a text run when
     * the data (from the command line, else the file) is text, else an image run's.
     *
     * @throws IllegalArgumentException naming the file, the key and the value, for an unknown key
     *     (with the nearest known one), a key of the other kind of run, or a value the option
     *     cannot take
     */
    Set<String> applyTo(CommandSpec command) {
        ParseResult parsed = command.commandLine().getParseResult();
        String data = command.findOption("--data").getValue(); // given, or the default
        if (!parsed.hasMatchedOption("--data") && values.containsKey("data")) {
            data = values.get("data").asText();
        }
        boolean text = TextOptions.isText(data);
        keys = text ? TEXT_KEYS : IMAGE_KEYS;
        for (String key : values.keySet()) {
            if (!keys.containsKey(key)) {
                throw new IllegalArgumentException(unknown(key, text, data));
            }
        }
        Set<String> options = new LinkedHashSet<>();
        values.forEach((key, value) -> {
            String option = keys.get(key);
            if (value.isNull() || parsed.hasMatchedOption(option)
                    || parsed.hasMatchedOption(REPLACED_BY.getOrDefault(key, option))) {
                return;
            }
            OptionSpec spec = command.findOption(option);
            spec.setValue(convert(key, value, spec.type()));
            applied.put(key, value);
            options.add(option);
        });
        return options;
    }

    private String unknown(String key, boolean text, String data) {
        if ((text ? IMAGE_KEYS : TEXT_KEYS).containsKey(key)) {
            return "'" + key + "' in " + file + " applies to " + (text ? "image" : "text")
                    + " runs, not to " + (text ? "text" : "image") + " data '" + data + "'";
        }
        return "unknown key '" + key + "' in " + file + "; did you mean '"
                + NearestName.in(key, (text ? TEXT_KEYS : IMAGE_KEYS).keySet()) + "'?";
    }

    /**
     * {@code value} as the option's {@code type} takes it: a number or a string, read as the
     * option reads its argument.
     */
    private Object convert(String key, JsonNode value, Class<?> type) {
        Reading reading = READINGS.get(type);
        if (reading == null) {
            throw new IllegalStateException("no reading of config key " + key + " as " + type);
        }
        if (value.isTextual() || value.isNumber()) {
            try {
                return reading.parse().apply(value.asText().strip());
            } catch (NumberFormatException e) {
                // named below
            }
        }
        throw new IllegalArgumentException(file + ": " + key + " must be " + reading.expected()
                + ", found " + value);
    }

    /**
     * {@code e} with the values from this file that its message names, so that a value the
     * file set is traced to it: {@code "epochs must be > 0, found 0 (from run.yaml: epochs 0)"}.
     * Unchanged when the message names none of them.
     */
    IllegalArgumentException explain(IllegalArgumentException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        List<String> named = new ArrayList<>();
        applied.forEach((key, value) -> {
            // "batch size must be", "colour jitter strength", "--temperature does not apply"
            if (words(message).contains(words(key.substring(key.indexOf('.') + 1)))
                    || Pattern.compile(Pattern.quote(keys.get(key)) + "(?![a-z-])")
                            .matcher(message).find()) {
                named.add(key + " " + value);
            }
        });
        if (named.isEmpty()) {
            return e;
        }
        return new IllegalArgumentException(e.getMessage() + " (from " + file + ": "
                + String.join(", ", named) + ")", e);
    }

    /** Lower-case letters only, British colour spelt as the keys spell it. */
    private static String words(String text) {
        return text.toLowerCase(Locale.ROOT).replace("colour", "color").replaceAll("[^a-z]", "");
    }

    private static Map<String, String> keys(String... keysAndOptions) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < keysAndOptions.length; i += 2) {
            keys.put(keysAndOptions[i], keysAndOptions[i + 1]);
        }
        return Collections.unmodifiableMap(keys);
    }
}
