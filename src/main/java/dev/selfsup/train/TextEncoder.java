package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.text.TextBatch;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextEncoderConfig;
import dev.selfsup.nn.TextModel;
import dev.selfsup.nn.TransformerEncoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A text encoder ready to embed: tokenizer plus trained (or random) Transformer. A text becomes
 * one vector: it is cut into windows of {@code maxLength - 2} pieces (at most
 * {@code maxWindows}), each window {@code [CLS] pieces [SEP]} is encoded and pooled (mean over
 * real pieces, or the [CLS] vector), and the windows' vectors are averaged.
 *
 * @param tokenizer the vocabulary the encoder was trained with
 * @param model the model (only its encoder is used)
 * @param method the method that trained it ({@code random-init} for an untrained one)
 */
public record TextEncoder(WordPieceTokenizer tokenizer, TextModel model, String method)
        implements FeatureEncoder<List<String>> {
    /** Windows averaged per text unless told otherwise (the CLI's {@code --windows}). */
    public static final int DEFAULT_WINDOWS = 4;

    /** Sequences per forward pass when embedding. */
    private static final int BATCH = 64;

    /**
     * Loads a text checkpoint: a run directory (its newest checkpoint) or a checkpoint directory.
     *
     * @throws IOException naming the file when it is not a text checkpoint
     */
    public static TextEncoder load(Path path, NDManager manager) throws IOException {
        TorchRuntime.inferenceOnThisThread(); // any thread may embed, not only DJL's
        Path checkpoint = Checkpoints.resolve(path);
        TextCheckpointState state = TextCheckpointState.read(checkpoint);
        WordPieceTokenizer tokenizer = state.loadTokenizer(checkpoint);
        TextModel model = TextMethods.create(state.method(), state.encoder()).model();
        model.initialize(manager, 1);
        Checkpoints.loadModel(checkpoint, model, manager);
        return new TextEncoder(tokenizer, model, state.method());
    }

    /** An untrained encoder (the random-init baseline), initialised from {@code seed}. */
    public static TextEncoder randomInit(WordPieceTokenizer tokenizer, TextEncoderConfig config,
            long seed, NDManager manager) {
        TorchRuntime.setSeed(seed);
        TextModel model = new TextModel(config, false, false, false, false);
        model.initialize(manager, 1);
        return new TextEncoder(tokenizer, model, "random-init");
    }

    @Override
    public String methodName() {
        return method;
    }

    /** One vector per text, {@code (texts, width)}: mean-pooled, {@link #DEFAULT_WINDOWS} windows. */
    @Override
    public FeatureMatrix embed(List<String> texts, NDManager manager) {
        return embed(texts, false, DEFAULT_WINDOWS, manager);
    }

    /**
     * One vector per text, {@code (texts, width)}.
     *
     * @param cls pool the [CLS] vector instead of the mean of the pieces
     * @param maxWindows windows averaged per text, at least 1
     */
    public FeatureMatrix embed(List<String> texts, boolean cls, int maxWindows, NDManager manager) {
        TorchRuntime.inferenceOnThisThread(); // any thread may embed, not only DJL's
        if (maxWindows < 1) {
            throw new IllegalArgumentException("windows per text must be >= 1, found " + maxWindows);
        }
        int width = model.encoder().config().width();
        List<int[]> windows = new ArrayList<>();
        int[] owner;
        List<Integer> owners = new ArrayList<>();
        for (int t = 0; t < texts.size(); t++) {
            for (int[] window : windows(texts.get(t), maxWindows)) {
                windows.add(window);
                owners.add(t);
            }
        }
        owner = owners.stream().mapToInt(Integer::intValue).toArray();
        float[] sums = new float[texts.size() * width];
        int[] counts = new int[texts.size()];
        for (int from = 0; from < windows.size(); from += BATCH) {
            int rows = Math.min(BATCH, windows.size() - from);
            TextBatch batch = batchOf(windows.subList(from, from + rows));
            try (NDManager scratch = manager.newSubManager()) {
                NDList inputs = dev.selfsup.method.TextMethod.inputs(batch, scratch);
                NDArray hidden = model.encoder().forward(new ParameterStore(scratch, false), inputs,
                        false).head();
                float[] pooled = TransformerEncoder.pool(hidden, inputs.get(2), cls).toFloatArray();
                for (int r = 0; r < rows; r++) {
                    int t = owner[from + r];
                    counts[t]++;
                    for (int j = 0; j < width; j++) {
                        sums[t * width + j] += pooled[r * width + j];
                    }
                }
            }
        }
        for (int t = 0; t < texts.size(); t++) {
            for (int j = 0; j < width; j++) {
                sums[t * width + j] /= counts[t];
            }
        }
        return new FeatureMatrix(sums, texts.size(), width);
    }

    /**
     * A text's first {@code maxWindows} windows of pieces, each short enough for the encoder
     * with [CLS] and [SEP] added; at least one (empty for an empty text).
     */
    public List<int[]> windows(String text, int maxWindows) {
        if (maxWindows < 1) {
            throw new IllegalArgumentException("windows per text must be >= 1, found " + maxWindows);
        }
        int windowPieces = model.encoder().config().maxLength() - 2;
        int[] pieces = tokenizer.encode(text);
        int count = Math.max(1, Math.min(maxWindows,
                (pieces.length + windowPieces - 1) / windowPieces));
        List<int[]> windows = new ArrayList<>(count);
        for (int w = 0; w < count; w++) {
            windows.add(Arrays.copyOfRange(pieces, Math.min(pieces.length, w * windowPieces),
                    Math.min(pieces.length, (w + 1) * windowPieces)));
        }
        return windows;
    }

    /** Windows as one batch: [CLS] pieces [SEP], padded to the longest, attention mask set. */
    public static TextBatch batchOf(List<int[]> windows) {
        int length = windows.stream().mapToInt(w -> w.length + 2).max().orElse(2);
        int rows = windows.size();
        int[] tokens = new int[rows * length];
        float[] attention = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] w = windows.get(r);
            tokens[r * length] = WordPieceTokenizer.CLS_ID;
            System.arraycopy(w, 0, tokens, r * length + 1, w.length);
            tokens[r * length + w.length + 1] = WordPieceTokenizer.SEP_ID;
            Arrays.fill(attention, r * length, r * length + w.length + 2, 1f);
        }
        return new TextBatch(rows, length, tokens, new int[rows * length], attention, new int[0],
                new int[0], null);
    }
}
