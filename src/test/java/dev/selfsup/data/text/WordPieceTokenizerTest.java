package dev.selfsup.data.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.DataFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WordPieceTokenizerTest {
    @TempDir
    Path dir;

    private static List<String> texts() {
        List<String> texts = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            texts.add(TextFixtures.sentence(i % 4, random) + " Prices rose 12% in 2001, didn't they?");
        }
        return texts;
    }

    @Test
    void wordsAreLowerCasedAndPunctuationStandsAlone() {
        assertThat(WordPieceTokenizer.words("Hello,  World! It's \u00e9t\u00e9\t(ok)\u0007"))
                .containsExactly("hello", ",", "world", "!", "it", "'", "s", "\u00e9t\u00e9", "(",
                        "ok", ")");
    }

    @Test
    void specialTokensComeFirstWithFixedIds() {
        WordPieceTokenizer tokenizer = new WordPieceTrainer(64, 2).train(texts());

        assertThat(tokenizer.vocabulary().subList(0, 5))
                .containsExactly("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]");
        assertThat(tokenizer.id("[MASK]")).isEqualTo(WordPieceTokenizer.MASK_ID);
        assertThat(tokenizer.vocabularySize()).isEqualTo(64);
    }

    @Test
    void seenTextRoundTripsThroughItsPieces() {
        List<String> texts = texts();
        for (int size : new int[] {80, 150, 300}) {
            WordPieceTokenizer tokenizer = new WordPieceTrainer(size, 2).train(texts);
            for (String text : texts.subList(0, 20)) {
                int[] ids = tokenizer.encode(text);
                assertThat(ids).doesNotContain(WordPieceTokenizer.UNK_ID);
                assertThat(tokenizer.decode(ids))
                        .isEqualTo(String.join(" ", WordPieceTokenizer.words(text)));
            }
        }
    }

    @Test
    void aLargerVocabularyGivesFewerPiecesAndFrequentWordsBecomeOnePiece() {
        List<String> texts = texts();
        WordPieceTokenizer small = new WordPieceTrainer(80, 2).train(texts);
        WordPieceTokenizer large = new WordPieceTrainer(300, 2).train(texts);

        assertThat(large.encode(texts.get(0)).length).isLessThan(small.encode(texts.get(0)).length);
        assertThat(large.tokenize("the prices near")).containsExactly("the", "prices", "near");
        assertThat(small.tokenize("the")).allMatch(p -> !p.equals("[UNK]"));
    }

    @Test
    void aWordWithAnUnknownCharacterBecomesOneUnk() {
        WordPieceTokenizer tokenizer = new WordPieceTrainer(120, 2).train(texts());

        assertThat(tokenizer.tokenize("the riv\u00e9r near"))
                .containsExactly("the", "[UNK]", "near");
        assertThat(tokenizer.encode("\u4e2d")).containsExactly(WordPieceTokenizer.UNK_ID);
        assertThat(tokenizer.encode("x".repeat(101))).containsExactly(WordPieceTokenizer.UNK_ID);
    }

    @Test
    void trainingIsDeterministic() {
        assertThat(new WordPieceTrainer(150, 2).train(texts()).vocabulary())
                .isEqualTo(new WordPieceTrainer(150, 2).train(texts()).vocabulary());
    }

    @Test
    void savesAndLoadsAsJson() throws Exception {
        WordPieceTokenizer tokenizer = new WordPieceTrainer(100, 2).train(texts());
        Path file = dir.resolve("tokenizer.json");

        tokenizer.save(file);

        assertThat(Files.readString(file)).startsWith("{").contains("\"vocabulary\"");
        assertThat(WordPieceTokenizer.load(file).vocabulary()).isEqualTo(tokenizer.vocabulary());
    }

    @Test
    void badTokenizerFilesNameTheFile() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.json"), "not json");
        Path wrongOrder = Files.writeString(dir.resolve("order.json"), "{\"format\":"
                + "\"selfsup-wordpiece-1\",\"vocabulary\":[\"[UNK]\",\"[PAD]\",\"[CLS]\",\"[SEP]\","
                + "\"[MASK]\",\"a\"]}");

        assertThatThrownBy(() -> WordPieceTokenizer.load(garbage))
                .isInstanceOf(DataFormatException.class).hasMessageStartingWith(garbage.toString());
        assertThatThrownBy(() -> WordPieceTokenizer.load(wrongOrder))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("vocabulary must start with [[PAD], [UNK], [CLS], [SEP], [MASK]]");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new WordPieceTrainer(8, 2))
                .hasMessage("vocabulary size must be >= 16, found 8");
        assertThatThrownBy(() -> new WordPieceTrainer(100, 0))
                .hasMessage("minimum frequency must be >= 1, found 0");
        assertThatThrownBy(() -> new WordPieceTokenizer(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]",
                "[MASK]", "a", "a"))).hasMessageContaining("found 'a' twice");
    }
}
