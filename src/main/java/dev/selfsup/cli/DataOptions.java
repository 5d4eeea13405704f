package dev.selfsup.cli;

import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.data.ImageFolderReader;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The {@code --data} options every command shares. */
final class DataOptions {
    @Option(names = "--data", defaultValue = "shapes", paramLabel = "SPEC",
            description = "shapes[:SEED] (built in), idx:DIR, cifar10:DIR or folder:DIR; text: "
                    + "text:PATH (pretrain, embed) or labeled-text:DIR (eval, embed) "
                    + "(default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--train-size", paramLabel = "N",
            description = "Training images: generated (shapes, default 10000) or a fixed random "
                    + "subset (files, default all). Text: a cap on examples per epoch, none "
                    + "repeated (pretrain; see --steps-per-epoch) or a fixed subset of the train "
                    + "split (labeled-text).")
    Integer trainSize;

    @Option(names = "--test-size", paramLabel = "N",
            description = "Test images (shapes default 2000; files default all). Text: "
                    + "held-out examples scored per epoch (pretrain, default 512) or a fixed "
                    + "subset of the test split (labeled-text).")
    Integer testSize;

    @Option(names = "--image-size", defaultValue = "32", paramLabel = "PIXELS",
            description = "Side of folder images after resizing (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--color", defaultValue = "auto", paramLabel = "MODE",
            description = "Folder images: auto, rgb or gray (default: ${DEFAULT-VALUE}).")
    String color;

    Datasets.Options options() {
        ImageFolderReader.ColorMode mode;
        try {
            mode = ImageFolderReader.ColorMode.valueOf(color.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--color must be auto, rgb or gray, found '" + color + "'");
        }
        return new Datasets.Options(trainSize, testSize, imageSize, mode);
    }

    DataSplits load() throws IOException {
        return Datasets.load(data, options());
    }
}
