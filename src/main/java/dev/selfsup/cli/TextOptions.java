package dev.selfsup.cli;

import dev.selfsup.data.text.LabeledText;
import dev.selfsup.data.text.LabeledTextReader;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TextCorpusReader;
import dev.selfsup.data.text.TextFiles;
import dev.selfsup.train.TextDefaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of text data ({@code --data text:PATH} and {@code labeled-text:DIR}), shared by
 * pretrain, eval and embed. They are ignored for image data.
 */
final class TextOptions {
    /** Prefix of an unlabelled corpus spec. */
    static final String TEXT = "text:";
    /** Prefix of a labelled text spec. */
    static final String LABELED_TEXT = "labeled-text:";

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--vocab-size", defaultValue = "8000", paramLabel = "N",
            description = "Text: WordPiece vocabulary learned from the corpus, special tokens "
                    + "included (default: ${DEFAULT-VALUE}).")
    int vocabularySize;

    @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N",
            description = "Text: longest sequence in pieces, [CLS]/[SEP] included "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--text-width", defaultValue = "128", paramLabel = "N",
            description = "Text: Transformer width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--text-layers", defaultValue = "2", paramLabel = "N",
            description = "Text: Transformer layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--text-heads", defaultValue = "4", paramLabel = "N",
            description = "Text: attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--text-dropout", defaultValue = "0.1", paramLabel = "RATE",
            description = "Text pretrain: dropout rate of the Transformer (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--warmup-fraction", paramLabel = "F",
            description = "Text pretrain: share of all steps spent in linear warm-up, in [0, 1], "
                    + "instead of --warmup-epochs (default: picked, see --warmup-epochs).")
    Double warmupFraction;

    @Option(names = "--steps-per-epoch", paramLabel = "N",
            description = "Text pretrain: steps per epoch, each of --batch-size examples; a corpus "
                    + "shorter than that is repeated, each pass in a new order (default: one pass "
                    + "over the training examples, but at least "
                    + TextDefaults.MIN_STEPS_PER_EPOCH + " steps).")
    Integer stepsPerEpoch;

    @Option(names = "--pooling", defaultValue = "mean", paramLabel = "MODE",
            description = "Text: sentence embedding, mean (over pieces) or cls "
                    + "(default: ${DEFAULT-VALUE}).")
    String pooling;

    @Option(names = "--windows", defaultValue = "4", paramLabel = "N",
            description = "Text: windows of --max-tokens pieces averaged per labelled text "
                    + "(default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--test-fraction", defaultValue = "0.2", paramLabel = "F",
            description = "labeled-text: share of each class held out for testing, a fixed "
                    + "stratified split (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--utf8", defaultValue = "strict", paramLabel = "MODE",
            description = "Text: strict (a bad byte is an error naming file and line) or replace "
                    + "(bad bytes become U+FFFD) (default: ${DEFAULT-VALUE}).")
    String utf8;

    @Option(names = "--max-line-length", defaultValue = "1000000", paramLabel = "CHARS",
            description = "Text: longest line accepted (default: ${DEFAULT-VALUE}).")
    int maxLineLength;

    static boolean isText(String spec) {
        return spec != null && (spec.startsWith(TEXT) || spec.startsWith(LABELED_TEXT));
    }

    /** Options set by a {@code --config} file; they count as given. */
    Set<String> fromFile = Set.of();

    /** Whether the user gave this option, on the command line or in a {@code --config} file. */
    boolean given(String option) {
        return command.commandLine().getParseResult().hasMatchedOption(option)
                || fromFile.contains(option);
    }

    TextFiles.Utf8Errors utf8Errors() {
        try {
            return TextFiles.Utf8Errors.valueOf(utf8.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--utf8 must be strict or replace, found '" + utf8 + "'");
        }
    }

    boolean cls() {
        return switch (pooling) {
            case "mean" -> false;
            case "cls" -> true;
            default -> throw new IllegalArgumentException(
                    "--pooling must be mean or cls, found '" + pooling + "'");
        };
    }

    int windows() {
        if (windows < 1) {
            throw new IllegalArgumentException("--windows must be >= 1, found " + windows);
        }
        return windows;
    }

    TextCorpus corpus(String spec) throws IOException {
        return corpus(spec, utf8Errors(), maxLineLength);
    }

    /** Reads the corpus of a {@code text:PATH} spec with these reading settings. */
    static TextCorpus corpus(String spec, TextFiles.Utf8Errors utf8Errors, int maxLineChars)
            throws IOException {
        if (!spec.startsWith(TEXT)) {
            throw new IllegalArgumentException("this needs --data text:PATH, found '" + spec + "'");
        }
        return new TextCorpusReader(utf8Errors, maxLineChars).read(Path.of(spec.substring(TEXT.length())));
    }

    /**
     * The fixed stratified split of a labelled text set, each side optionally cut to a fixed
     * random subset of {@code trainSize} / {@code testSize} texts (null: all).
     */
    LabeledText.Splits labeled(String spec, Integer trainSize, Integer testSize) throws IOException {
        LabeledText.Splits splits = labeled(spec);
        return new LabeledText.Splits(subset(splits.train(), trainSize, "--train-size", 1),
                subset(splits.test(), testSize, "--test-size", 2));
    }

    private static LabeledText subset(LabeledText texts, Integer size, String option, long seed) {
        if (size == null) {
            return texts;
        }
        if (size <= 0) {
            throw new IllegalArgumentException(option + " must be > 0, found " + size);
        }
        if (size >= texts.size()) {
            return texts;
        }
        int[] order = dev.selfsup.util.Permutations.shuffled(texts.size(),
                dev.selfsup.util.Seeds.random(seed));
        int[] chosen = java.util.Arrays.copyOf(order, size);
        java.util.Arrays.sort(chosen);
        return texts.subset(chosen, "");
    }

    LabeledText.Splits labeled(String spec) throws IOException {
        if (!spec.startsWith(LABELED_TEXT)) {
            throw new IllegalArgumentException("this needs --data labeled-text:DIR, found '" + spec + "'");
        }
        LabeledText all = new LabeledTextReader(utf8Errors(), maxLineLength)
                .read(Path.of(spec.substring(LABELED_TEXT.length())));
        return all.split(testFraction, 0);
    }
}
