package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.data.ImageSet;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.method.Methods;
import dev.selfsup.pretext.CieLab;
import dev.selfsup.pretext.LightnessInput;
import dev.selfsup.testing.Asserts;
import dev.selfsup.testing.TinyData;
import dev.selfsup.util.Seeds;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PretextTrainingTest {
    private static final DataSplits GRAY = TinyData.splits(512, 64, 3);
    private static final DataSplits COLOUR = tinted(GRAY);

    /** TinyData with each image tinted by a random colour: 3 channels, same classes. */
    static DataSplits tinted(DataSplits gray) {
        return new DataSplits("tiny-colour", tint(gray.train(), 1), tint(gray.test(), 2));
    }

    private static ImageSet tint(ImageSet gray, int stream) {
        int plane = gray.height() * gray.width();
        byte[] pixels = new byte[gray.size() * 3 * plane];
        for (int i = 0; i < gray.size(); i++) {
            SplittableRandom random = Seeds.random(11, stream, i);
            for (int c = 0; c < 3; c++) {
                double factor = 0.3 + 0.7 * random.nextDouble();
                for (int p = 0; p < plane; p++) {
                    pixels[(i * 3 + c) * plane + p] = (byte) Math.round(
                            factor * gray.pixel(gray.offsetOf(i) + p));
                }
            }
        }
        return new ImageSet(gray.identity() + " tinted", 3, gray.height(), gray.width(), pixels,
                gray.labels(), gray.classNames());
    }

    static PretrainConfig config(String method, int epochs, long seed) {
        return new PretrainConfig(method, "mlp", "tiny", Datasets.Options.defaults(),
                Methods.defaultRecipe(method), null, null, epochs, 64, "adam", 3e-3, 1e-6, null,
                1, seed, 2, 1, 1, 5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rotation", "colorization", "inpainting", "masked-image",
        "autoencoder", "denoising-autoencoder"})
    void eachTaskTrainsWithAFallingLossAndDrawsItsPictures(String method, @TempDir Path dir)
            throws Exception {
        DataSplits data = method.equals("colorization") ? COLOUR : GRAY;
        Pretrainer.Result result = new Pretrainer(config(method, 3, 1), data,
                ProgressListener.silent()).run(dir, false);
        assertThat(result.epochs()).allSatisfy(m -> assertThat(m.loss()).isFinite());
        assertThat(result.last().loss()).isLessThan(result.epochs().get(0).loss());
        for (int epoch = 1; epoch <= 3; epoch++) {
            Path png = dir.resolve(String.format("pictures/%s-epoch-%04d.png", method, epoch));
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as(png.toString()).isNotNull();
            assertThat(image.getHeight()).isGreaterThan(8 * 48); // a row per test image
        }
        assertThat(Files.readString(dir.resolve("report.html")))
                .contains("pictures/" + method + "-epoch-0003.png");
        // the checkpoint loads as an encoder that embeds the data
        try (NDManager manager = NDManager.newBaseManager()) {
            FeatureMatrix features = Encoder.load(dir, manager).embed(data.test(), manager);
            assertThat(features.rows()).isEqualTo(data.test().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rotation", "colorization", "masked-image", "denoising-autoencoder"})
    void noArrayOutlivesAStep(String name) {
        int channels = name.equals("colorization") ? 3 : 1;
        long[] shape = {16, channels, 16, 16};
        float[] batch = new float[16 * channels * 256];
        SplittableRandom random = new SplittableRandom(2);
        ChannelStats stats = ChannelStats.of((channels == 3 ? COLOUR : GRAY).train());
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(1);
            dev.selfsup.method.Method method = Methods.build(name, "mlp", channels, 16, 16,
                    new Methods.Options(null, null, stats, null));
            method.model().initialize(manager, 16);
            method.model().getParameters().forEach(p -> {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            });
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                int[] counts = new int[12];
                for (int i = 0; i < counts.length; i++) {
                    for (int j = 0; j < batch.length; j++) {
                        batch[j] = (float) random.nextGaussian();
                    }
                    assertThat(step.run(batch, shape, 1e-3)).isFinite();
                    counts[i] = manager.getManagedArrays().size();
                }
                assertThat(java.util.Arrays.copyOfRange(counts, 1, counts.length))
                        .containsOnly(counts[1]);
            }
        }
    }

    @Test
    void olderConfigsWithoutAMaskRatioStillRead(@TempDir Path dir) throws Exception {
        PretrainConfig config = config("inpainting", 2, 1);
        com.fasterxml.jackson.databind.node.ObjectNode document = dev.selfsup.util.Json.MAPPER
                .valueToTree(Provenance.describe(config, GRAY));
        ((com.fasterxml.jackson.databind.node.ObjectNode) document.get("config")).remove("mask_ratio");
        dev.selfsup.util.Json.MAPPER.writeValue(dir.resolve("config.json").toFile(), document);
        assertThat(Files.readString(dir.resolve("config.json"))).doesNotContain("mask_ratio");
        assertThat(PretrainConfig.readFrom(dir)).isEqualTo(config);
        assertThat(config.maskRatio()).isNull();
        assertThatThrownBy(() -> new PretrainConfig("inpainting", "mlp", "tiny",
                Datasets.Options.defaults(), "crop-flip", null, null, 1, 64, "adam", 1e-3, 0, null,
                0, 1, 1, 1, 1, 1, null, 0.0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask ratio must be in (0, 1), found 0.0");
        assertThatThrownBy(() -> Methods.create("rotation",
                dev.selfsup.nn.Backbones.mlp(1, 16, 16), new Methods.Options(null, null, null, 0.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not to 'rotation'");
    }

    @Test
    void colorizationRefusesGrayData(@TempDir Path dir) {
        ChannelStats stats = ChannelStats.of(GRAY.train());
        assertThatThrownBy(() -> Methods.build("colorization", "small-resnet", 1, 16, 16,
                new Methods.Options(null, null, stats, null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("this data has 1 channel (gray)");
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> new Pretrainer(config("colorization", 1, 1), GRAY,
                ProgressListener.silent()).run(run, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 channels");
        assertThat(run).doesNotExist();
    }

    @Test
    void colorizationsBackboneSeesTheLightnessOfItsInput() {
        ChannelStats stats = ChannelStats.of(COLOUR.train());
        ImageSet images = COLOUR.test();
        int count = 4;
        int plane = images.height() * images.width();
        float[] standardized = new float[count * 3 * plane];
        stats.standardizeImages(images, 0, count, standardized);
        float[] expected = new float[count * 3 * plane];
        for (int n = 0; n < count; n++) {
            for (int p = 0; p < plane; p++) {
                float[] rgb = new float[3];
                for (int c = 0; c < 3; c++) {
                    rgb[c] = images.pixel(images.offsetOf(n) + c * plane + p) / 255f;
                }
                float l = CieLab.fromRgb(rgb)[0] / 50f - 1f;
                for (int c = 0; c < 3; c++) {
                    expected[(n * 3 + c) * plane + p] = l;
                }
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            LightnessInput input = new LightnessInput(stats);
            NDArray out = input.forward(new ParameterStore(manager, false), new NDList(
                    manager.create(standardized, new Shape(count, 3, images.height(),
                            images.width()))), false).singletonOrThrow();
            Asserts.assertAllClose(out.toFloatArray(), expected, 1e-4, 1e-4);
        }
    }

    @Test
    void maskedTasksRepeatExactlyAndResumeAsIfUninterrupted(@TempDir Path dir) throws Exception {
        PretrainConfig two = config("masked-image", 2, 5);
        Pretrainer.Result straight = new Pretrainer(two, GRAY, ProgressListener.silent())
                .run(dir.resolve("straight"), false);
        Path resumed = dir.resolve("resumed");
        Pretrainer.Result again = new Pretrainer(two, GRAY, ProgressListener.silent())
                .run(resumed, false);
        assertThat(again.epochs().stream().map(EpochMetrics::loss).toList())
                .isEqualTo(straight.epochs().stream().map(EpochMetrics::loss).toList());
        dev.selfsup.util.AtomicFiles.deleteTree(resumed.resolve("checkpoints/epoch-0002"));
        Pretrainer.Result after = new Pretrainer(PretrainConfig.readFrom(resumed), GRAY,
                ProgressListener.silent()).run(resumed, true);
        assertThat(after.last().loss()).isEqualTo(straight.last().loss());
        assertThat(Files.readAllBytes(resumed.resolve("checkpoints/epoch-0002/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve(
                        "straight/checkpoints/epoch-0002/model.safetensors")));
        // the task's sheet per epoch (beside the embedding maps and the retrieval grid)
        try (var pictures = Files.list(resumed.resolve("pictures"))) {
            assertThat(pictures.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("embedding-map.png", "embedding-tsne.json",
                            "embedding-tsne.png", "masked-image-epoch-0001.png",
                            "masked-image-epoch-0002.png", "retrieval.png");
        }
    }
}
