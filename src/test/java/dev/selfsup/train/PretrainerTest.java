package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.KnnClassifier;
import dev.selfsup.method.Methods;
import dev.selfsup.report.EmbeddingPictures;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretrainerTest {
    private static final DataSplits DATA = TinyData.splits(512, 256, 3);

    static PretrainConfig config(String method, String backbone, int epochs, long seed) {
        return new PretrainConfig(method, backbone, "tiny", Datasets.Options.defaults(),
                method.equals("tutorial") ? "tutorial" : "simclr", null, null, epochs, 64, "adam", method.equals("byol") ? 1e-2 : 3e-3, 1e-6,
                Methods.usesTemperature(method) ? Methods.defaultTemperature(method) : null, 1,
                seed, 2, 2, 1, 5, Methods.usesQueue(method) ? 512 : null, null);
    }

    private static double randomInitKnn(String backbone) {
        return randomInitKnn(backbone, DATA);
    }

    /** kNN top-1 of a random-init {@code backbone} on {@code data} (4 classes). */
    static double randomInitKnn(String backbone, DataSplits data) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.randomInit(backbone, data.train(), ChannelStats.of(data.train()),
                    0, manager);
            FeatureMatrix bank = encoder.embed(data.train(), manager);
            FeatureMatrix queries = encoder.embed(data.test(), manager);
            return KnnClassifier.standard().accuracy(bank, data.train().labels(), queries,
                    data.test().labels(), 4, manager);
        }
    }

    @Test
    void inBf16TheLossFallsKnnBeatsRandomInitAndTheConfigSaysSo(@TempDir Path dir)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.selfsup.nn.Bf16Autocast.available(),
                "needs a CPU with bf16 instructions");
        PretrainConfig fp32 = config("simclr", "small-resnet", 4, 1);
        PretrainConfig bf16 = PretrainConfig.builder().setMethod("simclr").setData(DATA)
                .optBackbone("small-resnet").optEpochs(4).optSeed(1).optBatchSize(64)
                .optLearningRate(3e-3).optPrecision("bf16").build();
        assertThat(fp32.bf16()).isFalse();
        assertThat(bf16.bf16()).isTrue();
        Pretrainer.Result result = new Pretrainer(bf16, DATA, ProgressListener.silent())
                .run(dir, false);
        List<EpochMetrics> epochs = result.epochs();
        assertThat(epochs).allSatisfy(m -> assertThat(m.loss()).isFinite());
        assertThat(epochs.get(3).loss()).isLessThan(epochs.get(0).loss());
        assertThat(epochs.get(3).knnTop1()).isGreaterThan(randomInitKnn("small-resnet") + 0.05);
        assertThat(PretrainConfig.readFrom(dir).precision()).isEqualTo("bf16");
        // the weights stay float32: the checkpoint is an ordinary one
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.load(result.checkpoint(), manager);
            assertThat(encoder.embed(DATA.test(), manager).dim()).isPositive();
        }
    }

    @Test
    void simclrLossFallsAndKnnBeatsRandomInit(@TempDir Path dir) throws Exception {
        Pretrainer.Result result = new Pretrainer(config("simclr", "small-resnet", 4, 1), DATA,
                ProgressListener.silent()).run(dir, false);
        List<EpochMetrics> epochs = result.epochs();
        assertThat(epochs).hasSize(4);
        assertThat(epochs).allSatisfy(m -> assertThat(m.loss()).isFinite());
        assertThat(epochs.get(3).loss()).isLessThan(epochs.get(0).loss());
        double random = randomInitKnn("small-resnet");
        assertThat(epochs.get(3).knnTop1()).isGreaterThan(random + 0.05);
        // the run's files
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(4);
        JsonNode config = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertThat(config.at("/config/method").asText()).isEqualTo("simclr");
        assertThat(config.at("/versions/djl").asText()).isNotEmpty();
        assertThat(config.at("/dataset/train/size").asInt()).isEqualTo(512);
        assertThat(Files.exists(dir.resolve("report.html"))).isTrue();
        assertThat(Checkpoints.latest(dir)).contains(dir.resolve("checkpoints/epoch-0004"));
        // the PCA and t-SNE maps and the retrieval grid, shown in the report; the t-SNE map of
        // the last epoch (its 256 test embeddings, the default perplexity)
        assertThat(dir.resolve("pictures/embedding-map.png")).isRegularFile();
        assertThat(dir.resolve("pictures/embedding-tsne.png")).isRegularFile();
        assertThat(dir.resolve("pictures/retrieval.png")).isRegularFile();
        EmbeddingPictures.TsneMap tsne = EmbeddingPictures.TsneMap.read(dir.resolve("pictures"))
                .orElseThrow();
        assertThat(tsne.epoch()).isEqualTo(4);
        assertThat(tsne.points()).isEqualTo(256);
        assertThat(tsne.perplexity()).isEqualTo(30);
        assertThat(Files.readString(dir.resolve("report.html"))).contains("embedding-map.png")
                .contains("embedding-tsne.png").contains("<b>t-SNE</b> (after epoch 4; all 256 points; perplexity 30;")
                .contains("retrieval.png");
    }

    @Test
    void sameSeedRepeatsExactlyAndResumeEqualsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        PretrainConfig two = config("simclr", "mlp", 2, 9);
        Pretrainer.Result straight = new Pretrainer(two, DATA, ProgressListener.silent())
                .run(dir.resolve("straight"), false);
        Pretrainer.Result again = new Pretrainer(two, DATA, ProgressListener.silent())
                .run(dir.resolve("again"), false);
        assertThat(again.epochs().stream().map(EpochMetrics::loss).toList())
                .isEqualTo(straight.epochs().stream().map(EpochMetrics::loss).toList());
        assertThat(again.last().knnTop1()).isEqualTo(straight.last().knnTop1());

        // interrupted after epoch 1 (a config with 2 epochs, stopped: simulate by deleting epoch 2)
        Path resumed = dir.resolve("resumed");
        new Pretrainer(two, DATA, ProgressListener.silent()).run(resumed, false);
        dev.selfsup.util.AtomicFiles.deleteTree(resumed.resolve("checkpoints/epoch-0002"));
        Pretrainer.Result after = new Pretrainer(PretrainConfig.readFrom(resumed), DATA,
                ProgressListener.silent()).run(resumed, true);
        assertThat(after.epochs()).hasSize(2);
        assertThat(after.last().loss()).isEqualTo(straight.last().loss());
        assertThat(after.last().knnTop1()).isEqualTo(straight.last().knnTop1());
        assertThat(Files.readAllLines(resumed.resolve("metrics.jsonl"))).hasSize(2);
        byte[] a = Files.readAllBytes(dir.resolve("straight/checkpoints/epoch-0002/model.safetensors"));
        byte[] b = Files.readAllBytes(resumed.resolve("checkpoints/epoch-0002/model.safetensors"));
        assertThat(b).isEqualTo(a);
    }

    @Test
    void tutorialCollapsesAndTheMonitorSaysSo(@TempDir Path dir) throws Exception {
        List<String> warnings = new java.util.ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void warn(String message) {
                warnings.add(message);
            }
        };
        PretrainConfig config = config("tutorial", "mlp", 4, 1);
        Pretrainer.Result result = new Pretrainer(config, DATA, listener).run(dir, false);
        assertThat(result.last().loss()).isLessThan(result.epochs().get(0).loss()).isLessThan(0.01);
        assertThat(result.last().embeddingStd()).isLessThan(Pretrainer.COLLAPSE_THRESHOLD);
        assertThat(warnings).anySatisfy(w -> assertThat(w).contains("collapsing"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "moco", "byol", "simsiam", "barlow-twins", "vicreg", "nnclr"})
    void everyMethodsLossFallsAndKnnBeatsRandomInit(String method, @TempDir Path dir)
            throws Exception {
        // BYOL's slow-moving target (momentum 0.99 -> 1) needs more steps and a higher rate
        // (config) to get going on 512 images
        PretrainConfig config = config(method, "small-resnet", method.equals("byol") ? 6 : 4, 1);
        Pretrainer.Result result = new Pretrainer(config, DATA, ProgressListener.silent())
                .run(dir, false);
        double random = randomInitKnn("small-resnet");
        System.out.printf("%s: loss %s, kNN %.4f (random init %.4f)%n", method,
                result.epochs().stream().map(m -> String.format("%.4f", m.loss())).toList(),
                result.last().knnTop1(), random);
        assertThat(result.epochs()).allSatisfy(m -> assertThat(m.loss()).isFinite());
        // MoCo's first epoch scores against the random keys the queue starts with (easy
        // negatives), NNCLR's against random neighbours
        int firstComparable = Methods.usesQueue(method) ? 1 : 0;
        assertThat(result.last().loss()).isLessThan(result.epochs().get(firstComparable).loss());
        assertThat(result.last().knnTop1()).as(method).isGreaterThan(random + 0.03);
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"moco", "nnclr"})
    void queueMethodsResumeExactlyWithTheirQueue(String method, @TempDir Path dir)
            throws Exception {
        PretrainConfig two = config(method, "mlp", 2, 4);
        new Pretrainer(two, DATA, ProgressListener.silent()).run(dir.resolve("straight"), false);
        Path resumed = dir.resolve("resumed");
        new Pretrainer(two, DATA, ProgressListener.silent()).run(resumed, false);
        dev.selfsup.util.AtomicFiles.deleteTree(resumed.resolve("checkpoints/epoch-0002"));
        new Pretrainer(two, DATA, ProgressListener.silent()).run(resumed, true);
        byte[] a = Files.readAllBytes(dir.resolve("straight/checkpoints/epoch-0002/model.safetensors"));
        byte[] b = Files.readAllBytes(resumed.resolve("checkpoints/epoch-0002/model.safetensors"));
        assertThat(b).isEqualTo(a);
        // the checkpoint holds the queue (and MoCo's key encoder), and loads back as an encoder
        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.load(resumed, manager);
            assertThat(encoder.state().queueSize()).isEqualTo(512);
            java.util.List<String> keys = encoder.method().model().getParameters().keys();
            if (method.equals("moco")) {
                assertThat(keys).anyMatch(k -> k.contains("target_backbone"))
                        .anyMatch(k -> k.endsWith("memory_bank_keys"));
            } else {
                assertThat(keys).anyMatch(k -> k.endsWith("support_queue_keys"));
            }
        }
    }

    @Test
    void refusesToOverwriteARun(@TempDir Path dir) throws Exception {
        new Pretrainer(config("tutorial", "mlp", 1, 1), DATA, ProgressListener.silent()).run(dir, false);
        assertThatThrownBy(() -> new Pretrainer(config("tutorial", "mlp", 1, 1), DATA,
                ProgressListener.silent()).run(dir, false))
                .hasMessageContaining("already holds a run").hasMessageContaining("--resume");
    }

    @Test
    void aFractionalWarmUpIsThatShareOfAnEpochsSteps(@TempDir Path dir) throws Exception {
        PretrainConfig base = config("tutorial", "mlp", 2, 1);
        PretrainConfig half = new PretrainConfig(base.method(), base.backbone(), base.data(),
                base.dataOptions(), base.recipe(), null, null, 2, base.batchSize(),
                base.optimizer(), base.learningRate(), base.weightDecay(), null, 0.5,
                base.seed(), 2, 2, 1, 5);
        Pretrainer.Result result = new Pretrainer(half, DATA, ProgressListener.silent())
                .run(dir, false);
        long stepsPerEpoch = result.epochs().get(0).step();
        CosineSchedule expected = new CosineSchedule(base.learningRate(),
                Math.round(0.5 * stepsPerEpoch), 2 * stepsPerEpoch);
        // the last step of epoch 1 is past the half-epoch warm-up, already decaying
        assertThat(result.epochs().get(0).learningRate())
                .isEqualTo(expected.learningRate(stepsPerEpoch - 1))
                .isLessThan(base.learningRate());
        JsonNode config = Json.MAPPER.readTree(dir.resolve("config.json").toFile());
        assertThat(config.at("/config/warmup_epochs").asDouble()).isEqualTo(0.5);
        assertThat(PretrainConfig.readFrom(dir)).isEqualTo(half);
    }
}
