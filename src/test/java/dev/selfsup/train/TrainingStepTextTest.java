package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.augment.text.MaskedTokens;
import dev.selfsup.augment.text.TextExamples;
import dev.selfsup.augment.text.TokenNoise;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.data.text.TokenizedCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.data.text.WordPieceTrainer;
import dev.selfsup.method.TextMethod;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextEncoderConfig;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainingStepTextTest {
    @Test
    void noArrayOutlivesItsStepForAnyTextMethod() {
        TextCorpus corpus = TextFixtures.corpus(6, 5, 1);
        WordPieceTokenizer tokenizer = new WordPieceTrainer(100, 1).train(
                corpus.documents().stream().flatMap(d -> d.sentences().stream()).toList());
        TokenizedCorpus tokenized = TokenizedCorpus.of(corpus, tokenizer);
        for (String name : TextMethods.NAMES) {
            TorchRuntime.setSeed(1);
            TextMethod method = TextMethods.create(name, new TextEncoderConfig(
                    tokenizer.vocabularySize(), 16, 1, 2, 32, 0.1f));
            TextExamples examples = new TextExamples(method.kind(), tokenized, 32,
                    tokenizer.vocabularySize(), MaskedTokens.bert(), TokenNoise.standard());
            try (NDManager manager = NDManager.newBaseManager();
                    Optimizer optimizer = Optimizer.create("adam", manager, 0.01)) {
                method.model().initialize(manager, 4);
                for (Pair<String, Parameter> entry : method.model().getParameters()) {
                    if (entry.getValue().requiresGradient()) { // not batch norm's running statistics
                        entry.getValue().getArray().setRequiresGradient(true);
                    }
                }
                TrainingStep step = new TrainingStep(method.model(), optimizer, manager,
                        (done, total) -> { });
                int[] counts = new int[21];
                float[] losses = new float[21];
                for (int i = 0; i < counts.length; i++) {
                    int[] ids = {i % examples.size(), (i + 3) % examples.size()};
                    losses[i] = step.run(TrainingStep.textBatch(method,
                            examples.batch(ids, 1, i)), 1e-3, i, counts.length);
                    counts[i] = manager.getManagedArrays().size();
                }
                for (float loss : losses) {
                    assertThat(Float.isFinite(loss)).as(name).isTrue();
                }
                assertThat(Arrays.copyOfRange(counts, 1, counts.length)).as(name)
                        .containsOnly(counts[1]);
            }
        }
    }
}
