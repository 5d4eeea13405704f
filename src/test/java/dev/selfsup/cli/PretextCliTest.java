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
                "--mask-ratio", "0.5", "--out", out.toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(out.resolve("pictures/inpainting-epoch-0001.png")).isRegularFile();
        assertThat(Files.readString(out.resolve("config.json"))).contains("\"crop-flip\"")
                .containsPattern("\"mask_ratio\"\\s*:\\s*0.5");

        CliTest.Run notMasking = CliTest.run("pretrain", "--method", "rotation", "--data",
                "idx:" + data, "--mask-ratio", "0.5", "--out", dir.resolve("rot").toString());
        assertThat(notMasking.code()).isEqualTo(1);
        assertThat(notMasking.err()).contains("--mask-ratio applies to inpainting, masked-image, "
                + "denoising-autoencoder, mae, ibot, not to rotation");
        CliTest.Run outOfRange = CliTest.run("pretrain", "--method", "masked-image", "--data",
                "idx:" + data, "--mask-ratio", "1.5", "--out", dir.resolve("mim").toString());
        assertThat(outOfRange.code()).isEqualTo(1);
        assertThat(outOfRange.err()).contains("mask ratio must be in (0, 1), found 1.5");

        CliTest.Run gray = CliTest.run("pretrain", "--method", "colorization", "--data",
                "idx:" + data, "--out", dir.resolve("gray").toString());
        assertThat(gray.code()).isEqualTo(1);
        assertThat(gray.err().strip()).startsWith("selfsup: error: colorization needs colour")
                .contains("1 channel (gray)").doesNotContain("\n");
        assertThat(dir.resolve("gray")).doesNotExist();
    }

    @Test
    void maeAndDinoRunFromTheCliOnAVit(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path mae = dir.resolve("mae");
        CliTest.Run run = CliTest.run("pretrain", "--method", "mae", "--data", "idx:" + data,
                "--epochs", "1", "--batch-size", "64", "--threads", "2",
                "--out", mae.toString());
        assertThat(run.code()).as(run.err()).isZero();
        // small images: half the patches hidden, picked for the data and said so
        assertThat(run.out()).contains("backbone vit-mini").contains("lr 5.0E-4")
                .contains("mask-ratio 0.5 (a grid of 4x4 patches");
        assertThat(mae.resolve("pictures/mae-epoch-0001.png")).isRegularFile();
        assertThat(Files.readString(mae.resolve("config.json")))
                .containsPattern("\"backbone\"\\s*:\\s*\"vit-mini\"")
                .containsPattern("\"mask_ratio\"\\s*:\\s*0\\.5");

        Path dino = dir.resolve("dino");
        CliTest.Run vit = CliTest.run("pretrain", "--method", "dino", "--backbone", "vit-mini",
                "--data", "idx:" + data, "--epochs", "1", "--batch-size", "64", "--threads", "2",
                "--out", dino.toString());
        assertThat(vit.code()).as(vit.err()).isZero();
        assertThat(dino.resolve("pictures/dino-epoch-0001.png")).isRegularFile();
        assertThat(Files.readString(dino.resolve("metrics.jsonl"))).contains("teacher_entropy");
        CliTest.Run embed = CliTest.run("embed", "--checkpoint", dino.toString(), "--data",
                "idx:" + data, "--out", dir.resolve("emb.npy").toString());
        assertThat(embed.code()).as(embed.err()).isZero();

        CliTest.Run cnn = CliTest.run("pretrain", "--method", "mae", "--backbone", "small-resnet",
                "--data", "idx:" + data, "--out", dir.resolve("cnn").toString());
        assertThat(cnn.code()).isEqualTo(1);
        assertThat(cnn.err()).contains("mae needs a ViT backbone").contains("'small-resnet'");
        assertThat(dir.resolve("cnn")).doesNotExist();
    }

    @Test
    void ibotPrintsItsMaskPicksAndTakesAMaskKind(@TempDir Path dir) throws IOException {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        CliTest.Run picked = CliTest.run("pretrain", "--method", "ibot", "--data", "idx:" + data,
                "--print-config");
        assertThat(picked.code()).as(picked.err()).isZero();
        assertThat(picked.err()).contains("mask-kind block (iBOT's and BEiT's blockwise masking: "
                + "rectangles of 1 patch or more on the 4x4 grid)").contains("mask-ratio 0.3");
        assertThat(picked.out()).containsPattern("\"mask_kind\"\\s*:\\s*\"block\"")
                .containsPattern("\"mask_ratio\"\\s*:\\s*0\\.3");
        CliTest.Run random = CliTest.run("pretrain", "--method", "ibot", "--data", "idx:" + data,
                "--mask-kind", "random", "--mask-ratio", "0.4", "--print-config");
        assertThat(random.code()).as(random.err()).isZero();
        assertThat(random.err()).doesNotContain("mask-kind").doesNotContain("mask-ratio");
        assertThat(random.out()).containsPattern("\"mask_kind\"\\s*:\\s*\"random\"")
                .containsPattern("\"mask_ratio\"\\s*:\\s*0\\.4");

        CliTest.Run notIbot = CliTest.run("pretrain", "--method", "mae", "--data", "idx:" + data,
                "--mask-kind", "block", "--out", dir.resolve("mae").toString());
        assertThat(notIbot.code()).isEqualTo(1);
        assertThat(notIbot.err()).contains("--mask-kind applies to ibot, not to mae");
        CliTest.Run unknown = CliTest.run("pretrain", "--method", "ibot", "--data", "idx:" + data,
                "--mask-kind", "blob", "--out", dir.resolve("blob").toString());
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("mask kind must be one of [block, random], found 'blob'");
        assertThat(dir.resolve("blob")).doesNotExist();
    }
}
