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

/**
 * Every text method, 42 steps (21 batches twice): the count of live native arrays is the same
 * after every step from the second on, and no step of the second pass copies its batch through a
 * fresh Java direct buffer (the {@link TrainingStep.TextInput} reuses one; see
 * {@code NativeMemoryTest}).
 */
class TrainingStepTextTest {
    /** The JVM's direct buffers not yet freed. */
    private static final java.lang.management.BufferPoolMXBean DIRECT =
            java.lang.management.ManagementFactory.getPlatformMXBeans(
                    java.lang.management.BufferPoolMXBean.class).stream()
                    .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();

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
                TrainingStep.TextInput input = new TrainingStep.TextInput(method);
                int[] counts = new int[42]; // the 21 batches twice
                float[] losses = new float[42];
                java.util.List<String> allocating = new java.util.ArrayList<>();
                for (int i = 0; i < counts.length; i++) {
                    int b = i % 21;
                    int[] ids = {b % examples.size(), (b + 3) % examples.size()};
                    TrainingStep.Batch batch = input.batch(examples.batch(ids, 1, b));
                    long buffersBefore = DIRECT.getCount();
                    long bytesBefore = DIRECT.getMemoryUsed();
                    losses[i] = step.run(batch, 1e-3, i, counts.length);
                    long buffers = DIRECT.getCount() - buffersBefore;
                    long bytes = DIRECT.getMemoryUsed() - bytesBefore;
                    // DJL's 4-byte buffers behind Number operands may remain; batches may not.
                    // The buffer grows in the first pass, until it holds the largest batch.
                    if (i >= 21 && bytes > 8 * Math.max(buffers, 0)) {
                        allocating.add("step " + i + ": " + buffers + " buffers, " + bytes
                                + " bytes");
                    }
                    counts[i] = manager.getManagedArrays().size();
                }
                assertThat(allocating).as(name + ": steps that copied through direct buffers")
                        .isEmpty();
                for (float loss : losses) {
                    assertThat(Float.isFinite(loss)).as(name).isTrue();
                }
                assertThat(Arrays.copyOfRange(counts, 1, counts.length)).as(name)
                        .containsOnly(counts[1]);
            }
        }
    }
}
