package dev.selfsup.data.text;

import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Labelled texts (one text per file, one class per folder), as read from
 * {@code labeled-text:DIR}.
 *
 * @param name where the texts came from
 * @param texts the texts
 * @param labels class index of each text, in {@code [0, classNames.size())}
 * @param classNames the class of each index (folder names, sorted)
 */
public record LabeledText(String name, List<String> texts, int[] labels, List<String> classNames) {
    public LabeledText {
        Objects.requireNonNull(name, "name");
        texts = List.copyOf(texts);
        classNames = List.copyOf(classNames);
        if (texts.size() != labels.length) {
            throw new IllegalArgumentException("texts and labels differ in count: " + texts.size()
                    + " vs " + labels.length);
        }
        for (int label : labels) {
            if (label < 0 || label >= classNames.size()) {
                throw new IllegalArgumentException("label must be in [0, " + classNames.size()
                        + "), found " + label);
            }
        }
    }

    /** Number of texts. */
    public int size() {
        return texts.size();
    }

    /** The texts at {@code indices}, with their labels. */
    public LabeledText subset(int[] indices, String suffix) {
        List<String> chosen = new ArrayList<>(indices.length);
        int[] chosenLabels = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            chosen.add(texts.get(indices[i]));
            chosenLabels[i] = labels[indices[i]];
        }
        return new LabeledText(name + suffix, chosen, chosenLabels, classNames);
    }

    /** A train split and a held-out test split. */
    public record Splits(LabeledText train, LabeledText test) {}

    /**
     * A stratified split: in every class, a shuffled {@code testFraction} of the texts (at least
     * one when the class has two or more) is held out. The same seed gives the same split.
     */
    public Splits split(double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), found " + testFraction);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        for (int c = 0; c < classNames.size(); c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    members.add(i);
                }
            }
            int[] order = Permutations.shuffled(members.size(), Seeds.random(seed, c));
            int held = members.size() < 2 ? 0
                    : Math.max(1, (int) Math.round(testFraction * members.size()));
            for (int k = 0; k < order.length; k++) {
                (k < held ? test : train).add(members.get(order[k]));
            }
        }
        train.sort(null);
        test.sort(null);
        return new Splits(subset(train.stream().mapToInt(Integer::intValue).toArray(), "[train]"),
                subset(test.stream().mapToInt(Integer::intValue).toArray(), "[test]"));
    }
}
