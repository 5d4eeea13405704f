package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Features;
import dev.selfsup.eval.KnnClassifier;
import dev.selfsup.eval.LabelEfficiency;
import dev.selfsup.eval.Probes;
import dev.selfsup.train.CheckpointState;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Encoder;
import dev.selfsup.util.Json;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code selfsup eval knn|linear|all}: measures a representation on a labelled dataset. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Evaluate features on the test split: kNN top-1 (cosine, k=200, T=0.1, "
                + "train split as bank; --knn-k, --knn-temperature) and/or linear-probe top-1. Without --checkpoint or "
                + "--random-init: the raw pixels, scaled to [0,1] (the baseline); for "
                + "labeled-text:DIR, TF-IDF bag-of-words features. With --labels-per-class "
                + "and/or --label-fraction: label-efficiency curves, the probes trained on "
                + "seeded class-balanced subsets of the train labels.")
final class EvalCommand extends DataCommand {
    @Parameters(index = "0", paramLabel = "PROBE", description = "knn, linear or all.")
    String probe;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "A run directory (its newest checkpoint) or a checkpoint directory.")
    Path checkpoint;

    @Option(names = "--random-init", paramLabel = "BACKBONE",
            description = "Evaluate a randomly initialised backbone (mlp, resnet18, small-resnet; "
                    + "transformer for text).")
    String randomInit;

    @Option(names = "--seed", defaultValue = "0", description = "Seeds random init, the label "
            + "subsets and the linear probe's shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    PrecisionOption precision = new PrecisionOption();

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--labels-per-class", split = ",", paramLabel = "N",
            description = "Label efficiency: train the probes on N labels per class (all of a "
                    + "smaller class), for each N; the test split stays whole.")
    List<Integer> labelsPerClass;

    @Option(names = "--label-fraction", split = ",", paramLabel = "F",
            description = "Label efficiency: train the probes on round(F x class size) labels "
                    + "per class (at least 1), F in (0, 1], for each F.")
    List<Double> labelFractions;

    @Option(names = "--repeats", paramLabel = "R",
            description = "Label efficiency: independent subsets per size, reported as mean ± "
                    + "std (default: 5).")
    Integer repeats;

    @Option(names = "--knn-k", paramLabel = "K", defaultValue = "200",
            description = "kNN: neighbours that vote (default: ${DEFAULT-VALUE}, the papers' "
                    + "protocol; a bank of fewer items votes with all of them). With a few labels "
                    + "per class a smaller K (e.g. 20) reads the small bank more sharply.")
    int knnK;

    @Option(names = "--knn-temperature", paramLabel = "T", defaultValue = "0.1",
            description = "kNN: temperature of the exp(similarity / T) vote weights "
                    + "(default: ${DEFAULT-VALUE}).")
    double knnTemperature;

    @Option(names = "--baselines", description = "Label efficiency: also evaluate raw pixels "
            + "(TF-IDF for text) and a random-init backbone of the same architecture under the "
            + "same subsets.")
    boolean baselines;

    /** The kNN classifier the options ask for. */
    KnnClassifier knn() {
        return new KnnClassifier(knnK, knnTemperature);
    }

    @Override
    public Integer call() throws Exception {
        Set<Probes.Kind> kinds = switch (probe) {
            case "knn" -> EnumSet.of(Probes.Kind.KNN);
            case "linear" -> EnumSet.of(Probes.Kind.LINEAR);
            case "all" -> EnumSet.allOf(Probes.Kind.class);
            default -> throw new IllegalArgumentException(
                    "PROBE must be knn, linear or all, found '" + probe + "'");
        };
        if (checkpoint != null && randomInit != null) {
            throw new IllegalArgumentException("give --checkpoint or --random-init, not both");
        }
        KnnClassifier knn = knn(); // refuses a bad --knn-k or --knn-temperature before any work
        boolean bf16 = precision.bf16();
        LabelEfficiency curves = LabelCurves.requested(this, kinds);
        if (textData()) {
            TextCommands.refuseBf16(bf16);
            if (curves != null) {
                return TextCommands.labelEfficiency(this, curves);
            }
            return TextCommands.eval(this, kinds.contains(Probes.Kind.KNN),
                    kinds.contains(Probes.Kind.LINEAR));
        }
        threads.apply();
        DataSplits splits = data.load();
        Probes.requireClasses(splits); // before any features are computed
        if (curves != null) {
            return labelEfficiency(splits, curves, bf16);
        }
        String features;
        Probes.Result result;
        try (NDManager manager = NDManager.newBaseManager()) {
            FeatureMatrix train;
            FeatureMatrix test;
            if (checkpoint != null) {
                Encoder encoder = Encoder.load(checkpoint, manager);
                features = "checkpoint " + checkpoint + (bf16 ? " (bf16)" : "");
                train = encoder.embed(splits.train(), manager, bf16);
                test = encoder.embed(splits.test(), manager, bf16);
            } else if (randomInit != null) {
                Encoder encoder = Encoder.randomInit(randomInit, splits.train(),
                        ChannelStats.of(splits.train()), seed, manager);
                features = "random-init " + randomInit + (bf16 ? " (bf16)" : "");
                train = encoder.embed(splits.train(), manager, bf16);
                test = encoder.embed(splits.test(), manager, bf16);
            } else {
                features = "raw pixels";
                train = Features.rawPixels(splits.train());
                test = Features.rawPixels(splits.test());
            }
            result = Probes.run(train, test, splits, kinds, seed, knn, manager);
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("data", splits.name());
            out.put("features", features);
            out.put("precision", precision.precision);
            out.put("train_size", splits.train().size());
            out.put("test_size", splits.test().size());
            out.put("knn_top1", result.knnTop1());
            out.put("knn_k", knnK);
            out.put("knn_temperature", knnTemperature);
            out.put("linear_top1", result.linearTop1());
            System.out.println(Json.COMPACT.writeValueAsString(out));
        } else {
            System.out.printf("%-40s %10s %12s%n", "features (" + splits.name() + ")", "knn_top1",
                    "linear_top1");
            System.out.printf("%-40s %10s %12s%n", features, format(result.knnTop1()),
                    format(result.linearTop1()));
        }
        return 0;
    }

    /** The image path of the label-efficiency mode: one feature set at a time. */
    private int labelEfficiency(DataSplits splits, LabelEfficiency efficiency, boolean bf16)
            throws Exception {
        LabelCurves curves = LabelCurves.of(this, efficiency, splits.train().labels(),
                splits.test().labels(), splits.train().classCount());
        try (NDManager manager = NDManager.newBaseManager()) {
            String backbone = randomInit;
            if (checkpoint != null) {
                CheckpointState state = Checkpoints.readState(Checkpoints.resolve(checkpoint));
                backbone = state.backbone();
                try (NDManager model = manager.newSubManager()) {
                    Encoder encoder = Encoder.load(checkpoint, model);
                    curves.add(state.method() + " " + backbone + " (epoch " + state.epoch() + ")"
                            + (bf16 ? " bf16" : ""),
                            LabelCurves.MAIN, encoder.embed(splits.train(), model, bf16),
                            encoder.embed(splits.test(), model, bf16), manager);
                }
            }
            if (randomInit != null || (baselines && backbone != null)) {
                try (NDManager model = manager.newSubManager()) {
                    Encoder encoder = Encoder.randomInit(backbone, splits.train(),
                            ChannelStats.of(splits.train()), seed, model);
                    curves.add("random-init " + backbone + (bf16 ? " bf16" : ""),
                            randomInit != null ? LabelCurves.MAIN : LabelCurves.BASELINE,
                            encoder.embed(splits.train(), model, bf16),
                            encoder.embed(splits.test(), model, bf16), manager);
                }
            }
            if (baselines || (checkpoint == null && randomInit == null)) {
                curves.add("raw pixels", baselines ? LabelCurves.BASELINE : LabelCurves.MAIN,
                        Features.rawPixels(splits.train()), Features.rawPixels(splits.test()),
                        manager);
            }
        }
        return curves.finish(splits.name(), splits.train().size(), splits.test().size());
    }

    static String format(Double value) {
        return value == null ? "-" : String.format("%.4f", value);
    }
}
