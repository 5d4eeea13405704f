package dev.selfsup.data.text;

import dev.selfsup.data.DataFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads text files line by line as strict UTF-8: a byte sequence that is not UTF-8 ends the read
 * with an error naming the file, the line and the byte. Lines end at LF, CR LF or a lone CR; a
 * leading byte-order mark is dropped.
 */
public final class TextFiles {
    /** What to do with bytes that are not UTF-8. */
    public enum Utf8Errors {
        /** Refuse the file, naming the line (the default). */
        STRICT,
        /** Replace each bad sequence with U+FFFD and go on. */
        REPLACE
    }

    private TextFiles() {}

    /**
     * The lines of a file, without their line endings.
     *
     * @param maxLineChars a line longer than this many characters is an error
     * @throws DataFormatException naming the file and line of a bad byte (invalid UTF-8, or, when
     *     strict, a NUL, which no text holds), or an over-long line
     */
    public static List<String> readLines(Path file, Utf8Errors errors, int maxLineChars)
            throws IOException {
        if (maxLineChars <= 0) {
            throw new IllegalArgumentException("maximum line length must be > 0, found " + maxLineChars);
        }
        byte[] bytes = Files.readAllBytes(file);
        CodingErrorAction action = errors == Utf8Errors.STRICT
                ? CodingErrorAction.REPORT : CodingErrorAction.REPLACE;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(action).onUnmappableCharacter(action);
        List<String> lines = new ArrayList<>();
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
                && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        int lineNumber = 1;
        int i = start;
        while (start <= bytes.length) {
            while (i < bytes.length && bytes[i] != '\n' && bytes[i] != '\r') {
                i++;
            }
            if (i == bytes.length && start == bytes.length) {
                break; // the file ended with a line break (or is empty)
            }
            lines.add(decodeLine(file, bytes, start, i, lineNumber, decoder, maxLineChars,
                    errors == Utf8Errors.STRICT));
            if (i < bytes.length && bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
                i++;
            }
            i++;
            start = i;
            lineNumber++;
        }
        return lines;
    }

    private static String decodeLine(Path file, byte[] bytes, int from, int to, int lineNumber,
            CharsetDecoder decoder, int maxLineChars, boolean refuseNul) throws DataFormatException {
        if (to - from > 4L * maxLineChars) {
            throw tooLong(file, lineNumber, to - from + " bytes", maxLineChars);
        }
        for (int at = from; refuseNul && at < to; at++) {
            if (bytes[at] == 0) {
                throw new DataFormatException(file, "line " + lineNumber + ": a NUL byte at byte "
                        + (at - from + 1) + " of the line (a binary file, not text?)");
            }
        }
        String line;
        try {
            CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, from, to - from));
            line = chars.toString();
        } catch (CharacterCodingException e) {
            int bad = firstInvalid(bytes, from, to);
            throw new DataFormatException(file, String.format(
                    "line %d: invalid UTF-8 byte 0x%02x at byte %d of the line (the file must be "
                            + "UTF-8; re-encode it, e.g. iconv -f latin1 -t utf-8)",
                    lineNumber, bytes[bad] & 0xff, bad - from + 1));
        }
        if (line.length() > maxLineChars) {
            throw tooLong(file, lineNumber, line.length() + " characters", maxLineChars);
        }
        return line;
    }

    private static DataFormatException tooLong(Path file, int lineNumber, String found, int max) {
        return new DataFormatException(file, "line " + lineNumber + " is longer than the maximum of "
                + max + " characters, found " + found + " (raise --max-line-length)");
    }

    /** Index of the first byte that starts an invalid UTF-8 sequence in {@code [from, to)}. */
    static int firstInvalid(byte[] bytes, int from, int to) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, to - from);
        CharBuffer out = CharBuffer.allocate(to - from + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : from;
    }

    /**
     * The {@code .txt} files of a folder and its subfolders (symbolic links followed), in sorted
     * path order, or the file
     * itself.
     */
    public static List<Path> textFiles(Path path) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null,
                    "no such file or folder");
        }
        try (Stream<Path> walk = Files.walk(path, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".txt"))
                    .sorted()
                    .toList();
        }
    }
}
