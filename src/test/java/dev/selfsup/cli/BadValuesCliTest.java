package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad option values end the command at once with a non-zero code and a short message that names
 * the value: no usage dump, no stack trace, nothing written.
 */
class BadValuesCliTest {
    private static void refused(Path out, String expected, String... options) {
        List<String> args = new ArrayList<>(List.of("pretrain", "--method", "simclr",
                "--train-size", "64", "--test-size", "32"));
        args.addAll(Arrays.asList(options));
        if (!args.contains("--data")) {
            args.addAll(List.of("--data", "shapes"));
        }
        if (!args.contains("--epochs")) {
            args.addAll(List.of("--epochs", "1"));
        }
        if (!args.contains("--out")) {
            args.addAll(List.of("--out", out.toString()));
        }
        CliTest.Run run = CliTest.run(args.toArray(String[]::new));
        String what = String.join(" ", options);
        assertThat(run.code()).as(what).isNotZero();
        List<String> lines = run.err().lines().toList();
        assertThat(lines).as(what).hasSizeBetween(1, 3);
        assertThat(lines.get(0)).as(what).startsWith("selfsup: error: ").contains(expected);
        assertThat(run.err()).as(what).doesNotContain("Usage:").doesNotContain("\tat ");
        assertThat(run.out()).as(what).doesNotContain("epoch 1");
    }

    @Test
    void eachBadValueIsOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("run");
        refused(out, "epochs must be > 0, found 0", "--epochs", "0");
        refused(out, "batch size must be >= 2, found 1", "--batch-size", "1");
        refused(out, "learning rate must be > 0, found -1.0", "--lr", "-1");
        refused(out, "learning rate must be > 0, found NaN", "--lr", "NaN");
        refused(out, "'nan' is not a double", "--lr", "nan");
        refused(out, "found 'bogus:x'", "--data", "bogus:x");
        refused(out, dir.resolve("missing") + ": not a directory",
                "--data", "idx:" + dir.resolve("missing"));
        refused(out, "Unknown options: '--epoch'", "--epoch", "3");
        refused(out, "precision must be one of [fp32, bf16], found 'fp16'", "--precision", "fp16");
        for (String[] other : new String[][] {
                {"mlm", "text:" + dir, "--precision bf16 applies to image methods"}}) {
            CliTest.Run run = CliTest.run("pretrain", "--method", other[0], "--data", other[1],
                    "--precision", "bf16", "--epochs", "1", "--out", out.toString());
            assertThat(run.code()).as(other[0]).isNotZero();
            assertThat(run.err()).as(other[0]).startsWith("selfsup: error: ").contains(other[2]);
        }
        if (!dev.selfsup.nn.Bf16Autocast.available()) {
            refused(out, "precision bf16 cannot run here", "--precision", "bf16");
        }
        assertThat(out).doesNotExist();

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        refused(out, "--out " + file + ": " + file + " is a file", "--out", file.toString());
        refused(out, file + " is a file", "--out", file.resolve("under").toString());
        assertThat(Files.readString(file)).isEqualTo("x");
    }
}
