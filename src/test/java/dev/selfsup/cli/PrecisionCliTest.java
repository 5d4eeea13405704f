package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --precision} of {@code eval} and {@code embed}. */
class PrecisionCliTest {

    @Test
    void evalInBf16SaysSoAndStaysCloseToFp32OrNamesTheCpu(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("idx")));
        String[] common = {"eval", "knn", "--data", "idx:" + data, "--random-init",
            "small-resnet", "--json", "--precision"};
        CliTest.Run bf16 = CliTest.run(concat(common, "bf16"));
        if (!Bf16Autocast.available()) {
            assertThat(bf16.code()).isEqualTo(1);
            assertThat(bf16.err()).contains("precision bf16 cannot run here")
                    .contains("bf16 instructions");
            return;
        }
        CliTest.Run fp32 = CliTest.run(concat(common, "fp32"));
        assertThat(bf16.code()).as(bf16.err()).isZero();
        assertThat(fp32.code()).as(fp32.err()).isZero();
        JsonNode low = lastJson(bf16.out());
        JsonNode full = lastJson(fp32.out());
        assertThat(low.get("precision").asText()).isEqualTo("bf16");
        assertThat(low.get("features").asText()).endsWith("(bf16)");
        assertThat(full.get("precision").asText()).isEqualTo("fp32");
        // 128 test images: a few may change their nearest neighbours
        assertThat(low.get("knn_top1").asDouble())
                .isCloseTo(full.get("knn_top1").asDouble(), org.assertj.core.data.Offset.offset(0.05));

        Path out = dir.resolve("e.npy");
        CliTest.Run embed = CliTest.run("embed", "--data", "idx:" + data, "--checkpoint",
                writeCheckpoint(dir, data), "--out", out.toString(), "--precision", "bf16");
        assertThat(embed.code()).as(embed.err()).isZero();
        assertThat(embed.out()).contains("(computed in bf16)");
        assertThat(Files.size(out)).isGreaterThan(128L * 4);
    }

    @Test
    void textDataAndUnknownPrecisionsAreRefused() {
        CliTest.Run text = CliTest.run("embed", "--data", "text:/nonexistent/corpus.txt",
                "--checkpoint", "/nonexistent/run", "--out", "/nonexistent/e.npy",
                "--precision", "bf16");
        assertThat(text.code()).isEqualTo(1);
        assertThat(text.err()).containsAnyOf("--precision bf16 embeds images only",
                "precision bf16 cannot run here");
        CliTest.Run unknown = CliTest.run("eval", "knn", "--data", "shapes", "--precision", "fp16");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("--precision must be one of [fp32, bf16], found 'fp16'");
    }

    /** One epoch of SimCLR on the tiny set, for a checkpoint to embed with. */
    private static String writeCheckpoint(Path dir, Path data) {
        Path run = dir.resolve("run");
        CliTest.Run pretrain = CliTest.run("pretrain", "--data", "idx:" + data, "--backbone",
                "mlp", "--epochs", "1", "--batch-size", "64", "--out", run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        return run.toString();
    }

    private static JsonNode lastJson(String out) throws IOException {
        String[] lines = out.strip().split("\n");
        return Json.COMPACT.readTree(lines[lines.length - 1]);
    }

    private static String[] concat(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }
}
