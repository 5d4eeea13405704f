package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.LabelBudget;
import dev.selfsup.eval.LabelEfficiency;
import dev.selfsup.eval.Probes;
import dev.selfsup.report.MetricsLog;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The label-efficiency mode of {@code selfsup eval} ({@code --labels-per-class},
 * {@code --label-fraction}), shared by the image and text paths: runs {@link LabelEfficiency}
 * on each feature set as it is added, then prints a table or one JSON object and, when
 * {@code --checkpoint} is a run directory, writes {@value ReportWriter#LABEL_EFFICIENCY_FILE}
 * there and re-renders its report.
 */
final class LabelCurves {
    /** Role of the features the command was asked about. */
    static final String MAIN = "main";
    /** Role of a feature set added by {@code --baselines}. */
    static final String BASELINE = "baseline";

    private final EvalCommand command;
    private final LabelEfficiency efficiency;
    private final int[] trainLabels;
    private final int[] testLabels;
    private final int classCount;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    private LabelCurves(EvalCommand command, LabelEfficiency efficiency, int[] trainLabels,
            int[] testLabels, int classCount) {
        this.command = command;
        this.efficiency = efficiency;
        this.trainLabels = trainLabels;
        this.testLabels = testLabels;
        this.classCount = classCount;
    }

    /**
     * The curves the options ask for, or null when neither {@code --labels-per-class} nor
     * {@code --label-fraction} is given (then {@code --repeats} and {@code --baselines} are
     * refused). The full-label budget is always added last.
     */
    static LabelEfficiency requested(EvalCommand c, Set<Probes.Kind> kinds) {
        if (c.labelsPerClass == null && c.labelFractions == null) {
            if (c.repeats != null || c.baselines) {
                throw new IllegalArgumentException((c.repeats != null ? "--repeats" : "--baselines")
                        + " needs --labels-per-class or --label-fraction");
            }
            return null;
        }
        Set<LabelBudget> budgets = new LinkedHashSet<>();
        if (c.labelsPerClass != null) {
            c.labelsPerClass.forEach(n -> budgets.add(LabelBudget.perClass(n)));
        }
        if (c.labelFractions != null) {
            c.labelFractions.forEach(f -> budgets.add(LabelBudget.fraction(f)));
        }
        budgets.remove(LabelBudget.all());
        budgets.add(LabelBudget.all());
        if (c.baselines && c.checkpoint == null && c.randomInit == null) {
            throw new IllegalArgumentException("--baselines needs --checkpoint or --random-init "
                    + "(without them the baseline features are the ones evaluated)");
        }
        return new LabelEfficiency(List.copyOf(budgets),
                c.repeats != null ? c.repeats : LabelEfficiency.DEFAULT_REPEATS, kinds, c.seed,
                c.knn());
    }

    /** A collector for one dataset's labels. */
    static LabelCurves of(EvalCommand c, LabelEfficiency efficiency, int[] trainLabels,
            int[] testLabels, int classCount) {
        return new LabelCurves(c, efficiency, trainLabels, testLabels, classCount);
    }

    /**
     * Runs the curves of one feature set now (the features can be dropped afterwards).
     *
     * @param features the name shown in the table, the JSON and the report's legend
     * @param role {@link #MAIN} or {@link #BASELINE}
     */
    void add(String features, String role, FeatureMatrix train, FeatureMatrix test,
            NDManager manager) {
        for (LabelEfficiency.Result r : efficiency.run(train, trainLabels, test, testLabels,
                classCount, manager)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("features", features);
            row.put("role", role);
            row.put("size", r.budget().spec());
            row.put("labels_per_class", r.budget() instanceof LabelBudget.PerClass p
                    ? p.count() : null);
            row.put("label_fraction", r.budget() instanceof LabelBudget.Fraction f
                    ? f.value() : null);
            row.put("labels_used", r.labelsUsed());
            row.put("probe", r.probe().name().toLowerCase(Locale.ROOT));
            row.put("mean", r.mean());
            row.put("std", r.std());
            row.put("values", r.values());
            rows.add(row);
        }
    }

    /**
     * Prints the table (or, with {@code --json}, one JSON object) and, when {@code --checkpoint}
     * is a run directory, writes the same object to its label-efficiency file and re-renders the
     * report.
     */
    int finish(String data, int trainSize, int testSize) throws IOException {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("data", data);
        out.put("checkpoint", command.checkpoint != null ? command.checkpoint.toString() : null);
        out.put("train_size", trainSize);
        out.put("test_size", testSize);
        out.put("classes", classCount);
        out.put("repeats", efficiency.repeats());
        out.put("seed", efficiency.seed());
        out.put("knn_k", efficiency.knn().k());
        out.put("knn_temperature", efficiency.knn().temperature());
        out.put("rows", rows);
        if (command.json) {
            System.out.println(Json.COMPACT.writeValueAsString(out));
        } else {
            printTable(data, trainSize, testSize);
        }
        Path runDir = runDirectory(command.checkpoint);
        if (runDir != null) {
            Path file = runDir.resolve(ReportWriter.LABEL_EFFICIENCY_FILE);
            Json.write(file, out);
            Path report = ReportWriter.write(runDir);
            (command.json ? System.err : System.out).printf("wrote %s (report: %s)%n", file, report);
        }
        return 0;
    }

    private void printTable(String data, int trainSize, int testSize) {
        System.out.printf("label efficiency on %s (%d train / %d test, %d classes): test top-1, "
                        + "mean ± std over %d class-balanced subsets of the train labels; kNN "
                        + "k=%d, T=%s%n", data, trainSize, testSize, classCount,
                efficiency.repeats(), efficiency.knn().k(), efficiency.knn().temperature());
        String format = "%-40s %-10s %6s %17s %17s%n";
        System.out.printf(format, "features", "labels", "used", "knn_top1", "linear_top1");
        for (int i = 0; i < rows.size(); ) {
            Map<String, Object> first = rows.get(i);
            String knn = "-";
            String linear = "-";
            int j = i;
            for (; j < rows.size() && rows.get(j).get("features").equals(first.get("features"))
                    && rows.get(j).get("size").equals(first.get("size")); j++) {
                String cell = cell(rows.get(j));
                if ("knn".equals(rows.get(j).get("probe"))) {
                    knn = cell;
                } else {
                    linear = cell;
                }
            }
            System.out.printf(format, first.get("features"), first.get("size"),
                    first.get("labels_used"), knn, linear);
            i = j;
        }
    }

    private static String cell(Map<String, Object> row) {
        double mean = (Double) row.get("mean");
        return ((List<?>) row.get("values")).size() < 2 ? String.format("%.4f", mean)
                : String.format("%.4f ± %.4f", mean, (Double) row.get("std"));
    }

    /**
     * {@code path} when it names a run directory (a {@code metrics.jsonl} and no
     * {@code state.json}), else null (nothing given, or a checkpoint directory).
     */
    static Path runDirectory(Path path) {
        if (path == null || Files.isRegularFile(path.resolve(Checkpoints.STATE_FILE))) {
            return null;
        }
        return Files.isRegularFile(path.resolve(MetricsLog.FILE_NAME)) ? path : null;
    }
}
