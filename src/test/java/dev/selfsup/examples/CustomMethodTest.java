package dev.selfsup.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Probes;
import dev.selfsup.method.Methods;
import dev.selfsup.nn.Backbones;
import dev.selfsup.testing.TinyData;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Pretrainer;
import dev.selfsup.train.ProgressListener;
import dev.selfsup.util.AtomicFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's custom method and backbone, registered from Java, go through the library's own
 * loop like a built-in pair: trained (the loss falls), checkpointed, resumed to the same bytes as
 * a run never stopped, loaded back by name for evaluation, and refused where the names clash.
 */
class CustomMethodTest {
    private static final DataSplits DATA = TinyData.splits(768, 256, 3);

    @BeforeAll
    static void register() {
        CustomRunExample.register();
    }

    @AfterAll
    static void unregister() {
        Methods.unregister("hybrid-simclr");
        Backbones.unregister("tiny-cnn");
    }

    @Test
    void trainsResumesAndLoadsLikeABuiltInMethod(@TempDir Path dir) throws Exception {
        Pretrainer.Result straight = CustomRunExample.run(DATA, dir.resolve("straight"));
        assertThat(straight.epochs()).hasSize(3);
        assertThat(straight.last().loss()).isLessThan(straight.epochs().get(0).loss());
        assertThat(straight.last().knnTop1()).isNotNull();

        PretrainConfig written = PretrainConfig.readFrom(dir.resolve("straight"));
        assertThat(written.method()).isEqualTo("hybrid-simclr");
        assertThat(written.backbone()).isEqualTo("tiny-cnn");
        assertThat(written.batchSize()).isEqualTo(128); // picked for small gray images

        Path resumed = dir.resolve("resumed");
        CustomRunExample.run(DATA, resumed);
        AtomicFiles.deleteTree(resumed.resolve("checkpoints/epoch-0003"));
        Pretrainer.Result after = new Pretrainer(PretrainConfig.readFrom(resumed), DATA,
                ProgressListener.silent()).run(resumed, true);
        assertThat(after.last().loss()).isEqualTo(straight.last().loss());
        assertThat(Files.readAllBytes(resumed.resolve("checkpoints/epoch-0003/"
                + Checkpoints.MODEL_FILE))).isEqualTo(Files.readAllBytes(
                        dir.resolve("straight/checkpoints/epoch-0003/" + Checkpoints.MODEL_FILE)));

        try (NDManager manager = NDManager.newBaseManager()) {
            Encoder encoder = Encoder.load(straight.checkpoint(), manager);
            assertThat(encoder.method()).isInstanceOf(HybridSimClr.class);
            FeatureMatrix train = encoder.embed(DATA.train(), manager);
            FeatureMatrix test = encoder.embed(DATA.test(), manager);
            assertThat(test.dim()).isEqualTo(32);
            Probes.Result probes = Probes.run(train, test, DATA,
                    EnumSet.allOf(Probes.Kind.class), 0, manager);
            assertThat(probes.knnTop1()).isEqualTo(straight.last().knnTop1());
            assertThat(probes.linearTop1()).isGreaterThan(0.25); // 4 classes
        }
    }

    @Test
    void theBuilderFillsEveryDefaultAndShowsIt() {
        PretrainConfig config = PretrainConfig.builder().setMethod("hybrid-simclr").setData(DATA)
                .optBackbone("tiny-cnn").build();
        assertThat(config.recipe()).isEqualTo("simclr");
        assertThat(config.epochs()).isEqualTo(10);
        assertThat(config.learningRate()).isEqualTo(2e-3); // small gray images
        assertThat(config.temperature()).isNull(); // the method keeps its own
        assertThat(config.toJson().replaceAll("\\s", "")).contains("\"method\":\"hybrid-simclr\"")
                .contains("\"backbone\":\"tiny-cnn\"").contains("\"learning_rate\":0.002");
        assertThat(config.toString()).contains("keepCheckpoints=2");
    }

    @Test
    void refusesClashingNamesAndMissingSettings() {
        assertThatThrownBy(() -> Methods.register("hybrid-simclr", "simclr",
                (backbone, options) -> new HybridSimClr(backbone)))
                .hasMessage("method 'hybrid-simclr' is already registered");
        assertThatThrownBy(() -> Methods.register("simclr", "simclr",
                (backbone, options) -> new HybridSimClr(backbone)))
                .hasMessage("'simclr' is a built-in method");
        assertThatThrownBy(() -> Methods.register("Hybrid", "simclr",
                (backbone, options) -> new HybridSimClr(backbone)))
                .hasMessageContaining("found 'Hybrid'");
        assertThatThrownBy(() -> Methods.register("other", "two-views",
                (backbone, options) -> new HybridSimClr(backbone)))
                .hasMessageContaining("found 'two-views'");
        assertThatThrownBy(() -> Backbones.register("mlp", (c, h, w) -> null))
                .hasMessage("'mlp' is a built-in backbone");
        assertThatThrownBy(() -> PretrainConfig.builder().setData(DATA).build())
                .hasMessage("method must be set (setMethod), found none");
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("simclr").build())
                .hasMessage("data must be set (setData), found none");
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("simclr").setData(DATA)
                .optEpochs(0).build()).hasMessage("epochs must be > 0, found 0");
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("hybrid-simclr")
                .setData(DATA).optTemperature(0.1).build())
                .hasMessage("temperature does not apply to hybrid-simclr, found 0.1");
        assertThat(Methods.names()).contains("simclr", "hybrid-simclr");
        assertThat(Backbones.names()).contains("mlp", "tiny-cnn");
    }
}
