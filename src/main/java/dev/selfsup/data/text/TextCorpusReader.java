package dev.selfsup.data.text;

import dev.selfsup.data.DataFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code text:PATH}: a UTF-8 file or a folder of {@code .txt} files (subfolders included,
 * sorted by path) into documents of sentences. A document ends at a blank line or at the end of
 * a file, so both one-file-per-document corpora and BERT's one-file, blank-line-separated layout
 * work. Every non-blank line is split into sentences by {@link SentenceSplitter}.
 *
 * @param utf8Errors strict (default) or replace
 * @param maxLineChars longest line allowed, in characters
 */
public record TextCorpusReader(TextFiles.Utf8Errors utf8Errors, int maxLineChars) {
    /** Longest line accepted by default: one State of the Union address is one 200k-char line. */
    public static final int DEFAULT_MAX_LINE_CHARS = 1_000_000;

    public TextCorpusReader {
        if (maxLineChars <= 0) {
            throw new IllegalArgumentException("maximum line length must be > 0, found " + maxLineChars);
        }
    }

    /** Strict UTF-8 and the default line limit. */
    public static TextCorpusReader standard() {
        return new TextCorpusReader(TextFiles.Utf8Errors.STRICT, DEFAULT_MAX_LINE_CHARS);
    }

    /**
     * Reads a corpus.
     *
     * @throws DataFormatException on a bad byte or over-long line (naming file and line), or when
     *     the corpus holds no text
     */
    public TextCorpus read(Path path) throws IOException {
        List<Path> files = TextFiles.textFiles(path);
        if (files.isEmpty()) {
            throw new DataFormatException(path, "holds no .txt files");
        }
        List<TextCorpus.Document> documents = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = TextFiles.readLines(file, utf8Errors, maxLineChars);
            List<String> sentences = new ArrayList<>();
            int firstLine = 0;
            for (int i = 0; i <= lines.size(); i++) {
                boolean blank = i == lines.size() || lines.get(i).isBlank();
                if (blank) {
                    if (!sentences.isEmpty()) {
                        documents.add(new TextCorpus.Document(
                                file.getFileName() + ":" + firstLine, sentences));
                        sentences = new ArrayList<>();
                    }
                    continue;
                }
                if (sentences.isEmpty()) {
                    firstLine = i + 1;
                }
                sentences.addAll(SentenceSplitter.split(lines.get(i)));
            }
        }
        if (documents.isEmpty()) {
            throw new DataFormatException(path, "the corpus is empty: no non-blank line in "
                    + files.size() + " file(s)");
        }
        return new TextCorpus("text:" + path, documents);
    }
}
