package dev.selfsup.eval;

import static dev.selfsup.testing.Asserts.cosine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.testing.TinyData;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@link Features#extract}: batches that do not divide the set, and the bf16 path. */
class FeaturesTest {

    @Test
    void batchesThatDoNotDivideTheSetGiveTheSameFeatures() {
        ImageSet images = TinyData.splits(37, 4, 2).train();
        ChannelStats stats = ChannelStats.of(images);
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbone backbone = initialised("small-resnet", images, manager);
            FeatureMatrix whole = Features.extract(backbone.block(), images, stats, 64, manager);
            FeatureMatrix inTens = Features.extract(backbone.block(), images, stats, 10, manager);
            assertThat(whole.rows()).isEqualTo(37);
            assertThat(whole.dim()).isEqualTo(backbone.featureDim());
            // batch norm runs on its running statistics: a row does not depend on its batch
            dev.selfsup.testing.Asserts.assertAllClose(inTens.values(), whole.values(), 1e-5, 1e-5);
        }
    }

    @Test
    void bf16FeaturesAreFloat32AndPointTheSameWayOrTheCpuIsNamed() {
        DataSplits data = TinyData.splits(40, 8, 3);
        ImageSet images = data.train();
        ChannelStats stats = ChannelStats.of(images);
        try (NDManager manager = NDManager.newBaseManager()) {
            Backbone backbone = initialised("small-resnet", images, manager);
            if (!Bf16Autocast.available()) {
                assertThatThrownBy(() -> Features.extract(backbone.block(), images, stats, 16,
                        manager, true)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("precision bf16 cannot run here");
                return;
            }
            FeatureMatrix fp32 = Features.extract(backbone.block(), images, stats, 16, manager);
            FeatureMatrix bf16 = Features.extract(backbone.block(), images, stats, 16, manager,
                    true);
            assertThat(Bf16Autocast.isOn()).isFalse();
            assertThat(bf16.rows()).isEqualTo(fp32.rows());
            assertThat(bf16.dim()).isEqualTo(fp32.dim());
            assertThat(bf16.values()).isNotEqualTo(fp32.values()); // it did run in bf16
            for (int row = 0; row < fp32.rows(); row++) {
                float[] a = Arrays.copyOfRange(fp32.values(), row * fp32.dim(),
                        (row + 1) * fp32.dim());
                float[] b = Arrays.copyOfRange(bf16.values(), row * bf16.dim(),
                        (row + 1) * bf16.dim());
                assertThat(cosine(b, a)).as("row %d", row).isGreaterThan(0.99);
            }
        }
    }

    private static Backbone initialised(String name, ImageSet like, NDManager manager) {
        manager.getEngine().setRandomSeed(7);
        Backbone backbone = Backbones.byName(name, like.channels(), like.height(), like.width());
        backbone.block().initialize(manager, DataType.FLOAT32, backbone.batchShape(4));
        return backbone;
    }
}
