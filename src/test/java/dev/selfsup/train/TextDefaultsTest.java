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
    void theWarmUpIsATenthButAtLeastItsMinimumAndAtMostAThird() {
        // 400 steps (one picked epoch on a small corpus): a tenth would be 40; a third is 133
        Pick shortRun = TextDefaults.warmup(400, 400);
        assertThat(shortRun.setting()).isEqualTo("warmup-epochs");
        assertThat(shortRun.toString()).isEqualTo("warmup-epochs 0.33 (133 steps, a third of the "
                + "run's 400: a shorter warm-up leaves the Transformer at the unigram plateau)");
        assertThat(fraction(shortRun)).isEqualTo(133 / 400.0);
        // 1,200 steps: the minimum, 150
        Pick middle = TextDefaults.warmup(1_200, 400);
        assertThat(middle.toString()).isEqualTo("warmup-epochs 0.38 (150 steps of the run's 1,200: "
                + "a shorter warm-up leaves the Transformer at the unigram plateau)");
        assertThat(fraction(middle)).isEqualTo(0.125);
        // 3 epochs of the whole State of the Union, 1,416 steps: a tenth, 142, is below 150
        assertThat(fraction(TextDefaults.warmup(1_416, 472))).isEqualTo(150 / 1_416.0);
        // 10,000 steps: a tenth
        Pick longRun = TextDefaults.warmup(10_000, 1_000);
        assertThat(longRun.toString()).isEqualTo("warmup-epochs 1.00 (1,000 steps, a tenth of the "
                + "run's 10,000)");
        assertThat(fraction(longRun)).isEqualTo(0.1);
        // the edges: at 1,500 steps a tenth is exactly the minimum; 2 steps warm up for none
        assertThat(fraction(TextDefaults.warmup(1_500, 500))).isEqualTo(0.1);
        assertThat(fraction(TextDefaults.warmup(2, 1))).isZero();
        assertThatThrownBy(() -> TextDefaults.warmup(0, 1))
                .hasMessage("total steps must be > 0, found 0");
        assertThatThrownBy(() -> TextDefaults.warmup(10, 0))
                .hasMessage("steps per epoch must be > 0, found 0");
    }

    private static double fraction(Pick pick) {
        return ((TextDefaults.WarmupValue) pick.value()).fraction();
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
                1, 16, 1e-3, 0, 0.0, 1, 1, 64, null, 8, 1,
                dev.selfsup.data.text.TextFiles.Utf8Errors.STRICT, 100);
        TextPretrainConfig steps = config.withStepsPerEpoch(7);
        assertThat(steps.stepsPerEpoch()).isEqualTo(7);
        assertThat(steps.examplesPerEpoch()).isNull();
        assertThat(steps.withStepsPerEpoch(64)).isNotEqualTo(steps);
        assertThatThrownBy(() -> new TextPretrainConfig("mlm", "text:x", 100, 32, 1, 2, 32, 0f,
                1, 16, 1e-3, 0, 0.0, 1, 1, 64, 7, 8, 1,
                dev.selfsup.data.text.TextFiles.Utf8Errors.STRICT, 100))
                .hasMessage("an epoch is sized by examples per epoch or by steps per epoch, not "
                        + "both; found 64 examples and 7 steps");
        assertThatThrownBy(() -> config.withStepsPerEpoch(0))
                .hasMessage("steps per epoch must be > 0, found 0");
    }
}
