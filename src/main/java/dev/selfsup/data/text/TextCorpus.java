package dev.selfsup.data.text;

import java.util.List;
import java.util.Objects;

/**
 * A text corpus as documents of sentences, as BERT's pre-training data is laid out: next-sentence
 * prediction draws true pairs from within a document and false ones across documents.
 *
 * @param name where the corpus came from (the {@code --data} spec)
 * @param documents at least one document, each with at least one sentence
 */
public record TextCorpus(String name, List<Document> documents) {
    public TextCorpus {
        Objects.requireNonNull(name, "name");
        documents = List.copyOf(documents);
        if (documents.isEmpty()) {
            throw new IllegalArgumentException("a corpus needs at least one document, found none");
        }
    }

    /**
     * One document: consecutive sentences from one file (or one blank-line-separated block).
     *
     * @param source the file and first line it came from, e.g. {@code speech.txt:12}
     * @param sentences its sentences in order, none blank
     */
    public record Document(String source, List<String> sentences) {
        public Document {
            Objects.requireNonNull(source, "source");
            sentences = List.copyOf(sentences);
            if (sentences.isEmpty()) {
                throw new IllegalArgumentException("a document needs at least one sentence: " + source);
            }
        }
    }

    /** Total sentences over all documents. */
    public int sentenceCount() {
        return documents.stream().mapToInt(d -> d.sentences().size()).sum();
    }

    /** Total characters of all sentences. */
    public long characterCount() {
        return documents.stream().flatMap(d -> d.sentences().stream()).mapToLong(String::length).sum();
    }
}
