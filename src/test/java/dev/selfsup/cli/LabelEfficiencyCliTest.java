package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code selfsup eval --labels-per-class / --label-fraction}, end to end on small data. */
class LabelEfficiencyCliTest {
    private static final String[] SHAPES = {"--data", "shapes", "--train-size", "400",
        "--test-size", "200", "--threads", "2"};

    @TempDir
    Path dir;

    private static String[] lines(String text) {
        return Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toArray(String[]::new);
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }

    private static List<JsonNode> rows(JsonNode result) {
        List<JsonNode> rows = new ArrayList<>();
        result.get("rows").forEach(rows::add);
        return rows;
    }

    @Test
    void imageCurvesOfARunAgainstItsBaselinesLandInTheRunDirectory() throws Exception {
        Path run = dir.resolve("run");
        CliTest.Run pretrain = CliTest.run(concat(new String[] {"pretrain", "--method", "simclr",
            "--backbone", "mlp", "--epochs", "1", "--batch-size", "64", "--out", run.toString()},
                SHAPES));
        assertThat(pretrain.code()).as(pretrain.err()).isZero();

        CliTest.Run eval = CliTest.run(concat(new String[] {"eval", "all", "--checkpoint",
            run.toString(), "--labels-per-class", "1,10", "--label-fraction", "0.1",
            "--repeats", "2", "--baselines", "--json"}, SHAPES));
        assertThat(eval.code()).as(eval.err()).isZero();
        String[] out = lines(eval.out());
        assertThat(out).hasSize(1);
        JsonNode result = Json.MAPPER.readTree(out[0]);
        assertThat(result.get("train_size").asInt()).isEqualTo(400);
        assertThat(result.get("test_size").asInt()).isEqualTo(200);
        assertThat(result.get("repeats").asInt()).isEqualTo(2);
        List<JsonNode> rows = rows(result);
        // 3 feature sets x (1/class, 10/class, 10%, all) x (knn, linear)
        assertThat(rows).hasSize(24);
        Set<String> features = new LinkedHashSet<>();
        rows.forEach(r -> features.add(r.get("features").asText()));
        assertThat(features).containsExactly("simclr mlp (epoch 1)", "random-init mlp", "raw pixels");
        assertThat(rows).allSatisfy(r -> {
            assertThat(r.get("mean").asDouble()).isBetween(0.0, 1.0);
            assertThat(r.get("std").asDouble()).isGreaterThanOrEqualTo(0.0);
            assertThat(r.get("probe").asText()).isIn("knn", "linear");
            assertThat(r.get("role").asText()).isEqualTo(
                    r.get("features").asText().startsWith("simclr") ? "main" : "baseline");
        });
        List<JsonNode> mainKnn = rows.stream().filter(r -> r.get("role").asText().equals("main")
                && r.get("probe").asText().equals("knn")).toList();
        assertThat(mainKnn).extracting(r -> r.get("size").asText())
                .containsExactly("1/class", "10/class", "10%", "all");
        assertThat(mainKnn).extracting(r -> r.get("values").size()).containsExactly(2, 2, 2, 1);
        assertThat(mainKnn.get(0).get("labels_used").asInt()).isEqualTo(10); // 10 shape classes
        assertThat(mainKnn.get(0).get("labels_per_class").asInt()).isEqualTo(1);
        assertThat(mainKnn.get(2).get("label_fraction").asDouble()).isEqualTo(0.1);
        assertThat(mainKnn.get(2).get("labels_used").asInt()).isBetween(30, 50);
        assertThat(mainKnn.get(3).get("labels_used").asInt()).isEqualTo(400);

        Path file = run.resolve("label-efficiency.json");
        assertThat(Json.MAPPER.readTree(file.toFile())).isEqualTo(result);
        assertThat(run.resolve("label-efficiency-knn.png")).exists();
        assertThat(run.resolve("label-efficiency-linear.png")).exists();
        assertThat(Files.readString(run.resolve("report.html"))).contains("<h2>Label efficiency</h2>")
                .contains("label-efficiency-knn.png").contains("random-init mlp");
        assertThat(eval.err()).contains("wrote " + file);
    }

    @Test
    void theTableShowsMeanAndStdPerSizeAndTheFullLabelRow() {
        CliTest.Run eval = CliTest.run(concat(new String[] {"eval", "knn", "--labels-per-class",
            "2", "--repeats", "3"}, SHAPES));
        assertThat(eval.code()).as(eval.err()).isZero();
        String[] out = lines(eval.out());
        assertThat(out).hasSize(4);
        assertThat(out[0]).startsWith("label efficiency on shapes").contains("400 train / 200 test")
                .contains("over 3 class-balanced subsets");
        assertThat(out[1]).contains("features").contains("labels").contains("used")
                .contains("knn_top1").contains("linear_top1");
        assertThat(out[2]).startsWith("raw pixels").contains("2/class").contains(" 20 ")
                .matches(".* 0\\.\\d{4} ± 0\\.\\d{4} +-$");
        assertThat(out[3]).startsWith("raw pixels").contains("all").contains(" 400 ")
                .matches(".* 0\\.\\d{4} +-$");

        CliTest.Run plain = CliTest.run(concat(new String[] {"eval", "knn"}, SHAPES));
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(plain.out()).doesNotContain("label efficiency").contains("raw pixels");
    }

    @Test
    void theKnnOptionsReachTheProbeAndAreReported() throws Exception {
        // 2 labels per class: a bank of 20; k = 1 reads the single nearest label, k = 200 votes
        // with the whole bank, so the two differ on this data
        String[] curves = {"eval", "knn", "--labels-per-class", "2", "--repeats", "2", "--json"};
        JsonNode standard = Json.MAPPER.readTree(lines(CliTest.run(concat(curves, SHAPES)).out())[0]);
        CliTest.Run nearest = CliTest.run(concat(curves, new String[] {"--knn-k", "1",
            "--knn-temperature", "0.05"}, SHAPES));
        assertThat(nearest.code()).as(nearest.err()).isZero();
        JsonNode one = Json.MAPPER.readTree(lines(nearest.out())[0]);
        assertThat(standard.get("knn_k").asInt()).isEqualTo(200);
        assertThat(standard.get("knn_temperature").asDouble()).isEqualTo(0.1);
        assertThat(one.get("knn_k").asInt()).isEqualTo(1);
        assertThat(one.get("knn_temperature").asDouble()).isEqualTo(0.05);
        assertThat(one.get("rows").get(0).get("values"))
                .isNotEqualTo(standard.get("rows").get(0).get("values"));

        CliTest.Run table = CliTest.run(concat(new String[] {"eval", "knn", "--labels-per-class",
            "2", "--repeats", "2", "--knn-k", "20"}, SHAPES));
        assertThat(lines(table.out())[0]).contains("kNN k=20, T=0.1");
        CliTest.Run plain = CliTest.run(concat(new String[] {"eval", "knn", "--knn-k", "20",
            "--json"}, SHAPES));
        assertThat(plain.code()).as(plain.err()).isZero();
        assertThat(Json.MAPPER.readTree(lines(plain.out())[0]).get("knn_k").asInt()).isEqualTo(20);
    }

    @Test
    void badLabelOptionsAreOneLineNamingTheValue() {
        String[][] cases = {
            {"--labels-per-class", "1,0"}, {"--label-fraction", "1.5"}, {"--repeats", "3"},
            {"--baselines"}, {"--labels-per-class", "5", "--repeats", "0"},
            {"--labels-per-class", "5", "--baselines"},
            {"--knn-k", "0"}, {"--labels-per-class", "5", "--knn-temperature", "-0.5"},
        };
        String[] expected = {
            "labels per class must be >= 1, found 0",
            "label fraction must be in (0, 1], found 1.5",
            "--repeats needs --labels-per-class or --label-fraction",
            "--baselines needs --labels-per-class or --label-fraction",
            "repeats must be >= 1, found 0",
            "--baselines needs --checkpoint or --random-init (without them the baseline features "
                    + "are the ones evaluated)",
            "k must be > 0, found 0",
            "temperature must be > 0, found -0.5",
        };
        for (int i = 0; i < cases.length; i++) {
            CliTest.Run run = CliTest.run(concat(new String[] {"eval", "all"}, cases[i], SHAPES));
            assertThat(run.code()).as(String.join(" ", cases[i])).isEqualTo(1);
            assertThat(lines(run.err())).containsExactly("selfsup: error: " + expected[i]);
        }
    }

    @Test
    void textCurvesOfARunAgainstTfIdfAndRandomInit() throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(20, 6, 4), dir.resolve("corpus"));
        Path labeled = TextFixtures.writeLabeled(dir.resolve("labeled"), 4, 15, 9);
        Path run = dir.resolve("run");
        String[] small = {"--vocab-size", "120", "--max-tokens", "24", "--text-width", "16",
            "--text-layers", "1", "--text-heads", "2", "--threads", "2"};
        CliTest.Run pretrain = CliTest.run(concat(new String[] {"pretrain", "--data",
            "text:" + corpus, "--epochs", "1", "--batch-size", "16", "--train-size", "32",
            "--test-size", "16", "--out", run.toString()}, small));
        assertThat(pretrain.code()).as(pretrain.err()).isZero();

        CliTest.Run eval = CliTest.run(concat(new String[] {"eval", "all", "--data",
            "labeled-text:" + labeled, "--checkpoint", run.toString(), "--labels-per-class", "1,5",
            "--repeats", "2", "--baselines", "--json"}, small));
        assertThat(eval.code()).as(eval.err()).isZero();
        JsonNode result = Json.MAPPER.readTree(lines(eval.out())[0]);
        assertThat(result.get("train_size").asInt()).isEqualTo(48);
        List<JsonNode> rows = rows(result);
        assertThat(rows).hasSize(3 * 3 * 2);
        Set<String> features = new LinkedHashSet<>();
        rows.forEach(r -> features.add(r.get("features").asText()));
        assertThat(features).hasSize(3).startsWith("mlm transformer (epoch 1, mean)",
                "random-init transformer (mean)");
        assertThat(features).last().asString().startsWith("tf-idf bag of words (");
        assertThat(rows).filteredOn(r -> r.get("size").asText().equals("5/class"))
                .allSatisfy(r -> assertThat(r.get("labels_used").asInt()).isEqualTo(20));
        // the topics are told apart by their words: TF-IDF with every label gets them all right
        assertThat(rows).filteredOn(r -> r.get("features").asText().startsWith("tf-idf")
                        && r.get("size").asText().equals("all") && r.get("probe").asText().equals("linear"))
                .singleElement().satisfies(r -> assertThat(r.get("mean").asDouble()).isEqualTo(1.0));
        assertThat(Json.MAPPER.readTree(run.resolve("label-efficiency.json").toFile())).isEqualTo(result);
        assertThat(Files.readString(run.resolve("report.html"))).contains("Label efficiency")
                .contains("tf-idf bag of words");
    }
}
