package dev.selfsup.data.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small generated corpora for the text tests. */
public final class TextFixtures {
    private static final String[][] TOPICS = {
        {"river", "boat", "water", "fish", "bridge", "shore"},
        {"market", "price", "trade", "coin", "bank", "merchant"},
        {"forest", "tree", "leaf", "wolf", "path", "moss"},
        {"castle", "king", "tower", "knight", "gate", "crown"},
    };
    private static final String[] VERBS = {"sees", "finds", "keeps", "moves", "loves", "watches"};

    private TextFixtures() {}

    /** One sentence about a topic: "The river sees the boat near the water." */
    public static String sentence(int topic, SplittableRandom random) {
        String[] words = TOPICS[topic];
        return "The " + words[random.nextInt(words.length)] + " "
                + VERBS[random.nextInt(VERBS.length)] + " the " + words[random.nextInt(words.length)]
                + " near the " + words[random.nextInt(words.length)] + ".";
    }

    /** Documents of {@code sentences} sentences, each document about one topic. */
    public static TextCorpus corpus(int documents, int sentences, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TextCorpus.Document> list = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            List<String> lines = new ArrayList<>();
            for (int s = 0; s < sentences; s++) {
                lines.add(sentence(d % TOPICS.length, random));
            }
            list.add(new TextCorpus.Document("doc" + d, lines));
        }
        return new TextCorpus("generated", list);
    }

    /** Writes {@code corpus} as one .txt file per document, one line per document. */
    public static Path write(TextCorpus corpus, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int d = 0; d < corpus.documents().size(); d++) {
            Files.writeString(dir.resolve(String.format("doc%03d.txt", d)),
                    String.join(" ", corpus.documents().get(d).sentences()) + "\n",
                    StandardCharsets.UTF_8);
        }
        return dir;
    }

    /** Labelled texts: class folder per topic, {@code perClass} texts each of 3 sentences. */
    public static Path writeLabeled(Path dir, int classes, int perClass, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        for (int c = 0; c < classes; c++) {
            Path folder = Files.createDirectories(dir.resolve(TOPICS[c][0]));
            for (int i = 0; i < perClass; i++) {
                Files.writeString(folder.resolve(i + ".txt"), sentence(c, random) + "\n"
                        + sentence(c, random) + "\r\n" + sentence(c, random), StandardCharsets.UTF_8);
            }
        }
        return dir;
    }
}
