package dev.selfsup.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.VisionTransformer;
import dev.selfsup.testing.Asserts;
import dev.selfsup.train.TorchRuntime;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import dev.selfsup.testing.RandomValues;
import org.junit.jupiter.api.Test;

class MaeTest {
    private static Mae mae(NDManager manager, int side) {
        Mae mae = new Mae(Backbones.byName("vit-mini", 1, side, side));
        mae.model().initialize(manager, 2);
        return mae;
    }

    @Test
    void maskingHidesTheRatioOfEveryImageAndRestoreInvertsTheOrder() {
        TorchRuntime.setSeed(1);
        try (NDManager manager = NDManager.newBaseManager()) {
            int batch = 64;
            int patches = 49;
            int hidden = 37; // round(0.75 * 49)
            Mae.Masking masking = Mae.Masking.random(manager, batch, patches, hidden);
            long[] visible = masking.visible().toLongArray();
            long[] restore = masking.restore().toLongArray();
            float[] mask = masking.hidden().toFloatArray();
            assertThat(masking.visible().getShape()).isEqualTo(new Shape(batch, patches - hidden));
            int[] hiddenCount = new int[patches];
            for (int b = 0; b < batch; b++) {
                Set<Long> seen = new HashSet<>();
                int hiddenHere = 0;
                for (int j = 0; j < patches; j++) {
                    hiddenHere += (int) mask[b * patches + j];
                    hiddenCount[j] += (int) mask[b * patches + j];
                }
                assertThat(hiddenHere).isEqualTo(hidden);
                for (int i = 0; i < patches - hidden; i++) {
                    long patch = visible[b * (patches - hidden) + i];
                    assertThat(seen.add(patch)).isTrue();
                    assertThat(mask[b * patches + (int) patch]).isZero();
                    // the visible token i goes back to its patch
                    assertThat(restore[b * patches + (int) patch]).isEqualTo(i);
                }
                long[] sorted = Arrays.copyOfRange(restore, b * patches, (b + 1) * patches);
                Arrays.sort(sorted);
                for (int j = 0; j < patches; j++) {
                    assertThat(sorted[j]).isEqualTo(j); // a permutation
                }
            }
            // every patch is hidden about 75% of the time (64 images: 3 sigma is about 0.16)
            for (int count : hiddenCount) {
                assertThat(count / (double) batch).isBetween(0.75 - 0.2, 0.75 + 0.2);
            }
        }
    }

    @Test
    void normalisedPatchesAndLossMatchPlainJava() {
        int batch = 2;
        int patches = 3;
        int values = 5;
        float[] raw = RandomValues.gaussian(batch * patches * values, 2);
        float[] prediction = RandomValues.gaussian(batch * patches * values, 3);
        float[] hidden = {1, 0, 1, 0, 1, 1};
        double[] target = new double[raw.length];
        for (int p = 0; p < batch * patches; p++) {
            double mean = 0;
            for (int v = 0; v < values; v++) {
                mean += raw[p * values + v];
            }
            mean /= values;
            double squares = 0;
            for (int v = 0; v < values; v++) {
                squares += Math.pow(raw[p * values + v] - mean, 2);
            }
            double std = Math.sqrt(squares / (values - 1) + 1e-6); // unbiased, as torch.var
            for (int v = 0; v < values; v++) {
                target[p * values + v] = (raw[p * values + v] - mean) / std;
            }
        }
        double sum = 0;
        double count = 0;
        for (int p = 0; p < batch * patches; p++) {
            double error = 0;
            for (int v = 0; v < values; v++) {
                error += Math.pow(prediction[p * values + v] - target[p * values + v], 2);
            }
            sum += hidden[p] * error / values;
            count += hidden[p];
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape shape = new Shape(batch, patches, values);
            NDArray normalised = Mae.normalizedPatches(manager.create(raw, shape));
            float[] expected = new float[target.length];
            for (int i = 0; i < target.length; i++) {
                expected[i] = (float) target[i];
            }
            Asserts.assertAllClose(normalised.toFloatArray(), expected, 1e-5, 1e-5);
            float loss = Mae.loss(manager.create(prediction, shape), normalised,
                    manager.create(hidden, new Shape(batch, patches))).getFloat();
            assertThat((double) loss).isCloseTo(sum / count, org.assertj.core.api.Assertions.within(1e-5));
        }
    }

    @Test
    void theEncoderSeesOnlyTheVisiblePatches() {
        TorchRuntime.setSeed(4);
        try (NDManager manager = NDManager.newBaseManager()) {
            Mae mae = mae(manager, 16);
            ParameterStore store = new ParameterStore(manager, false);
            NDArray images = manager.randomNormal(new Shape(3, 1, 16, 16));
            Mae.Masking masking = Mae.Masking.random(manager, 3, 16, mae.hiddenPatches());
            assertThat(mae.hiddenPatches()).isEqualTo(12);
            NDArray prediction = mae.predict(store, images, masking, false);
            assertThat(prediction.getShape()).isEqualTo(new Shape(3, 16, 16));
            // change every hidden pixel: the prediction stays exactly the same
            NDArray hiddenPixels = VisionTransformer.unpatchify(
                    masking.hidden().expandDims(2).repeat(2, 16), 1, 4, 4, 4); // (3, 1, 16, 16)
            NDArray changed = images.add(hiddenPixels.mul(manager.randomNormal(images.getShape())));
            assertThat(changed.sub(images).abs().sum().getFloat()).isPositive();
            assertThat(mae.predict(store, changed, masking, false).toFloatArray())
                    .containsExactly(prediction.toFloatArray());
            // a visible pixel changes it
            NDArray visiblePixels = hiddenPixels.neg().add(1f);
            NDArray changedVisible = images.add(visiblePixels.mul(0.5f));
            assertThat(mae.predict(store, changedVisible, masking, false).toFloatArray())
                    .isNotEqualTo(prediction.toFloatArray());
        }
    }

    @Test
    void picturesShowTheVisiblePatchesThePredictionAndTheOriginal() {
        TorchRuntime.setSeed(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            Mae mae = mae(manager, 16);
            NDArray images = manager.randomNormal(new Shape(4, 1, 16, 16));
            ChannelStats stats = new ChannelStats(new float[] {0.5f}, new float[] {0.25f});
            PictureSheet sheet = mae.pictures(new ParameterStore(manager, false), images, stats)
                    .orElseThrow();
            assertThat(sheet.columns()).containsExactly("visible", "predicted", "original");
            assertThat(sheet.rows()).hasSize(4);
            assertThat(sheet.rows().get(0).get(1).caption()).startsWith("mse ");
        }
    }

    @Test
    void refusesACnnBackboneAndABadRatio() {
        assertThatThrownBy(() -> new Mae(Backbones.byName("small-resnet", 1, 16, 16)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ViT backbone").hasMessageContaining("'small-resnet'");
        assertThatThrownBy(() -> new Mae(Backbones.byName("vit-mini", 1, 16, 16), 1.0))
                .hasMessageContaining("mask ratio must be in (0, 1), found 1.0");
        assertThat(Methods.defaultBackbone("mae")).isEqualTo("vit-mini");
        assertThat(Methods.build("mae", "vit-mini", 1, 28, 28, Methods.Options.defaults()))
                .isInstanceOf(Mae.class);
    }
}
