package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.testing.ParquetRow;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The text paths of pretrain, eval and embed, end to end on generated text. */
class TextCliTest {
    @TempDir
    Path dir;

    private static String lastLine(String text) {
        String[] lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toArray(String[]::new);
        return lines[lines.length - 1];
    }

    @Test
    void pretrainEvalAndEmbedText() throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(30, 8, 4), dir.resolve("corpus"));
        Path labeled = TextFixtures.writeLabeled(dir.resolve("labeled"), 4, 15, 9);
        Path run = dir.resolve("run");
        String[] small = {"--vocab-size", "150", "--max-tokens", "32", "--text-width", "32",
            "--text-layers", "1", "--text-heads", "2", "--threads", "2"};

        CliTest.Run pretrain = CliTest.run(concat(new String[] {"pretrain", "--data", "text:" + corpus,
            "--method", "mlm+nsp", "--epochs", "2", "--batch-size", "16", "--train-size", "64",
            "--test-size", "32", "--out", run.toString()}, small));
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        assertThat(pretrain.out()).contains("30 documents, 240 sentences").contains("epoch 2: loss")
                .contains("masked accuracy").contains("NSP accuracy");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(2);

        CliTest.Run trained = CliTest.run("eval", "all", "--data", "labeled-text:" + labeled,
                "--checkpoint", run.toString(), "--json");
        assertThat(trained.code()).as(trained.err()).isZero();
        JsonNode figures = Json.MAPPER.readTree(lastLine(trained.out()));
        assertThat(figures.get("train_size").asInt()).isEqualTo(48);
        assertThat(figures.get("test_size").asInt()).isEqualTo(12);
        assertThat(figures.get("knn_top1").asDouble()).isBetween(0.0, 1.0);
        assertThat(figures.get("linear_top1").asDouble()).isBetween(0.0, 1.0);

        // the topics are told apart by their words: TF-IDF gets them all right
        CliTest.Run tfIdf = CliTest.run("eval", "linear", "--data", "labeled-text:" + labeled, "--json");
        assertThat(tfIdf.code()).as(tfIdf.err()).isZero();
        JsonNode baseline = Json.MAPPER.readTree(lastLine(tfIdf.out()));
        assertThat(baseline.get("features").asText()).startsWith("tf-idf");
        assertThat(baseline.get("linear_top1").asDouble()).isEqualTo(1.0);
        assertThat(baseline.get("knn_top1").isNull()).isTrue();

        CliTest.Run random = CliTest.run(concat(new String[] {"eval", "knn", "--data",
            "labeled-text:" + labeled, "--random-init", "transformer", "--train-size", "20"}, small));
        assertThat(random.code()).as(random.err()).isZero();
        assertThat(random.out()).contains("20 train / 12 test texts").contains("random-init transformer");

        Path npy = dir.resolve("sentences.npy");
        CliTest.Run embed = CliTest.run("embed", "--data", "text:" + corpus, "--checkpoint",
                run.toString(), "--out", npy.toString(), "--pooling", "cls");
        assertThat(embed.code()).as(embed.err()).isZero();
        assertThat(embed.out()).contains("wrote 240 x 32 embeddings");
        assertThat(Files.size(npy)).isEqualTo(128 + 240 * 32 * 4);
        CliTest.Run embedLabeled = CliTest.run("embed", "--data", "labeled-text:" + labeled,
                "--checkpoint", run.toString(), "--out", dir.resolve("l.csv").toString(), "--split", "train");
        assertThat(embedLabeled.code()).as(embedLabeled.err()).isZero();
        // a header, then one row per training text
        assertThat(Files.readAllLines(dir.resolve("l.csv"))).hasSize(49).first().asString()
                .startsWith("label,e0,");
        // Parquet carries each text beside its id, label and embedding
        Path parquet = dir.resolve("l.parquet");
        CliTest.Run embedParquet = CliTest.run("embed", "--data", "labeled-text:" + labeled,
                "--checkpoint", run.toString(), "--out", parquet.toString(), "--split", "train");
        assertThat(embedParquet.code()).as(embedParquet.err()).isZero();
        List<ParquetRow> rows = ParquetRow.read(parquet);
        assertThat(rows).hasSize(48);
        assertThat(rows.get(0).id()).isEqualTo("train/0");
        assertThat(rows).allSatisfy(row -> {
            assertThat(row.text()).isNotBlank();
            assertThat(row.label()).isNotNull();
            assertThat(row.embedding()).hasSize(32);
        });
    }

    @Test
    void resumeContinuesATextRunFromItsConfig() throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(12, 6, 8), dir.resolve("corpus"));
        Path run = dir.resolve("run");
        CliTest.Run pretrain = CliTest.run("pretrain", "--data", "text:" + corpus, "--epochs", "2",
                "--batch-size", "16", "--train-size", "32", "--test-size", "16", "--vocab-size",
                "100", "--max-tokens", "24", "--text-width", "16", "--text-layers", "1",
                "--text-heads", "2", "--threads", "1", "--out", run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        Path last = run.resolve("checkpoints/epoch-0002");
        byte[] weights = Files.readAllBytes(last.resolve("model.safetensors"));

        // interrupted before the last checkpoint: --resume redoes epoch 2 with the run's settings
        dev.selfsup.util.AtomicFiles.deleteTree(last);
        CliTest.Run resume = CliTest.run("pretrain", "--resume", run.toString());
        assertThat(resume.code()).as(resume.err()).isZero();
        assertThat(resume.out()).contains("mlm on text:" + corpus).contains("epoch 2: loss")
                .doesNotContain("epoch 1:");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(Files.readAllBytes(last.resolve("model.safetensors"))).isEqualTo(weights);

        CliTest.Run again = CliTest.run("pretrain", "--data", "text:" + corpus, "--out", run.toString());
        assertThat(again.err()).contains("already holds a run").contains("--resume " + run);
        CliTest.Run missing = CliTest.run("pretrain", "--resume", dir.resolve("none").toString());
        assertThat(missing.code()).isNotZero();
        assertThat(missing.err()).contains("config.json");
    }

    @Test
    void resumeTrainsATextRunOnToMoreEpochsKeepingItsWarmUpAndRefusesOtherChanges()
            throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(12, 6, 8), dir.resolve("corpus"));
        Path run = dir.resolve("run");
        // 3 steps, all warm-up
        CliTest.Run pretrain = CliTest.run("pretrain", "--data", "text:" + corpus, "--epochs", "1",
                "--steps-per-epoch", "3", "--warmup-epochs", "1", "--batch-size", "16",
                "--test-size", "16", "--vocab-size", "100", "--max-tokens", "24", "--text-width",
                "16", "--text-layers", "1", "--text-heads", "2", "--threads", "1", "--out",
                run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();

        String prefix = "selfsup: error: ";
        CliTest.Run method = CliTest.run("pretrain", "--resume", run.toString(), "--method", "nsp");
        assertThat(method.code()).isEqualTo(1);
        assertThat(method.err().strip()).isEqualTo(prefix + "--method cannot change on resume: "
                + "the run in " + run + " trains mlm");
        CliTest.Run vocabulary = CliTest.run("pretrain", "--resume", run.toString(), "--epochs",
                "2", "--vocab-size", "50");
        assertThat(vocabulary.err().strip()).isEqualTo(prefix + "--vocab-size cannot change on "
                + "resume: the run in " + run + " has --vocab-size 100");
        CliTest.Run evalEvery = CliTest.run("pretrain", "--resume", run.toString(),
                "--eval-every", "2");
        assertThat(evalEvery.err().strip()).isEqualTo(prefix + "--eval-every does not apply on "
                + "resume: the run in " + run + " has no such setting");

        CliTest.Run extended = CliTest.run("pretrain", "--resume", run.toString(), "--epochs", "2",
                "--data", "text:" + corpus);
        assertThat(extended.code()).as(extended.err()).isZero();
        assertThat(extended.out()).contains("2 epochs").contains("epoch 2: loss")
                .doesNotContain("epoch 1:");
        JsonNode document = Json.MAPPER.readTree(run.resolve("config.json").toFile());
        assertThat(document.at("/config/epochs").asInt()).isEqualTo(2);
        // the warm-up stays 3 steps: half of the 6
        assertThat(document.at("/config/warmup_fraction").asDouble()).isEqualTo(0.5);
        JsonNode extension = document.get(dev.selfsup.train.Resumption.EXTENDED).get(0);
        assertThat(extension.get("from_epochs").asInt()).isEqualTo(1);
        assertThat(extension.get("to_epochs").asInt()).isEqualTo(2);
        assertThat(extension.get("at_step").asInt()).isEqualTo(3);
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(2);
        // step 6 of 6, past the 3-step warm-up: cosine at 2/3 of the decay
        double lastRate = Json.MAPPER.readTree(metrics.get(1)).get("lr").asDouble();
        assertThat(lastRate).isEqualTo(new dev.selfsup.train.CosineSchedule(
                document.at("/config/learning_rate").asDouble(), 3, 6).learningRate(5));

        CliTest.Run complete = CliTest.run("pretrain", "--resume", run.toString());
        assertThat(complete.code()).isZero();
        assertThat(complete.out()).contains(run + " is already complete: 2 of 2 epochs trained");
    }

    @Test
    void stepsPerEpochArePickedAndPrintedUnlessGiven() throws Exception {
        Path corpus = TextFixtures.write(TextFixtures.corpus(12, 6, 8), dir.resolve("corpus"));
        String[] small = {"--batch-size", "16", "--test-size", "16", "--vocab-size", "100",
            "--max-tokens", "24", "--text-width", "16", "--text-layers", "1", "--text-heads", "2",
            "--threads", "1"};

        // left out: picked from the corpus, printed with its reason, written to config.json
        Path picked = dir.resolve("picked");
        CliTest.Run defaults = CliTest.run(concat(new String[] {"pretrain", "--data",
            "text:" + corpus, "--epochs", "1", "--out", picked.toString()}, small));
        assertThat(defaults.code()).as(defaults.err()).isZero();
        assertThat(defaults.out()).contains("defaults for text: steps-per-epoch 400 (one pass "
                + "over the ").contains("steps of 16, too few to learn; an epoch is at least 400 "
                + "steps, so it repeats them");
        JsonNode config = Json.MAPPER.readTree(picked.resolve("config.json").toFile()).get("config");
        assertThat(config.get("steps_per_epoch").asInt()).isEqualTo(400);
        assertThat(config.get("examples_per_epoch").isNull()).isTrue();
        assertThat(Files.readString(picked.resolve("metrics.jsonl"))).contains("\"step\":400,");
        // and the warm-up, a third of the 400 steps (a tenth, 40, is too short)
        assertThat(defaults.out()).contains("defaults for text: warmup-epochs 0.33 (133 steps, a "
                + "third of the run's 400: a shorter warm-up leaves the Transformer at the "
                + "unigram plateau)");
        assertThat(config.get("warmup_fraction").asDouble()).isEqualTo(133 / 400.0);

        // given: used as they are, nothing picked
        Path given = dir.resolve("given");
        CliTest.Run steps = CliTest.run(concat(new String[] {"pretrain", "--data", "text:" + corpus,
            "--epochs", "2", "--steps-per-epoch", "3", "--warmup-epochs", "1", "--out",
            given.toString()}, small));
        assertThat(steps.code()).as(steps.err()).isZero();
        assertThat(steps.out()).doesNotContain("defaults for text").contains("epoch 2: loss");
        JsonNode givenConfig = Json.MAPPER.readTree(given.resolve("config.json").toFile())
                .get("config");
        assertThat(givenConfig.get("steps_per_epoch").asInt()).isEqualTo(3);
        assertThat(givenConfig.get("warmup_fraction").asDouble()).isEqualTo(0.5);
        assertThat(Files.readAllLines(given.resolve("metrics.jsonl"))).hasSize(2).last()
                .asString().contains("\"step\":6,");

        CliTest.Run both = CliTest.run(concat(new String[] {"pretrain", "--data", "text:" + corpus,
            "--steps-per-epoch", "3", "--train-size", "32", "--out", dir.resolve("b").toString()},
                small));
        assertThat(both.code()).isNotZero();
        assertThat(both.err()).contains("give --steps-per-epoch or --train-size (examples per "
                + "epoch, never repeated), not both; found 3 and 32");
        CliTest.Run zero = CliTest.run(concat(new String[] {"pretrain", "--data", "text:" + corpus,
            "--steps-per-epoch", "0", "--out", dir.resolve("z").toString()}, small));
        assertThat(zero.err()).contains("steps per epoch must be > 0, found 0");
        assertThat(CliTest.run("pretrain", "--help").out()).contains("--steps-per-epoch");
    }

    @Test
    void textErrorsAreOneLineNamingFileAndLine() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        Files.write(bad.resolve("x.txt"), new byte[] {'o', 'k', '\n', (byte) 0xff, '\n'});
        CliTest.Run run = CliTest.run("pretrain", "--data", "text:" + bad, "--out",
                dir.resolve("r").toString());
        assertThat(run.code()).isNotZero();
        assertThat(run.err().strip()).isEqualTo("selfsup: error: " + bad.resolve("x.txt")
                + ": line 2: invalid UTF-8 byte 0xff at byte 1 of the line (the file must be UTF-8; "
                + "re-encode it, e.g. iconv -f latin1 -t utf-8)");

        Path corpus = TextFixtures.write(TextFixtures.corpus(3, 2, 1), dir.resolve("c"));
        CliTest.Run method = CliTest.run("pretrain", "--data", "text:" + corpus, "--method", "simclr");
        assertThat(method.err()).contains("--method for text must be one of [mlm, nsp, mlm+nsp, "
                + "text-autoencoder, text-contrastive], found 'simclr'");
        CliTest.Run heads = CliTest.run("pretrain", "--data", "text:" + corpus, "--text-width", "30",
                "--out", dir.resolve("h").toString());
        assertThat(heads.err()).contains("width must be a positive multiple of heads, found width 30 "
                + "and heads 4");
        CliTest.Run optimizer = CliTest.run("pretrain", "--data", "text:" + corpus, "--optimizer",
                "adam", "--out", dir.resolve("o").toString());
        assertThat(optimizer.err()).contains("text methods train with adamw").contains("found "
                + "--optimizer adam");
        assertThat(dir.resolve("o")).doesNotExist();
        CliTest.Run pooling = CliTest.run("eval", "knn", "--data", "labeled-text:" + dir,
                "--random-init", "transformer", "--pooling", "max");
        assertThat(pooling.code()).isNotZero();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
