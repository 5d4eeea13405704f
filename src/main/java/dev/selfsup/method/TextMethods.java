package dev.selfsup.method;

import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.nn.TextEncoderConfig;
import java.util.List;

/** The registry of text methods: {@code mlm}, {@code nsp}, {@code mlm+nsp}, {@code text-autoencoder}. */
public final class TextMethods {
    /** Every text method's name. */
    public static final List<String> NAMES = List.of("mlm", "nsp", "mlm+nsp", "text-autoencoder");

    private TextMethods() {}

    /** The examples a method trains on. */
    public static TextExamples.Kind kind(String name) {
        return switch (name) {
            case "mlm" -> TextExamples.Kind.MLM;
            case "nsp" -> TextExamples.Kind.NSP;
            case "mlm+nsp" -> TextExamples.Kind.MLM_NSP;
            case "text-autoencoder" -> TextExamples.Kind.AUTOENCODER;
            default -> throw new IllegalArgumentException("text method must be one of " + NAMES
                    + ", found '" + name + "'");
        };
    }

    /** A new method with an untrained model of the given size. */
    public static TextMethod create(String name, TextEncoderConfig config) {
        return new TextMethod(name, kind(name), config);
    }
}
