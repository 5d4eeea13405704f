package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.util.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken image folders and text corpora, through the command line: each stops {@code pretrain}
 * and {@code eval} with exit code 1 and one line naming the file (and the line, for text),
 * without a stack trace unless {@code --verbose}, before anything is written.
 */
class DataFaultsCliTest {
    @TempDir
    Path dir;

    /**
     * Runs {@code args} plus {@code --out <dir>/run} for pretrain, and checks the refusal: exit
     * code 1, one line {@code selfsup: error: <start>...}, no usage, no stack trace, no run.
     *
     * @return the error line
     */
    private String refused(String start, String... args) {
        List<String> command = new ArrayList<>(Arrays.asList(args));
        Path out = dir.resolve("run");
        if (command.get(0).equals("pretrain")) {
            command.addAll(List.of("--out", out.toString()));
        }
        CliTest.Run run = CliTest.run(command.toArray(String[]::new));
        String what = String.join(" ", command);
        assertThat(run.code()).as(what + "\n" + run.err()).isEqualTo(1);
        List<String> lines = run.err().lines().toList();
        assertThat(lines).as(what).hasSize(1);
        assertThat(lines.get(0)).as(what).startsWith("selfsup: error: " + start);
        assertThat(run.err()).as(what).doesNotContain("\tat ").doesNotContain("Usage:");
        assertThat(out).as(what + ": nothing written").doesNotExist();
        return lines.get(0);
    }

    /** Refused by both pretrain and eval knn, with the same line. */
    private String refusedByPretrainAndEval(String data, String start) {
        String pretrain = refused(start, "pretrain", "--method", "tutorial", "--data", data,
                "--epochs", "1", "--image-size", "8");
        String eval = refused(start, "eval", "knn", "--data", data, "--image-size", "8");
        assertThat(eval).isEqualTo(pretrain);
        return eval;
    }

    private static Path png(Path file, int rgb) throws IOException {
        Files.createDirectories(file.getParent());
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                image.setRGB(x, y, rgb + 0x010101 * (x + y));
            }
        }
        assertThat(ImageIO.write(image, "png", file.toFile())).isTrue();
        return file;
    }

    /** Two classes of four good images each under {@code folder}. */
    private static Path goodFolder(Path folder) throws IOException {
        for (int i = 0; i < 4; i++) {
            png(folder.resolve("cat/" + i + ".png"), 0x102030 * (i + 1));
            png(folder.resolve("dog/" + i + ".png"), 0x302010 * (i + 1));
        }
        return folder;
    }

    @Test
    void aTruncatedPngOrJpegOrATextFileNamedPngIsOneLineNamingIt() throws IOException {
        Path pngs = goodFolder(dir.resolve("pngs"));
        byte[] whole = Files.readAllBytes(pngs.resolve("cat/0.png"));
        Path cutPng = Files.write(pngs.resolve("cat/cut.png"), Arrays.copyOf(whole, whole.length / 2));
        assertThat(refusedByPretrainAndEval("folder:" + pngs, cutPng.toString()))
                .contains("cannot decode image");

        Path jpegs = goodFolder(dir.resolve("jpegs"));
        BufferedImage noise = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
        SplittableRandom random = new SplittableRandom(1);
        for (int y = 0; y < 96; y++) {
            for (int x = 0; x < 96; x++) {
                noise.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        Path jpeg = jpegs.resolve("dog/photo.jpg");
        assertThat(ImageIO.write(noise, "jpeg", jpeg.toFile())).isTrue();
        byte[] jpegBytes = Files.readAllBytes(jpeg);
        Files.write(jpeg, Arrays.copyOf(jpegBytes, jpegBytes.length * 2 / 3));
        assertThat(refusedByPretrainAndEval("folder:" + jpegs, jpeg.toString()))
                .contains("truncated");

        Path texts = goodFolder(dir.resolve("texts"));
        Path notes = Files.writeString(texts.resolve("dog/notes.png"), "shopping list: milk\n");
        assertThat(refusedByPretrainAndEval("folder:" + texts, notes.toString()))
                .contains("no PNG or JPEG decoder recognises its content");
    }

    @Test
    void anEmptyFolderIsOneLineNamingIt() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Files.writeString(empty.resolve("README.md"), "images go here");
        assertThat(refusedByPretrainAndEval("folder:" + empty, empty.toString()))
                .contains("holds no .png, .jpg or .jpeg images");
    }

    @Test
    void oneClassPretrainsWithoutKnnMonitorButIsNotEvaluated() throws IOException {
        Path folder = dir.resolve("one");
        for (int i = 0; i < 10; i++) {
            png(folder.resolve("cat/" + i + ".png"), 0x0a0b0c * (i + 1));
        }
        Path absolute = folder.toAbsolutePath();
        String line = refused("evaluation needs at least 2 classes, but folder:" + absolute
                + " has 1 (cat)", "eval", "knn", "--data", "folder:" + folder, "--image-size", "8");
        assertThat(line).contains("scores 100% whatever the features");
        refused("evaluation needs at least 2 classes", "eval", "linear", "--data",
                "folder:" + folder, "--image-size", "8", "--labels-per-class", "2");

        Path run = dir.resolve("pretrained");
        CliTest.Run pretrain = CliTest.run("pretrain", "--method", "tutorial", "--data",
                "folder:" + folder, "--image-size", "8", "--epochs", "1", "--batch-size", "4",
                "--threads", "1", "--out", run.toString());
        assertThat(pretrain.code()).as(pretrain.err()).isZero();
        assertThat(pretrain.out()).contains("warning: folder:" + absolute + " has one class (cat)")
                .contains("no kNN monitor");
        List<String> metrics = Files.readAllLines(run.resolve("metrics.jsonl"));
        assertThat(metrics).hasSize(1);
        JsonNode epoch = Json.MAPPER.readTree(metrics.get(0));
        assertThat(epoch.path("knn_top1").isMissingNode() || epoch.path("knn_top1").isNull())
                .as(metrics.get(0)).isTrue();
    }

    @Test
    void badTextIsOneLineNamingFileAndLine() throws IOException {
        // invalid UTF-8 in the middle of a labelled text
        Path labeled = TextFixtures.writeLabeled(dir.resolve("labeled"), 2, 4, 1);
        Path latin1 = firstTxt(labeled).resolveSibling("latin1.txt");
        Files.write(latin1, "caf\u00e9 first\nna\u00efve second\nthird\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(refused(latin1 + ": line 1: invalid UTF-8 byte 0xe9 at byte 4", "eval", "knn",
                "--data", "labeled-text:" + labeled)).contains("iconv");

        // a binary file named .txt in a corpus
        Path corpus = TextFixtures.write(TextFixtures.corpus(4, 3, 2), dir.resolve("corpus"));
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) (i * 37);
        }
        Path program = Files.write(corpus.resolve("program.txt"), binary);
        assertThat(refused(program + ": line 1: a NUL byte at byte 1", "pretrain", "--data",
                "text:" + corpus)).contains("binary");
        Files.delete(program);

        // a file of only whitespace: an empty corpus; an empty text of a class
        Path blank = Files.writeString(dir.resolve("blank.txt"), "  \n\t\n \r\n");
        assertThat(refused(blank + ": the corpus is empty", "pretrain", "--data", "text:" + blank))
                .contains("no non-blank line in 1 file(s)");
        Path blankClass = TextFixtures.writeLabeled(dir.resolve("blank-class"), 2, 3, 1);
        Path firstClass = firstTxt(blankClass).getParent();
        try (var files = Files.list(firstClass)) {
            for (Path file : files.toList()) {
                Files.writeString(file, " \n\n   ");
            }
        }
        refused(firstClass + ": class folder holds no non-empty .txt file", "eval", "knn",
                "--data", "labeled-text:" + blankClass);

        // an over-long line, against --max-line-length
        Path lines = Files.createDirectories(dir.resolve("lines"));
        Files.writeString(lines.resolve("a.txt"), "Short lines only. Nothing long here.\n");
        Path longLine = Files.writeString(lines.resolve("long.txt"),
                "A short line.\n" + "word ".repeat(30) + "\n");
        assertThat(refused(longLine + ": line 2 is longer than the maximum of 100 characters, "
                + "found 150", "pretrain", "--data", "text:" + lines, "--max-line-length", "100"))
                .contains("--max-line-length");

        // labelled text with one class
        Path oneClass = Files.createDirectories(dir.resolve("one-class/news"));
        Files.writeString(oneClass.resolve("a.txt"), "The only class there is.\n");
        refused(dir.resolve("one-class") + ": needs at least 2 class folders, found 1", "eval",
                "knn", "--data", "labeled-text:" + dir.resolve("one-class"));
    }

    @Test
    void verboseAddsTheStackTraceAndKeepsTheLine() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliTest.Run quiet = CliTest.run("eval", "knn", "--data", "folder:" + empty);
        CliTest.Run verbose = CliTest.run("eval", "knn", "--data", "folder:" + empty, "--verbose");
        assertThat(quiet.err()).doesNotContain("\tat ");
        assertThat(verbose.code()).isEqualTo(1);
        assertThat(verbose.err()).contains("\tat dev.selfsup.data.ImageFolderReader");
        List<String> lines = verbose.err().lines().toList();
        assertThat(lines.get(lines.size() - 1)).isEqualTo(quiet.err().strip());
    }

    private static Path firstTxt(Path root) throws IOException {
        try (var files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".txt")).sorted().findFirst()
                    .orElseThrow();
        }
    }
}
