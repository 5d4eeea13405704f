package dev.selfsup.data.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a line of prose into sentences: a sentence ends at {@code .}, {@code !} or {@code ?}
 * (and any closing quotes or brackets after it) when whitespace and then an upper-case letter,
 * a digit or an opening quote follow. A rule of thumb, not a parser: "Mr. Smith" splits after
 * "Mr.".
 */
public final class SentenceSplitter {
    private SentenceSplitter() {}

    /** The sentences of {@code line}, trimmed, none blank. */
    public static List<String> split(String line) {
        List<String> sentences = new ArrayList<>();
        int start = 0;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c != '.' && c != '!' && c != '?') {
                continue;
            }
            int end = i + 1;
            while (end < n && isCloser(line.charAt(end))) {
                end++;
            }
            int next = end;
            while (next < n && Character.isWhitespace(line.charAt(next))) {
                next++;
            }
            if (next > end && next < n && startsSentence(line.charAt(next))) {
                add(sentences, line.substring(start, end));
                start = next;
                i = next - 1;
            }
        }
        add(sentences, line.substring(start));
        return sentences;
    }

    private static boolean isCloser(char c) {
        return c == '"' || c == '\'' || c == ')' || c == ']' || c == '\u201d' || c == '\u2019';
    }

    private static boolean startsSentence(char c) {
        return Character.isUpperCase(c) || Character.isDigit(c) || c == '"' || c == '\u201c'
                || c == '(' || c == '\'';
    }

    private static void add(List<String> sentences, String sentence) {
        String trimmed = sentence.strip();
        if (!trimmed.isEmpty()) {
            sentences.add(trimmed);
        }
    }
}
