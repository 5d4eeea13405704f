package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short pre-training on the real State of the Union corpus and an evaluation on real
 * SpamAssassin e-mails (ham vs spam), as laid out by {@code scripts/fetch-text-data.sh}. Skipped
 * when the data is absent, except under CI (the {@code CI} environment variable is set), where its
 * absence is a failure.
 */
class TextRealDataTest {
    private static final Path ROOT = Path.of(System.getenv().getOrDefault("SELFSUP_DATA",
            System.getProperty("user.home") + "/.cache/selfsup"));

    @TempDir
    Path dir;

    @Test
    void pretrainOnSotuAndEvaluateOnSpamAssassin() throws Exception {
        Path sotu = ROOT.resolve("sotu");
        Path spam = ROOT.resolve("spam-assassin");
        if (!Files.isDirectory(sotu) || !Files.isDirectory(spam)) {
            String message = sotu + " or " + spam + " is missing: run scripts/fetch-text-data.sh";
            if (System.getenv("CI") != null) {
                fail(message);
            }
            Assumptions.abort(message);
        }
        Path run = dir.resolve("run");
        String[] small = {"--vocab-size", "1000", "--max-tokens", "64", "--text-width", "64",
            "--text-layers", "1", "--text-heads", "2", "--threads", "2"};
        CliTest.Run pretrain = CliTest.run(concat(new String[] {"pretrain", "--data", "text:" + sotu,
            "--method", "mlm", "--epochs", "1", "--batch-size", "32", "--train-size", "256",
            "--test-size", "64", "--out", run.toString()}, small));
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        // the 233 addresses, one document each
        assertThat(pretrain.out()).contains("233 documents");
        JsonNode epoch = Json.MAPPER.readTree(Files.readAllLines(run.resolve("metrics.jsonl")).get(0));
        assertThat(epoch.get("perplexity").asDouble()).isPositive().isLessThan(1000);

        String[] subset = {"--train-size", "300", "--test-size", "200", "--utf8", "replace",
            "--windows", "1", "--json"};
        CliTest.Run encoder = CliTest.run(concat(new String[] {"eval", "all", "--data",
            "labeled-text:" + spam, "--checkpoint", run.toString()}, subset));
        assertThat(encoder.code()).as(encoder.err()).isZero();
        JsonNode figures = Json.MAPPER.readTree(lastLine(encoder.out()));
        assertThat(figures.get("linear_top1").asDouble()).isBetween(0.5, 1.0);
        CliTest.Run tfIdf = CliTest.run(concat(new String[] {"eval", "linear", "--data",
            "labeled-text:" + spam}, subset));
        assertThat(tfIdf.code()).as(tfIdf.err()).isZero();
        // bag of words separates ham from spam well even on 300 e-mails
        assertThat(Json.MAPPER.readTree(lastLine(tfIdf.out())).get("linear_top1").asDouble())
                .isGreaterThan(0.85);
        // without --utf8 replace the Latin-1 e-mails are refused, naming file and line
        CliTest.Run strict = CliTest.run("eval", "linear", "--data", "labeled-text:" + spam);
        assertThat(strict.code()).isNotZero();
        assertThat(strict.err()).containsPattern("\\.txt: line \\d+: invalid UTF-8 byte 0x");
    }

    private static String lastLine(String text) {
        String[] lines = Arrays.stream(text.split("\n")).filter(l -> !l.isBlank()).toArray(String[]::new);
        return lines[lines.length - 1];
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
