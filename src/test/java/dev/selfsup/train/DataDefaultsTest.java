package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.augment.PatchMask;
import dev.selfsup.train.DataDefaults.Choice;
import dev.selfsup.train.DataDefaults.Pick;
import dev.selfsup.train.DataDefaults.Profile;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataDefaultsTest {
    @Test
    void dataIsSortedByItsSpecAndShape() {
        assertThat(DataDefaults.profile("shapes", 3, 32, 32)).isEqualTo(Profile.SHAPES);
        assertThat(DataDefaults.profile("shapes:2000", 3, 32, 32)).isEqualTo(Profile.SHAPES);
        assertThat(DataDefaults.profile("idx:/data/fm", 1, 28, 28)).isEqualTo(Profile.SMALL_GRAY);
        assertThat(DataDefaults.profile("cifar:/data/c", 3, 32, 32))
                .isEqualTo(Profile.SMALL_COLOUR);
        assertThat(DataDefaults.profile("folder:/p", 3, 48, 48)).isEqualTo(Profile.SMALL_COLOUR);
        assertThat(DataDefaults.profile("folder:/p", 3, 48, 49)).isEqualTo(Profile.PHOTOS);
        assertThat(DataDefaults.profile("folder:/p", 1, 96, 96)).isEqualTo(Profile.PHOTOS);
        assertThatThrownBy(() -> DataDefaults.profile("idx:x", 0, 28, 28))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x28x28");
    }

    @Test
    void smallGrayImagesGetLargerCropsASharperTemperatureAndMoreSteps() {
        Choice simclr = DataDefaults.choose("simclr", "idx:/fm", 1, 28, 28);
        assertThat(simclr.profile()).isEqualTo(Profile.SMALL_GRAY);
        assertThat(simclr.minCropScale()).isEqualTo(0.2);
        assertThat(simclr.temperature()).isEqualTo(0.1);
        assertThat(simclr.batchSize()).isEqualTo(128);
        assertThat(simclr.learningRate()).isEqualTo(2e-3);
        assertThat(simclr.colorJitterStrength()).isEqualTo(2.0);
        assertThat(simclr.picks()).extracting(Pick::setting).containsExactly(
                "min-crop-scale", "color-jitter", "temperature", "batch-size", "lr");
        // a method without a temperature gets no temperature pick; the crop pick stays
        Choice byol = DataDefaults.choose("byol", "idx:/fm", 1, 28, 28);
        assertThat(byol.temperature()).isNull();
        assertThat(byol.minCropScale()).isEqualTo(0.2);
        assertThat(byol.picks()).extracting(Pick::setting).doesNotContain("temperature");
        // a pretext task uses the crop-flip recipe: no crop pick
        Choice rotation = DataDefaults.choose("rotation", "idx:/fm", 1, 28, 28);
        assertThat(rotation.minCropScale()).isNull();
        assertThat(rotation.colorJitterStrength()).isNull();
        assertThat(rotation.picks()).extracting(Pick::setting)
                .containsExactly("batch-size", "lr");
    }

    @Test
    void ibotPicksBlocksAroundItsOwnRatioAndTheConfigRecordsThem() {
        Choice fashion = DataDefaults.choose("ibot", "idx:/fm", 1, 28, 28);
        assertThat(fashion.maskKind()).isEqualTo("block");
        assertThat(fashion.maskRatio()).isEqualTo(0.3);
        assertThat(fashion.describe(Set.of())).contains("mask-kind block (iBOT's and BEiT's "
                + "blockwise masking: rectangles of 4 patches or more on the 7x7 grid)")
                .contains("mask-ratio 0.3 (iBOT's centre: half the global views masked, each "
                        + "hiding a share drawn from 0.1 to 0.5)");
        assertThat(fashion.describe(Set.of("mask-kind", "mask-ratio"))).doesNotContain("mask-");
        assertThat(DataDefaults.choose("dino", "idx:/fm", 1, 28, 28).maskKind()).isNull();
        var data = dev.selfsup.testing.TinyData.splits(16, 8, 1);
        PretrainConfig picked = PretrainConfig.builder().setMethod("ibot").setData(data).build();
        assertThat(picked.maskKind()).isEqualTo("block");
        assertThat(picked.maskRatio()).isEqualTo(0.3);
        assertThat(picked.methodOptions(null).maskKind()).isEqualTo(PatchMask.Kind.BLOCK);
        PretrainConfig given = PretrainConfig.builder().setMethod("ibot").setData(data)
                .optMaskKind("random").optMaskRatio(0.4).build();
        assertThat(given.maskKind()).isEqualTo("random");
        assertThat(given.maskRatio()).isEqualTo(0.4);
        assertThat(PretrainConfig.builder().setMethod("dino").setData(data).build().maskKind())
                .isNull();
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("mae").setData(data)
                .optMaskKind("block").build())
                .hasMessage("mask kind applies to ibot, not to mae, found 'block'");
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("ibot").setData(data)
                .optMaskKind("blob").build())
                .hasMessage("mask kind must be one of [block, random], found 'blob'");
    }

    @Test
    void maeHidesHalfOfASmallImagesPatches() {
        Choice small = DataDefaults.choose("mae", "idx:/fm", 1, 28, 28);
        assertThat(small.maskRatio()).isEqualTo(0.5);
        assertThat(small.learningRate()).isEqualTo(DataDefaults.VIT_LEARNING_RATE);
        assertThat(small.describe(Set.of())).contains("mask-ratio 0.5 (a grid of 7x7 patches");
        assertThat(small.describe(Set.of("mask-ratio"))).doesNotContain("mask-ratio");
        // photos keep the paper's 75%; other methods get no mask pick
        assertThat(DataDefaults.choose("mae", "folder:/p", 3, 224, 224).maskRatio()).isNull();
        assertThat(DataDefaults.choose("inpainting", "idx:/fm", 1, 28, 28).maskRatio()).isNull();
        // the config takes the pick unless a ratio is given (tiny 3x32x32 data: an 8x8 grid)
        var data = dev.selfsup.testing.TinyData.splits(16, 8, 1);
        PretrainConfig picked = PretrainConfig.builder().setMethod("mae").setData(data).build();
        assertThat(picked.maskRatio()).isEqualTo(0.5);
        PretrainConfig given = PretrainConfig.builder().setMethod("mae").setData(data)
                .optMaskRatio(0.75).build();
        assertThat(given.maskRatio()).isEqualTo(0.75);
        assertThat(PretrainConfig.builder().setMethod("simclr").setData(data).build()
                .maskRatio()).isNull();
    }

    @Test
    void aOneEpochRunOnAVisionTransformerWarmsUpForATenthOfItsSteps() {
        Choice vit = DataDefaults.choose("mae", "idx:/fm", 1, 28, 28);
        assertThat(vit.oneEpochWarmup()).isEqualTo(DataDefaults.VIT_ONE_EPOCH_WARMUP)
                .isEqualTo(0.1);
        assertThat(vit.describe(Set.of())).contains("warmup-epochs 0.1 (in a one-epoch run");
        assertThat(DataDefaults.choose("simclr", "idx:/fm", 1, 28, 28).oneEpochWarmup())
                .isZero();
        var data = dev.selfsup.testing.TinyData.splits(16, 8, 1);
        // one epoch: the pick; two: one epoch, and the pick is not printed; given: as given
        PretrainConfig.Builder one = PretrainConfig.builder().setMethod("mae").setData(data)
                .optEpochs(1);
        assertThat(one.build().warmupEpochs()).isEqualTo(0.1);
        assertThat(one.describeDefaults()).contains("warmup-epochs 0.1");
        PretrainConfig.Builder two = PretrainConfig.builder().setMethod("mae").setData(data)
                .optEpochs(2);
        assertThat(two.build().warmupEpochs()).isEqualTo(1);
        assertThat(two.describeDefaults()).doesNotContain("warmup-epochs");
        PretrainConfig.Builder given = PretrainConfig.builder().setMethod("mae").setData(data)
                .optEpochs(1).optWarmupEpochs(0.25);
        assertThat(given.build().warmupEpochs()).isEqualTo(0.25);
        assertThat(given.describeDefaults()).doesNotContain("warmup-epochs");
        // the CNNs keep no warm-up in a one-epoch run
        assertThat(PretrainConfig.builder().setMethod("simclr").setData(data).optEpochs(1)
                .build().warmupEpochs()).isZero();
        assertThatThrownBy(() -> PretrainConfig.builder().setMethod("simclr").setData(data)
                .optEpochs(1).optWarmupEpochs(1.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("warm-up epochs must be in [0, epochs=1], found 1.5");
    }

    @Test
    void photosKeepTheMethodsOwnSettings() {
        Choice photos = DataDefaults.choose("simclr", "folder:/p", 3, 96, 96);
        assertThat(photos.minCropScale()).isNull();
        assertThat(photos.temperature()).isNull();
        assertThat(photos.colorJitterStrength()).isNull();
        assertThat(photos.batchSize()).isEqualTo(256);
        assertThat(photos.learningRate()).isEqualTo(1e-3);
        assertThat(photos.picks()).isEmpty();
        assertThat(photos.describe(Set.of())).isEqualTo(
                "defaults for larger photos: none picked (the methods' own, and the options given)");
    }

    @Test
    void theLineLeavesOutWhatTheUserGave() {
        Choice choice = DataDefaults.choose("simclr", "shapes", 3, 32, 32);
        String all = choice.describe(Set.of());
        assertThat(all).startsWith("defaults for the built-in shapes: min-crop-scale 0.8 (")
                .contains("; temperature 0.2 (").contains("; batch-size 128 (")
                .contains("; lr 0.005 (");
        String some = choice.describe(Set.of("temperature", "lr"));
        assertThat(some).contains("min-crop-scale 0.8").contains("batch-size 128")
                .doesNotContain("temperature").doesNotContain("lr ");
    }

    @Test
    void anUnknownMethodIsNamed() {
        assertThatThrownBy(() -> DataDefaults.choose("simclear", "idx:/fm", 1, 28, 28))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'simclear'");
    }
}
