package dev.selfsup.data.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.DataFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusReaderTest {
    @TempDir
    Path dir;

    @Test
    void lfCrLfAndLoneCrEndLinesAndABomIsDropped() throws Exception {
        Path file = dir.resolve("a.txt");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
        bytes.write("one\r\ntwo\rthree\nfour\r\n\r\nsix".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());

        assertThat(TextFiles.readLines(file, TextFiles.Utf8Errors.STRICT, 100))
                .containsExactly("one", "two", "three", "four", "", "six");
    }

    @Test
    void aTrailingLineBreakAddsNoLineAndAnEmptyFileHasNone() throws Exception {
        Path file = Files.writeString(dir.resolve("a.txt"), "x\n");
        Path empty = Files.writeString(dir.resolve("b.txt"), "");

        assertThat(TextFiles.readLines(file, TextFiles.Utf8Errors.STRICT, 100)).containsExactly("x");
        assertThat(TextFiles.readLines(empty, TextFiles.Utf8Errors.STRICT, 100)).isEmpty();
    }

    @Test
    void aCorruptByteNamesFileLineAndByte() throws Exception {
        Path file = dir.resolve("bad.txt");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write("good line\nsecond is fine\nthird ".getBytes(StandardCharsets.UTF_8));
        bytes.write(0xa3); // a Latin-1 pound sign: not UTF-8
        bytes.write(" here\n".getBytes(StandardCharsets.UTF_8));
        Files.write(file, bytes.toByteArray());

        assertThatThrownBy(() -> TextCorpusReader.standard().read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageStartingWith(file + ": line 3: invalid UTF-8 byte 0xa3 at byte 7");
        // replace mode reads it with U+FFFD
        assertThat(TextFiles.readLines(file, TextFiles.Utf8Errors.REPLACE, 100).get(2))
                .isEqualTo("third \ufffd here");
    }

    @Test
    void aTruncatedMultiByteSequenceIsAnError() throws Exception {
        Path file = dir.resolve("cut.txt");
        Files.write(file, new byte[] {'o', 'k', '\n', 'a', (byte) 0xe2, (byte) 0x82});

        assertThatThrownBy(() -> TextFiles.readLines(file, TextFiles.Utf8Errors.STRICT, 100))
                .hasMessageStartingWith(file + ": line 2: invalid UTF-8 byte 0xe2 at byte 2");
    }

    @Test
    void anOverLongLineIsRefusedWithItsNumber() throws Exception {
        Path file = Files.writeString(dir.resolve("long.txt"), "short\n" + "x".repeat(50) + "\n");

        assertThatThrownBy(() -> new TextCorpusReader(TextFiles.Utf8Errors.STRICT, 20).read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("line 2 is longer than the maximum of 20 characters, found 50");
    }

    @Test
    void documentsEndAtBlankLinesAndFilesAndSentencesAreSplit() throws Exception {
        Files.writeString(dir.resolve("b.txt"), "Last file. Its only document!");
        Files.writeString(dir.resolve("a.txt"), "First one. Second one?\nThird \"one.\" Fourth 4.\n"
                + "\n  \nNext document starts here.\n");
        Files.writeString(dir.resolve("ignored.md"), "not a text file");

        TextCorpus corpus = TextCorpusReader.standard().read(dir);

        assertThat(corpus.documents()).hasSize(3);
        assertThat(corpus.documents().get(0).sentences())
                .containsExactly("First one.", "Second one?", "Third \"one.\"", "Fourth 4.");
        assertThat(corpus.documents().get(0).source()).isEqualTo("a.txt:1");
        assertThat(corpus.documents().get(1).sentences()).containsExactly("Next document starts here.");
        assertThat(corpus.documents().get(1).source()).isEqualTo("a.txt:5");
        assertThat(corpus.documents().get(2).sentences())
                .containsExactly("Last file.", "Its only document!");
        assertThat(corpus.sentenceCount()).isEqualTo(7);
    }

    @Test
    void sentencesDoNotSplitInsideNumbersOrBeforeLowerCase() {
        assertThat(SentenceSplitter.split("It cost 3.5 dollars. then it rose. Now 4."))
                .containsExactly("It cost 3.5 dollars. then it rose.", "Now 4.");
    }

    @Test
    void aBinaryFileNamedTxtIsRefusedAtItsFirstNulByte() throws Exception {
        byte[] binary = new byte[64];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i % 16 == 5 ? 0 : 'a' + i % 7); // valid UTF-8, but NULs
        }
        binary[20] = '\n';
        Path file = Files.write(dir.resolve("program.txt"), binary);
        assertThatThrownBy(() -> TextCorpusReader.standard().read(file))
                .isInstanceOf(DataFormatException.class).hasMessageStartingWith(file.toString())
                .hasMessageContaining("line 1: a NUL byte at byte 6").hasMessageContaining("binary");
    }

    @Test
    void emptyCorporaAreRefused() throws Exception {
        Files.writeString(dir.resolve("blank.txt"), "\n   \r\n\n");
        Path none = Files.createDirectories(dir.resolve("none"));

        assertThatThrownBy(() -> TextCorpusReader.standard().read(dir.resolve("blank.txt")))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("the corpus is empty");
        assertThatThrownBy(() -> TextCorpusReader.standard().read(none))
                .isInstanceOf(DataFormatException.class).hasMessageContaining("holds no .txt files");
        assertThatThrownBy(() -> TextCorpusReader.standard().read(dir.resolve("missing")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void labelledTextsAreReadPerClassAndSplitStratifiedAndRepeatably() throws Exception {
        Path root = TextFixtures.writeLabeled(dir.resolve("labeled"), 3, 10, 1);

        LabeledText all = new LabeledTextReader(TextFiles.Utf8Errors.STRICT, 1000).read(root);
        LabeledText.Splits a = all.split(0.2, 0);
        LabeledText.Splits b = all.split(0.2, 0);

        assertThat(all.classNames()).containsExactly("forest", "market", "river");
        assertThat(all.size()).isEqualTo(30);
        assertThat(all.texts().get(0)).contains("\n").doesNotContain("\r");
        assertThat(a.test().size()).isEqualTo(6);
        assertThat(a.train().size()).isEqualTo(24);
        for (int c = 0; c < 3; c++) {
            int label = c;
            assertThat(java.util.Arrays.stream(a.test().labels()).filter(l -> l == label).count())
                    .isEqualTo(2);
        }
        assertThat(a.test().texts()).isEqualTo(b.test().texts());
        assertThat(a.test().texts()).doesNotContainAnyElementsOf(a.train().texts());
    }

    @Test
    void labelledTextNeedsTwoClasses() throws Exception {
        Files.createDirectories(dir.resolve("only"));
        Files.writeString(dir.resolve("only/x.txt"), "text");

        assertThatThrownBy(() -> new LabeledTextReader(TextFiles.Utf8Errors.STRICT, 100).read(dir))
                .isInstanceOf(DataFormatException.class)
                .hasMessageContaining("needs at least 2 class folders, found 1");
    }
}
