package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.SafetensorsFile;
import dev.selfsup.util.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training run killed with SIGKILL at random moments, again and again, and resumed each time:
 * every resume succeeds, {@code metrics.jsonl} ends with each epoch exactly once, and the final
 * weights equal those of a run that was never interrupted.
 */
class CrashResumeTest {
    private static final int KILLS = 20;
    private static final int EPOCHS = 40;

    private static Process start(Path data, Path out, boolean resume, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "-Dai.djl.offline=true", "-Djava.awt.headless=true",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "pretrain"));
        if (resume) {
            command.addAll(List.of("--resume", out.toString()));
        } else {
            command.addAll(List.of("--method", "simclr", "--backbone", "mlp", "--data",
                    "idx:" + data, "--epochs", Integer.toString(EPOCHS), "--batch-size", "32",
                    "--threads", "1", "--keep-checkpoints", "1", "--out", out.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return builder.start();
    }

    private static Map<String, float[]> weights(Path run) throws IOException {
        Path file = Checkpoints.resolve(run).resolve(Checkpoints.MODEL_FILE);
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, float[]> values = new java.util.TreeMap<>();
            for (Map.Entry<String, NDArray> entry
                    : SafetensorsFile.read(file, manager).tensors().entrySet()) {
                values.put(entry.getKey(), entry.getValue().toFloatArray());
            }
            return values;
        }
    }

    @Test
    void killedAtRandomAndResumedItEndsWhereAnUninterruptedRunEnds(@TempDir Path dir)
            throws Exception {
        Path data = CliTest.tinyIdx(Files.createDirectories(dir.resolve("data")));
        Path log = dir.resolve("log.txt");
        Path reference = dir.resolve("reference");
        Process whole = start(data, reference, false, log);
        assertThat(whole.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(whole.exitValue()).as(Files.readString(log)).isZero();

        Path run = dir.resolve("killed");
        SplittableRandom random = new SplittableRandom(7);
        int kills = 0;
        int finishedCode = -1;
        for (int attempt = 0; attempt < 200 && finishedCode < 0; attempt++) {
            boolean resume = Files.exists(run.resolve("config.json"));
            Process process = start(data, run, resume, log);
            if (kills < KILLS) {
                long delay = 300 + random.nextLong(2_000); // JVM start, libtorch load, training
                if (!process.waitFor(delay, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly(); // SIGKILL
                    process.waitFor(1, TimeUnit.MINUTES);
                    kills++;
                    continue;
                }
            } else {
                assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
            }
            int code = process.exitValue();
            assertThat(code).as("a resume failed:%n%s", Files.readString(log)).isZero();
            finishedCode = code;
        }
        assertThat(kills).isEqualTo(KILLS);
        assertThat(finishedCode).isZero();

        List<Integer> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode node = Json.COMPACT.readTree(line);
            epochs.add(node.get("epoch").asInt());
        }
        List<Integer> expected = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
            expected.add(e);
        }
        assertThat(epochs).containsExactlyElementsOf(expected);
        Map<String, float[]> want = weights(reference);
        Map<String, float[]> got = weights(run);
        assertThat(got.keySet()).isEqualTo(want.keySet());
        for (String name : want.keySet()) {
            assertThat(got.get(name)).as(name).containsExactly(want.get(name));
        }
        try (var entries = Files.list(Checkpoints.folder(run))) {
            assertThat(entries.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactly(String.format("epoch-%04d", EPOCHS));
        }
        assertThat(new File(log.toString())).exists();
    }
}
