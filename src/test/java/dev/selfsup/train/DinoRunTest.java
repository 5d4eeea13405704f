package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.DataSplits;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DINO runs: learning on a CNN, its diagnostics, and on a ViT its attention maps and resume. */
class DinoRunTest {
    private static final DataSplits DATA = TinyData.splits(512, 256, 3);

    private static PretrainConfig config(String backbone, int epochs) {
        return config("dino", backbone, epochs);
    }

    private static PretrainConfig config(String method, String backbone, int epochs) {
        return PretrainConfig.builder().setMethod(method).setData(DATA).optBackbone(backbone)
                .optEpochs(epochs).optBatchSize(64).optLearningRate(3e-3).optSeed(1)
                .optThreads(2).build();
    }

    @Test
    void lossFallsKnnBeatsRandomInitAndTheDiagnosticsAreLogged(@TempDir Path dir) throws Exception {
        Pretrainer.Result result = new Pretrainer(config("small-resnet", 4), DATA,
                ProgressListener.silent()).run(dir, false);
        double random = PretrainerTest.randomInitKnn("small-resnet", DATA);
        List<EpochMetrics> epochs = result.epochs();
        System.out.printf("dino: loss %s, kNN %.4f (random init %.4f), diagnostics %s%n",
                epochs.stream().map(m -> String.format("%.4f", m.loss())).toList(),
                result.last().knnTop1(), random,
                epochs.stream().map(EpochMetrics::diagnostics).toList());
        assertThat(result.last().knnTop1()).isGreaterThan(random + 0.03);
        // DINO's loss holds the teacher's entropy, which the temperature warm-up and the
        // centering raise, so the loss is no learning curve here; the diagnostics are logged
        // every epoch (the KL's path once varied between runs, 1.18 -> 0.10 in one and
        // 1.18 -> 1.53 in another: DinoLoss divided by its temperature with DJL's div(Number),
        // whose scalar a garbage collection could free before backward, see nn.Scalars; fixed,
        // and DinoLossTest checks it, but no direction is asserted over so few steps)
        assertThat(epochs).allSatisfy(m -> assertThat(m.diagnostics())
                .containsKeys("teacher_entropy", "student_teacher_kl", "teacher_temperature"));
        assertThat(epochs).allSatisfy(m -> assertThat(m.diagnostics().get("student_teacher_kl"))
                .isFinite().isGreaterThan(-1e-4));
        JsonNode last = Json.MAPPER.readTree(Files.readAllLines(dir.resolve("metrics.jsonl")).get(3));
        double entropy = last.at("/diagnostics/teacher_entropy").asDouble();
        assertThat(entropy).isPositive().isLessThan(Math.log(2048));
        assertThat(last.at("/diagnostics/student_teacher_kl").isNumber()).isTrue();
        assertThat(last.at("/diagnostics/teacher_temperature").asDouble()).isEqualTo(0.07);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"dino", "ibot"})
    void onAVitItDrawsAttentionMapsAndResumesExactly(String method, @TempDir Path dir)
            throws Exception {
        PretrainConfig config = config(method, "vit-mini", 2);
        Pretrainer.Result result = new Pretrainer(config, DATA, ProgressListener.silent())
                .run(dir.resolve("straight"), false);
        assertThat(dir.resolve("straight/pictures/" + method + "-epoch-0002.png")).isRegularFile();
        if (method.equals("ibot")) {
            // config.json records the masking used: blocks around iBOT's 0.3
            JsonNode saved = Json.MAPPER.readTree(dir.resolve("straight/config.json").toFile());
            assertThat(saved.at("/config/mask_kind").asText()).isEqualTo("block");
            assertThat(saved.at("/config/mask_ratio").asDouble()).isEqualTo(0.3);
            // the loss holds the teacher's entropy, which the warm-up raises; what the student
            // learns is the loss less that entropy, the KL, on the class token and on the hidden
            // patches alike: both fall (0.64 to 0.32 on the patches when this was written), and
            // every epoch's loss is finite
            EpochMetrics first = result.epochs().get(0);
            EpochMetrics last = result.last();
            System.out.printf("ibot: loss %.4f -> %.4f, diagnostics %s -> %s%n", first.loss(),
                    last.loss(), first.diagnostics(), last.diagnostics());
            assertThat(result.epochs()).allSatisfy(m -> assertThat(m.loss()).isFinite());
            assertThat(result.epochs()).allSatisfy(m -> assertThat(
                    m.diagnostics().get("masked_patch_kl")).isFinite().isGreaterThan(-1e-4));
            assertThat(last.diagnostics().get("masked_patch_kl"))
                    .isLessThan(0.75 * first.diagnostics().get("masked_patch_kl"));
            assertThat(last.diagnostics().get("student_teacher_kl"))
                    .isLessThan(0.75 * first.diagnostics().get("student_teacher_kl"));
        }
        Path resumed = dir.resolve("resumed");
        new Pretrainer(config, DATA, ProgressListener.silent()).run(resumed, false);
        dev.selfsup.util.AtomicFiles.deleteTree(resumed.resolve("checkpoints/epoch-0002"));
        new Pretrainer(config, DATA, ProgressListener.silent()).run(resumed, true);
        // teacher, center and student all restored: the same bytes as the uninterrupted run
        assertThat(Files.readAllBytes(resumed.resolve("checkpoints/epoch-0002/model.safetensors")))
                .isEqualTo(Files.readAllBytes(
                        dir.resolve("straight/checkpoints/epoch-0002/model.safetensors")));
    }
}
