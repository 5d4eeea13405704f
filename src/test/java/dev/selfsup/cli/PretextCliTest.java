package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretextCliTest {
    @Test
    void helpListsTheTasks() {
        CliTest.Run help = CliTest.run("pretrain", "--help");
        assertThat(help.code()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("rotation, colorization")
                .contains("masked-image, autoencoder, denoising-autoencoder").contains("crop-flip");
    }

    @Test
    void inpaintingRunsFromTheCliAndColorizationRefusesGrayData(@TempDir Path dir)
            throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path out = dir.resolve("run");
        CliTest.Run run = CliTest.run("pretrain", "--method", "inpainting", "--backbone", "mlp",
                "--data", "idx:" + data, "--epochs", "1", "--batch-size", "64", "--threads", "2",
                "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(out.resolve("pictures/inpainting-epoch-0001.png")).isRegularFile();
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"crop-flip\"");

        CliTest.Run gray = CliTest.run("pretrain", "--method", "colorization", "--data",
                "idx:" + data, "--out", dir.resolve("gray").toString());
        assertThat(gray.code()).isEqualTo(1);
        assertThat(gray.err().strip()).startsWith("selfsup: error: colorization needs colour")
                .contains("1 channel (gray)").doesNotContain("\n");
        assertThat(dir.resolve("gray")).doesNotExist();
    }
}
