package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.EmbeddingWriter;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.train.Encoder;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code selfsup embed}: writes a trained backbone's embeddings, with labels. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Write the backbone features of a split as FILE.npy (plus FILE.labels.npy), "
                + "FILE.csv (label first) or FILE.parquet (id, label, text for text data, "
                + "embedding as a list of floats).")
final class EmbedCommand extends DataCommand {
    @Option(names = "--checkpoint", required = true, paramLabel = "DIR",
            description = "A run directory (its newest checkpoint) or a checkpoint directory.")
    Path checkpoint;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "FILE.npy, FILE.csv or FILE.parquet.")
    Path out;

    @Option(names = "--split", defaultValue = "test", description = "train or test (default: ${DEFAULT-VALUE}).")
    String split;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

    @Override
    public Integer call() throws Exception {
        try {
            EmbeddingWriter.format(out);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--out must end in .npy, .csv or .parquet, found "
                    + out);
        }
        if (!split.equals("train") && !split.equals("test")) {
            throw new IllegalArgumentException("--split must be train or test, found '" + split + "'");
        }
        boolean bf16 = precision.bf16();
        if (textData()) {
            TextCommands.refuseBf16(bf16);
            return TextCommands.embed(this);
        }
        threads.apply();
        DataSplits splits = data.load();
        ImageSet images = split.equals("train") ? splits.train() : splits.test();
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.load(checkpoint, manager);
            FeatureMatrix features = encoder.embed(images, manager, bf16);
            EmbeddingWriter.write(out, features.values(), features.rows(), features.dim(),
                    images.labels(), ids(split, features.rows()), null);
            System.out.printf("wrote %d x %d embeddings of %s %s to %s%s%n", features.rows(),
                    features.dim(), splits.name(), split, out, bf16 ? " (computed in bf16)" : "");
        }
        return 0;
    }

    /**
     * The ids of a split's rows, {@code SPLIT/INDEX} ({@code test/17}), as {@code selfsup index}
     * names its items.
     */
    static java.util.List<String> ids(String split, int rows) {
        return java.util.stream.IntStream.range(0, rows).mapToObj(i -> split + "/" + i).toList();
    }
}
