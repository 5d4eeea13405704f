package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.data.text.TextFiles;
import dev.selfsup.method.TextMethods;
import org.junit.jupiter.api.Test;

class TextPretrainConfigBuilderTest {
    @Test
    void fillsInTheCliDefaultsAndShowsThem() {
        TextPretrainConfig config = TextPretrainConfig.builder().setData("text:corpus")
                .optThreads(2).build();
        assertThat(config).isEqualTo(new TextPretrainConfig("mlm", "text:corpus", 8000, 128, 2,
                4, 128, 0.1f, 10, 32, TextMethods.defaultLearningRate("mlm"), 0.01, null, 0, 2,
                null, null, 512, 2, TextFiles.Utf8Errors.STRICT, 1_000_000));
        assertThat(config.toJson().replaceAll("\\s", "")).contains("\"method\":\"mlm\"")
                .contains("\"vocabulary_size\":8000").contains("\"warmup_fraction\":null");
        TextPretrainConfig contrastive = TextPretrainConfig.builder().setData("text:corpus")
                .optMethod("text-contrastive").optEncoder(64, 1, 2).optStepsPerEpoch(40)
                .optLearningRate(5e-4).build();
        assertThat(contrastive.width()).isEqualTo(64);
        assertThat(contrastive.stepsPerEpoch()).isEqualTo(40);
        assertThat(contrastive.learningRate()).isEqualTo(5e-4);
    }

    @Test
    void refusesMissingOrContradictorySettingsNamingThem() {
        assertThatThrownBy(() -> TextPretrainConfig.builder().build())
                .hasMessage("data must be set (setData), found none");
        assertThatThrownBy(() -> TextPretrainConfig.builder().setData("text:x").optMethod("bert")
                .build()).hasMessageContaining("found 'bert'");
        assertThatThrownBy(() -> TextPretrainConfig.builder().setData("text:x")
                .optExamplesPerEpoch(100).optStepsPerEpoch(10).build())
                .hasMessageContaining("not both; found 100 and 10");
        assertThatThrownBy(() -> TextPretrainConfig.builder().setData("text:x").optEpochs(0)
                .build()).hasMessageContaining("found 0");
    }
}
