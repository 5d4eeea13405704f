package dev.selfsup.method;

import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.nn.TextEncoderConfig;
import java.util.List;

/**
 * The registry of text methods: {@code mlm}, {@code nsp}, {@code mlm+nsp},
 * {@code text-autoencoder}, {@code text-contrastive}.
 */
public final class TextMethods {
    /** Every text method's name. */
    public static final List<String> NAMES = List.of("mlm", "nsp", "mlm+nsp", "text-autoencoder",
            "text-contrastive");

    private TextMethods() {}

    /** The examples a method trains on. */
    public static TextExamples.Kind kind(String name) {
        return switch (name) {
            case "mlm" -> TextExamples.Kind.MLM;
            case "nsp" -> TextExamples.Kind.NSP;
            case "mlm+nsp" -> TextExamples.Kind.MLM_NSP;
            case "text-autoencoder" -> TextExamples.Kind.AUTOENCODER;
            case "text-contrastive" -> TextExamples.Kind.CONTRASTIVE;
            default -> throw new IllegalArgumentException("text method must be one of " + NAMES
                    + ", found '" + name + "'");
        };
    }

    /**
     * A method's default peak learning rate (AdamW, warm-up then cosine decay, batch 32).
     * <ul>
     *   <li>{@code mlm}, {@code text-autoencoder}: 3e-3. On a corpus whose masked words follow
     *       from their neighbours, 3e-3 reached 0.91 held-out masked accuracy in 920 steps where
     *       1e-3 reached 0.59.</li>
     *   <li>{@code nsp}, {@code mlm+nsp}: 1e-3. At 3e-3 next-sentence accuracy stayed at chance
     *       for 938 steps on State of the Union (selfsup, and a PyTorch model of the same size in
     *       {@code bench/peers/nsp_sotu.py}); at 1e-3 the PyTorch model learnt it.</li>
     *   <li>{@code text-contrastive}: 1e-3.</li>
     * </ul>
     */
    public static double defaultLearningRate(String name) {
        return switch (kind(name)) {
            case MLM, AUTOENCODER -> 3e-3;
            case NSP, MLM_NSP, CONTRASTIVE -> 1e-3;
        };
    }

    /** A new method with an untrained model of the given size. */
    public static TextMethod create(String name, TextEncoderConfig config) {
        return new TextMethod(name, kind(name), config);
    }
}
