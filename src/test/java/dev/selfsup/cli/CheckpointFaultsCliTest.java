package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Provenance;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged checkpoints and run files, as a disk, a copy or a person leaves them: {@code eval},
 * {@code embed} and {@code --resume} refuse each with one line naming the file and what is wrong,
 * never a crash, never training on garbage; leftovers of an interrupted save are skipped.
 */
class CheckpointFaultsCliTest {
    @TempDir
    static Path shared;
    static Path data;
    static Path run;

    @BeforeAll
    static void trainOnce() throws IOException {
        data = CliTest.tinyIdx(Files.createDirectories(shared.resolve("data")));
        run = shared.resolve("run");
        CliTest.Run trained = CliTest.run("pretrain", "--method", "simclr", "--backbone", "mlp",
                "--data", "idx:" + data, "--epochs", "1", "--out", run.toString());
        assertThat(trained.code()).as(trained.err()).isZero();
    }

    /** A copy of the trained run, with one file changed. */
    private static Path damaged(Path dir, String name, String file, UnaryOperator<byte[]> change)
            throws IOException {
        Path copy = dir.resolve(name);
        try (Stream<Path> paths = Files.walk(run)) {
            for (Path source : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path target = copy.resolve(run.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        if (file != null) {
            Path target = copy.resolve(file);
            Files.write(target, change.apply(Files.readAllBytes(target)));
        }
        return copy;
    }

    private static final String MODEL = "checkpoints/epoch-0001/" + Checkpoints.MODEL_FILE;
    private static final String STATE = "checkpoints/epoch-0001/" + Checkpoints.STATE_FILE;

    private static long headerLength(byte[] bytes) {
        return ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Replaces text inside the safetensors header, keeping its length. */
    private static UnaryOperator<byte[]> inHeader(String from, String to) {
        return bytes -> {
            int length = (int) headerLength(bytes);
            String header = new String(bytes, 8, length, StandardCharsets.UTF_8);
            assertThat(header).contains(from);
            byte[] changed = header.replaceFirst(java.util.regex.Pattern.quote(from), to)
                    .getBytes(StandardCharsets.UTF_8);
            assertThat(changed).hasSize(length);
            byte[] out = bytes.clone();
            System.arraycopy(changed, 0, out, 8, length);
            return out;
        };
    }

    private static void refused(Path checkpoint, String... expected) {
        for (String[] command : List.of(
                new String[] {"eval", "knn", "--data", "idx:" + data, "--checkpoint",
                    checkpoint.toString()},
                new String[] {"embed", "--data", "idx:" + data, "--checkpoint",
                    checkpoint.toString(), "--out", checkpoint.resolve("emb.npy").toString()})) {
            CliTest.Run result = CliTest.run(command);
            String what = String.join(" ", command);
            assertThat(result.code()).as(what + "\n" + result.err()).isEqualTo(1);
            List<String> lines = result.err().lines().toList();
            assertThat(lines).as(what).hasSize(1);
            assertThat(lines.get(0)).as(what).startsWith("selfsup: error: ");
            for (String part : expected) {
                assertThat(lines.get(0)).as(what).contains(part);
            }
            assertThat(checkpoint.resolve("emb.npy")).doesNotExist();
        }
    }

    @Test
    void damagedWeightsAreRefusedByEvalAndEmbed(@TempDir Path dir) throws IOException {
        refused(damaged(dir, "truncated", MODEL, b -> Arrays.copyOf(b, b.length / 2)),
                Checkpoints.MODEL_FILE, "lie outside");
        refused(damaged(dir, "absurd", MODEL, b -> {
            byte[] out = b.clone();
            ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 62);
            return out;
        }), Checkpoints.MODEL_FILE, "header length 4611686018427387904");
        refused(damaged(dir, "garbled", MODEL, inHeader("\"dtype\"", "{dtype\"")),
                Checkpoints.MODEL_FILE, "not valid JSON");
        refused(damaged(dir, "offsets", MODEL, b -> {
            // the first tensor's end offset pushed past the data: change its last digit to 9s
            int length = (int) headerLength(b);
            String header = new String(b, 8, length, StandardCharsets.UTF_8);
            int at = header.indexOf("\"data_offsets\":[");
            int close = header.indexOf(']', at);
            int comma = header.lastIndexOf(',', close);
            String digits = "9".repeat(close - comma - 1);
            return inHeader(header.substring(at, close + 1),
                    header.substring(at, comma + 1) + digits + "]").apply(b);
        }), Checkpoints.MODEL_FILE);
        refused(damaged(dir, "dtype", MODEL, inHeader("\"F32\"", "\"F16\"")),
                Checkpoints.MODEL_FILE, "needs");
        refused(damaged(dir, "missing", MODEL, inHeader("\"01backbone_", "\"01backbonX_")),
                Checkpoints.MODEL_FILE, "has no parameter 01backbone_");
        refused(damaged(dir, "nan", MODEL, b -> {
            byte[] out = b.clone();
            int start = 8 + (int) headerLength(b);
            for (int i = start; i + 4 <= out.length; i += 4) {
                ByteBuffer.wrap(out, i, 4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NaN);
            }
            return out;
        }), Checkpoints.MODEL_FILE, "NaN");
    }

    @Test
    void damagedStateIsRefusedAndLeftoversAreSkipped(@TempDir Path dir) throws IOException {
        refused(damaged(dir, "state", STATE, b -> "{\"epoch\": 1, ".getBytes()),
                Checkpoints.STATE_FILE, "not a valid checkpoint state");
        refused(damaged(dir, "method", STATE, b -> new String(b, StandardCharsets.UTF_8)
                .replace("\"simclr\"", "\"no-such-method\"").getBytes(StandardCharsets.UTF_8)),
                "no-such-method");
        Path empty = damaged(dir, "empty", null, null);
        try (Stream<Path> paths = Files.walk(empty.resolve("checkpoints"))) {
            paths.sorted(Comparator.reverseOrder()).filter(p -> !p.endsWith("checkpoints"))
                    .forEach(p -> p.toFile().delete());
        }
        refused(empty, "no complete checkpoint");

        Path leftover = damaged(dir, "leftover", null, null);
        Path temporary = Files.createDirectories(leftover.resolve("checkpoints/.epoch-2-123"));
        Files.write(temporary.resolve(Checkpoints.MODEL_FILE), new byte[] {1, 2, 3});
        Files.createDirectories(leftover.resolve("checkpoints/epoch-0002")); // no state.json
        CliTest.Run result = CliTest.run("eval", "knn", "--data", "idx:" + data,
                "--checkpoint", leftover.toString());
        assertThat(result.code()).as(result.err()).isZero();
    }

    @Test
    void resumeRefusesAMissingOrGarbledConfig(@TempDir Path dir) throws IOException {
        Path garbled = damaged(dir, "garbled", Provenance.CONFIG_FILE, b -> "{\"config\": [".getBytes());
        CliTest.Run result = CliTest.run("pretrain", "--resume", garbled.toString());
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().lines().toList()).singleElement().asString()
                .contains(Provenance.CONFIG_FILE).contains("not valid JSON");

        Path missing = damaged(dir, "missing", null, null);
        Files.delete(missing.resolve(Provenance.CONFIG_FILE));
        result = CliTest.run("pretrain", "--resume", missing.toString());
        assertThat(result.code()).isEqualTo(1);
        assertThat(result.err().lines().toList()).singleElement().asString()
                .contains(Provenance.CONFIG_FILE).contains("no run to resume");
        assertThat(missing.resolve("checkpoints/epoch-0002")).doesNotExist();
    }
}
