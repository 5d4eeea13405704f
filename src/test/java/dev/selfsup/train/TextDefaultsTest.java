package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.augment.text.TextExamples.Kind;
import dev.selfsup.train.DataDefaults.Pick;
import org.junit.jupiter.api.Test;

class TextDefaultsTest {
    @Test
    void aSmallCorpusIsRepeatedToTheMinimumStepsAndSaysSo() {
        // 1.2 M characters of State of the Union: 1,898 training windows, 60 steps of 32
        Pick pick = TextDefaults.stepsPerEpoch(Kind.MLM, 1_898, 32);

        assertThat(pick.setting()).isEqualTo("steps-per-epoch");
        assertThat(pick.value()).isEqualTo(TextDefaults.MIN_STEPS_PER_EPOCH).isEqualTo(400);
        assertThat(pick.toString()).isEqualTo("steps-per-epoch 400 (one pass over the 1,898 "
                + "training windows is only 60 steps of 32, too few to learn; an epoch is at least "
                + "400 steps, so it repeats them, 6.7 passes, each in a new order)");
        assertThat(TextDefaults.stepsPerEpoch(Kind.CONTRASTIVE, 100, 16).reason())
                .startsWith("one pass over the 100 training sentences is only 7 steps of 16");
    }

    @Test
    void aLargeCorpusTakesOnePassAnEpoch() {
        // the whole of State of the Union: about 15,100 windows
        Pick pick = TextDefaults.stepsPerEpoch(Kind.MLM, 15_100, 32);
        assertThat(pick.value()).isEqualTo(472);
        assertThat(pick.toString()).isEqualTo("steps-per-epoch 472 (one pass over the 15,100 "
                + "training windows in batches of 32)");
        assertThat(TextDefaults.stepsPerEpoch(Kind.NSP, 1_000_000, 1).value()).isEqualTo(1_000_000);
    }

    @Test
    void theMinimumIsReachedExactlyAtItsEdge() {
        // 400 x 32 = 12,800 examples: 12,769 still need a 400th (short) batch, 12,768 do not
        assertThat(TextDefaults.stepsPerEpoch(Kind.MLM, 12_800, 32).reason()).startsWith("one pass");
        assertThat(TextDefaults.stepsPerEpoch(Kind.MLM, 12_769, 32).reason()).startsWith("one pass");
        Pick below = TextDefaults.stepsPerEpoch(Kind.MLM, 12_768, 32);
        assertThat(below.value()).isEqualTo(400);
        assertThat(below.reason()).contains("only 399 steps").contains("1.0 passes");
        assertThat(TextDefaults.stepsPerEpoch(Kind.MLM, 12_801, 32).value()).isEqualTo(401);
    }

    @Test
    void badCountsAreRefused() {
        assertThatThrownBy(() -> TextDefaults.stepsPerEpoch(Kind.MLM, 0, 32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("training examples must be > 0, found 0");
        assertThatThrownBy(() -> TextDefaults.stepsPerEpoch(Kind.MLM, 10, -1))
                .hasMessage("batch size must be > 0, found -1");
    }

    @Test
    void theConfigTakesStepsOrExamplesPerEpochNotBoth() {
        TextPretrainConfig config = new TextPretrainConfig("mlm", "text:x", 100, 32, 1, 2, 32, 0f,
                1, 16, 1e-3, 0, 0, 1, 1, 64, null, 8, 1,
                dev.selfsup.data.text.TextFiles.Utf8Errors.STRICT, 100);
        TextPretrainConfig steps = config.withStepsPerEpoch(7);
        assertThat(steps.stepsPerEpoch()).isEqualTo(7);
        assertThat(steps.examplesPerEpoch()).isNull();
        assertThat(steps.withStepsPerEpoch(64)).isNotEqualTo(steps);
        assertThatThrownBy(() -> new TextPretrainConfig("mlm", "text:x", 100, 32, 1, 2, 32, 0f,
                1, 16, 1e-3, 0, 0, 1, 1, 64, 7, 8, 1,
                dev.selfsup.data.text.TextFiles.Utf8Errors.STRICT, 100))
                .hasMessage("an epoch is sized by examples per epoch or by steps per epoch, not "
                        + "both; found 64 examples and 7 steps");
        assertThatThrownBy(() -> config.withStepsPerEpoch(0))
                .hasMessage("steps per epoch must be > 0, found 0");
    }
}
