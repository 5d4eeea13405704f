package dev.selfsup.data;

import java.util.Objects;

/**
 * A dataset's train and test splits. Training uses only {@code train}'s pixels; {@code test} and
 * the labels serve evaluation (kNN bank = train, queries = test).
 *
 * @param name the dataset's name as the user gave it (e.g. {@code shapes}, {@code idx:/data/fm})
 * @param train the training split
 * @param test the held-out split
 */
public record DataSplits(String name, ImageSet train, ImageSet test) {
    public DataSplits {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.channels() != test.channels() || train.height() != test.height()
                || train.width() != test.width()) {
            throw new IllegalArgumentException("train and test image shapes differ: "
                    + train.channels() + "x" + train.height() + "x" + train.width() + " vs "
                    + test.channels() + "x" + test.height() + "x" + test.width());
        }
    }

    /** The image shape as {@code channels x height x width}. */
    public String shapeDescription() {
        return train.channels() + "x" + train.height() + "x" + train.width();
    }
}
