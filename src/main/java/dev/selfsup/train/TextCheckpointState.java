package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JacksonException;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.nn.TextEncoderConfig;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code state.json} of a text checkpoint: where training stood and the encoder's size; the
 * vocabulary lies beside it in {@code tokenizer.json}.
 *
 * @param modality always {@code text}, telling text checkpoints from image ones
 * @param epoch epochs completed
 * @param step global steps completed
 * @param optimizerUpdates updates the optimiser has applied
 * @param method the method's name
 * @param encoder the encoder's size
 */
public record TextCheckpointState(
        String modality,
        int epoch,
        long step,
        @JsonProperty("optimizer_updates") long optimizerUpdates,
        String method,
        TextEncoderConfig encoder) {
    /** The value of {@link #modality} for text. */
    public static final String TEXT = "text";

    /**
     * Reads the {@code state.json} of a text checkpoint directory.
     *
     * @throws IOException naming the file when it is not a text checkpoint's state
     */
    public static TextCheckpointState read(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(Checkpoints.STATE_FILE);
        TextCheckpointState state;
        try {
            state = Json.MAPPER.readValue(file.toFile(), TextCheckpointState.class);
        } catch (JacksonException e) {
            throw new IOException(file + ": not a text checkpoint (" + e.getOriginalMessage()
                    + "); image checkpoints need an image --data", e);
        }
        if (!TEXT.equals(state.modality()) || state.encoder() == null) {
            throw new IOException(file + ": not a text checkpoint (modality " + state.modality() + ")");
        }
        return state;
    }

    /**
     * Loads the vocabulary saved beside this state in {@code checkpoint}.
     *
     * @throws IOException naming the file when it is missing, unreadable or does not fit the
     *     encoder
     */
    public WordPieceTokenizer loadTokenizer(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(WordPieceTokenizer.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing; a text checkpoint keeps its vocabulary there");
        }
        WordPieceTokenizer tokenizer = WordPieceTokenizer.load(file);
        if (tokenizer.vocabularySize() != encoder.vocabularySize()) {
            throw new IOException(file + ": has " + tokenizer.vocabularySize()
                    + " pieces, the encoder expects " + encoder.vocabularySize());
        }
        return tokenizer;
    }
}
