package dev.selfsup.data.text;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.data.DataFormatException;
import dev.selfsup.util.AtomicFiles;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A WordPiece tokenizer (BERT, https://arxiv.org/abs/1810.04805): text is lower-cased and split
 * into words at whitespace and punctuation, then each word into the longest vocabulary pieces
 * from the left, continuation pieces prefixed with {@code ##}. A word with a character the
 * vocabulary lacks becomes one {@code [UNK]}, as in BERT.
 *
 * <p>The vocabulary is learned from a corpus by {@link WordPieceTrainer} and saved as JSON (never
 * Java serialisation) next to a checkpoint. Ids 0 to 4 are the special tokens {@code [PAD]},
 * {@code [UNK]}, {@code [CLS]}, {@code [SEP]} and {@code [MASK]}.
 */
public final class WordPieceTokenizer {
    /** Padding; id 0. */
    public static final String PAD = "[PAD]";
    /** Unknown word; id 1. */
    public static final String UNK = "[UNK]";
    /** Sequence start; id 2. */
    public static final String CLS = "[CLS]";
    /** Segment end; id 3. */
    public static final String SEP = "[SEP]";
    /** Masked token; id 4. */
    public static final String MASK = "[MASK]";
    /** The special tokens, in id order. */
    public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);
    public static final int PAD_ID = 0;
    public static final int UNK_ID = 1;
    public static final int CLS_ID = 2;
    public static final int SEP_ID = 3;
    public static final int MASK_ID = 4;
    /** Prefix of a piece that continues a word. */
    public static final String CONTINUATION = "##";
    /** Words longer than this many characters become {@code [UNK]} (BERT's limit). */
    public static final int MAX_WORD_CHARS = 100;
    /** Name of the tokenizer file in a checkpoint folder. */
    public static final String FILE_NAME = "tokenizer.json";
    private static final String FORMAT = "selfsup-wordpiece-1";

    private final List<String> vocabulary;
    private final Map<String, Integer> ids;

    /**
     * A tokenizer over {@code vocabulary}.
     *
     * @param vocabulary the pieces by id: the five special tokens first, no duplicates
     */
    public WordPieceTokenizer(List<String> vocabulary) {
        this.vocabulary = List.copyOf(vocabulary);
        if (this.vocabulary.size() < SPECIAL_TOKENS.size()
                || !this.vocabulary.subList(0, SPECIAL_TOKENS.size()).equals(SPECIAL_TOKENS)) {
            throw new IllegalArgumentException("vocabulary must start with " + SPECIAL_TOKENS
                    + ", found " + this.vocabulary.subList(0,
                            Math.min(SPECIAL_TOKENS.size(), this.vocabulary.size())));
        }
        ids = new HashMap<>();
        for (int i = 0; i < this.vocabulary.size(); i++) {
            if (ids.putIfAbsent(this.vocabulary.get(i), i) != null) {
                throw new IllegalArgumentException("vocabulary must not repeat a piece, found '"
                        + this.vocabulary.get(i) + "' twice");
            }
        }
    }

    /** Number of pieces, special tokens included. */
    public int vocabularySize() {
        return vocabulary.size();
    }

    /** The pieces by id. */
    public List<String> vocabulary() {
        return vocabulary;
    }

    /** The piece of an id. */
    public String piece(int id) {
        return vocabulary.get(id);
    }

    /** The id of a piece, or {@link #UNK_ID}. */
    public int id(String piece) {
        return ids.getOrDefault(piece, UNK_ID);
    }

    /** Whether an id is one of the special tokens. */
    public static boolean isSpecial(int id) {
        return id < SPECIAL_TOKENS.size();
    }

    /**
     * Lower-cases {@code text} and splits it into words: at whitespace, and around every
     * punctuation or symbol character, which becomes a word of its own. Control characters are
     * dropped.
     */
    public static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder word = new StringBuilder();
        int i = 0;
        while (i < lower.length()) {
            int cp = lower.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                flush(words, word);
            } else if (Character.isISOControl(cp) || Character.getType(cp) == Character.FORMAT) {
                continue;
            } else if (isPunctuation(cp)) {
                flush(words, word);
                words.add(new String(Character.toChars(cp)));
            } else {
                word.appendCodePoint(cp);
            }
        }
        flush(words, word);
        return words;
    }

    private static void flush(List<String> words, StringBuilder word) {
        if (word.length() > 0) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** ASCII non-alphanumerics and Unicode punctuation and symbols, as BERT treats them. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
                || (cp >= 123 && cp <= 126)) {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                    Character.OTHER_PUNCTUATION, Character.MATH_SYMBOL,
                    Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** The piece ids of {@code text} (no special tokens added). */
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        for (String word : words(text)) {
            encodeWord(word, out);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Appends the pieces of one word, or one {@code [UNK]} if it cannot be split. */
    void encodeWord(String word, List<Integer> out) {
        if (word.codePointCount(0, word.length()) > MAX_WORD_CHARS) {
            out.add(UNK_ID);
            return;
        }
        int mark = out.size();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            Integer found = null;
            while (end > start) {
                String piece = start == 0 ? word.substring(0, end)
                        : CONTINUATION + word.substring(start, end);
                found = ids.get(piece);
                if (found != null && !isSpecial(found)) {
                    break;
                }
                found = null;
                end = Character.isLowSurrogate(word.charAt(end - 1)) && end - 2 > start
                        ? end - 2 : end - 1;
            }
            if (found == null) {
                out.subList(mark, out.size()).clear();
                out.add(UNK_ID);
                return;
            }
            out.add(found);
            start = end;
        }
    }

    /** The pieces of {@code text}, as strings. */
    public List<String> tokenize(String text) {
        List<String> pieces = new ArrayList<>();
        for (int id : encode(text)) {
            pieces.add(vocabulary.get(id));
        }
        return pieces;
    }

    /**
     * Text from ids: continuation pieces are glued to the piece before them, other pieces
     * separated by one space; {@code [PAD]} is skipped. For text whose characters are all in the
     * vocabulary this gives back {@code String.join(" ", words(text))}.
     */
    public String decode(int[] pieceIds) {
        StringBuilder text = new StringBuilder();
        for (int id : pieceIds) {
            if (id == PAD_ID) {
                continue;
            }
            String piece = vocabulary.get(id);
            if (piece.startsWith(CONTINUATION) && piece.length() > CONTINUATION.length()) {
                text.append(piece, CONTINUATION.length(), piece.length());
            } else {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(piece);
            }
        }
        return text.toString();
    }

    /** The JSON document of a saved tokenizer. */
    record Saved(String format, @JsonProperty("lowercase") boolean lowercase,
            @JsonProperty("max_word_characters") int maxWordCharacters, List<String> vocabulary) {}

    /** The vocabulary as a JSON document (what {@link #save} writes). */
    public byte[] toJson() throws IOException {
        return Json.MAPPER.writeValueAsBytes(new Saved(FORMAT, true, MAX_WORD_CHARS, vocabulary));
    }

    /** Writes the vocabulary as JSON, atomically. */
    public void save(Path file) throws IOException {
        AtomicFiles.write(file, toJson());
    }

    /**
     * Reads a tokenizer saved by {@link #save}.
     *
     * @throws DataFormatException when the file is not a selfsup WordPiece vocabulary
     */
    public static WordPieceTokenizer load(Path file) throws IOException {
        Saved saved;
        try {
            saved = Json.MAPPER.readValue(file.toFile(), Saved.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new DataFormatException(file, "not a tokenizer file: " + e.getOriginalMessage(), e);
        }
        if (!FORMAT.equals(saved.format()) || saved.vocabulary() == null) {
            throw new DataFormatException(file, "format must be " + FORMAT + ", found "
                    + saved.format());
        }
        try {
            return new WordPieceTokenizer(saved.vocabulary());
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(file, e.getMessage(), e);
        }
    }
}
