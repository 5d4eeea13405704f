package dev.selfsup.data.text;

import dev.selfsup.data.DataFormatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code labeled-text:DIR}: every subfolder of DIR is a class (sorted by name), every
 * {@code .txt} file below it one text. Lines are read as by {@link TextFiles} (strict UTF-8 by
 * default, CR/LF normalised to LF).
 *
 * @param utf8Errors strict (default) or replace
 * @param maxLineChars longest line allowed, in characters
 */
public record LabeledTextReader(TextFiles.Utf8Errors utf8Errors, int maxLineChars) {
    public LabeledTextReader {
        if (maxLineChars <= 0) {
            throw new IllegalArgumentException("maximum line length must be > 0, found " + maxLineChars);
        }
    }

    /**
     * Reads the texts.
     *
     * @throws DataFormatException when DIR has fewer than two class folders, a class has no
     *     text, or a file is not UTF-8 (naming file and line)
     */
    public LabeledText read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null, "no such folder");
        }
        List<Path> classes = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, Files::isDirectory)) {
            stream.forEach(classes::add);
        }
        classes.sort(null);
        if (classes.size() < 2) {
            throw new DataFormatException(dir, "needs at least 2 class folders, found "
                    + classes.size());
        }
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path folder = classes.get(c);
            names.add(folder.getFileName().toString());
            List<Path> files = TextFiles.textFiles(folder);
            int added = 0;
            for (Path file : files) {
                String text = String.join("\n", TextFiles.readLines(file, utf8Errors, maxLineChars));
                if (!text.isBlank()) {
                    texts.add(text);
                    labels.add(c);
                    added++;
                }
            }
            if (added == 0) {
                throw new DataFormatException(folder, "class folder holds no non-empty .txt file");
            }
        }
        return new LabeledText("labeled-text:" + dir, texts,
                labels.stream().mapToInt(Integer::intValue).toArray(), names);
    }
}
