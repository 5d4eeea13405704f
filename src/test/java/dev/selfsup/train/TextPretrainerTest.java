package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TextFiles;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.method.TextMethod;
import dev.selfsup.report.EmbeddingPictures;
import dev.selfsup.report.NearestSentences;
import dev.selfsup.report.ReportWriter;
import dev.selfsup.util.AtomicFiles;
import dev.selfsup.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextPretrainerTest {
    @TempDir
    Path dir;

    private static TextPretrainConfig config(String method, int epochs, Integer examples) {
        return new TextPretrainConfig(method, "text:generated", 120, 32, 1, 2, 32, 0.0f, epochs,
                16, 3e-3, 0.0, 0.0, 5, 2, examples, null, 64, 1, TextFiles.Utf8Errors.STRICT, 1000);
    }

    /** With dropout (libtorch draws), warm-up, weight decay and two checkpoints kept. */
    private static TextPretrainConfig resumable(String method, int epochs) {
        return new TextPretrainConfig(method, "text:generated", 120, 32, 1, 2, 32, 0.1f, epochs,
                16, 3e-3, 0.01, 0.2, 5, 2, 48, null, 32, 2, TextFiles.Utf8Errors.STRICT, 1000);
    }

    @Test
    void maskedLanguageModelLossFallsAndTheCheckpointEmbedsText() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(40, 8, 1);

        TextPretrainer.Result result = new TextPretrainer(config("mlm", 4, TextLearningTest.ONE_PASS), corpus,
                ProgressListener.silent(), m -> { }).run(dir.resolve("run"));

        List<TextEpochMetrics> epochs = result.epochs();
        assertThat(epochs).hasSize(4);
        assertThat(epochs.get(3).loss()).isLessThan(epochs.get(0).loss() * 0.8);
        assertThat(epochs.get(3).perplexity()).isLessThan(epochs.get(0).perplexity());
        assertThat(epochs.get(3).nspAccuracy()).isNull();
        Path run = dir.resolve("run");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(4)
                .allMatch(line -> line.contains("\"masked_accuracy\"") && line.contains("\"perplexity\"")
                        && line.contains("\"most_frequent_piece_rate\""));
        assertThat(run.resolve("report.html")).exists();
        assertThat(Files.readString(run.resolve("config.json"))).contains("\"text_crc32c\"");
        Path checkpoint = result.checkpoint();
        assertThat(checkpoint.resolve(WordPieceTokenizer.FILE_NAME)).exists();
        assertThat(WordPieceTokenizer.load(checkpoint.resolve(WordPieceTokenizer.FILE_NAME)).vocabulary())
                .isEqualTo(result.tokenizer().vocabulary());

        try (NDManager manager = NDManager.newBaseManager()) {
            TextEncoder encoder = TextEncoder.load(run, manager);
            List<String> texts = List.of("The river sees the boat.", "The king keeps the crown. "
                    + "The knight watches the gate near the tower.");
            FeatureMatrix a = encoder.embed(texts, false, 2, manager);
            FeatureMatrix b = encoder.embed(texts, false, 2, manager);
            assertThat(a.rows()).isEqualTo(2);
            assertThat(a.dim()).isEqualTo(32);
            assertThat(a.isFinite()).isTrue();
            assertThat(a.values()).containsExactly(b.values());
            assertThat(encoder.embed(texts, true, 1, manager).values()).isNotEqualTo(a.values());

            // the report's text retrieval: held-out sentences, their nearest training sentences
            // by the final encoder's cosine (mean pooling, as embed), and the embedding map
            NearestSentences nearest = NearestSentences.read(run).orElseThrow();
            assertThat(nearest.epoch()).isEqualTo(4);
            assertThat(nearest.queries()).hasSize(6);
            List<String> heldOut = new ArrayList<>();
            List<String> training = new ArrayList<>();
            for (int d = 0; d < corpus.documents().size(); d++) {
                (d % 10 == 5 ? heldOut : training).addAll(corpus.documents().get(d).sentences());
            }
            for (NearestSentences.Query query : nearest.queries()) {
                assertThat(heldOut).contains(query.text());
                assertThat(query.neighbours()).hasSize(5);
                assertThat(query.neighbours()).extracting(NearestSentences.Neighbour::cosine)
                        .isSortedAccordingTo(java.util.Comparator.reverseOrder());
                NearestSentences.Neighbour first = query.neighbours().get(0);
                assertThat(training).contains(first.text());
                FeatureMatrix pair = encoder.embed(List.of(query.text(), first.text()), manager);
                assertThat(first.cosine()).isCloseTo(cosine(pair), within(1e-4));
            }
            assertThat(run.resolve("pictures/embedding-map.png")).isRegularFile();
            assertThat(run.resolve("pictures/embedding-tsne.png")).isRegularFile();
            assertThat(EmbeddingPictures.TsneMap.read(run.resolve("pictures")).orElseThrow()
                    .epoch()).isEqualTo(4);
            assertThat(Files.readString(run.resolve("report.html")))
                    .contains("held-out sentence").contains("embedding-map.png")
                    .contains("embedding-tsne.png").contains("t-SNE of the held-out sentences")
                    .contains(ReportWriter.escape(nearest.queries().get(0).text()));
        }
    }

    private static double cosine(FeatureMatrix pair) {
        double dot = 0;
        double a = 0;
        double b = 0;
        for (int j = 0; j < pair.dim(); j++) {
            float x = pair.values()[j];
            float y = pair.values()[pair.dim() + j];
            dot += x * y;
            a += x * x;
            b += y * y;
        }
        return dot / Math.sqrt(a * b);
    }

    @Test
    void theSameSeedRepeatsTheRunExactly() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(20, 6, 2);
        double first = new TextPretrainer(config("mlm", 1, 32), corpus, ProgressListener.silent(),
                m -> { }).run(dir.resolve("a")).last().loss();
        double second = new TextPretrainer(config("mlm", 1, 32), corpus, ProgressListener.silent(),
                m -> { }).run(dir.resolve("b")).last().loss();

        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(dir.resolve("a/checkpoints/epoch-0001/model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("b/checkpoints/epoch-0001/model.safetensors")));
    }

    @Test
    void aStoppedRunResumedRepeatsAnUninterruptedOne() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(20, 6, 5);
        Path whole = dir.resolve("whole");
        new TextPretrainer(resumable("mlm+nsp", 3), corpus, ProgressListener.silent(), m -> { })
                .run(whole);

        // stopped during epoch 3: two epochs logged and checkpointed
        Path stopped = dir.resolve("stopped");
        ProgressListener stopInEpoch3 = stopAtStep(7); // 3 steps per epoch: epoch 3's first
        assertThatThrownBy(() -> new TextPretrainer(resumable("mlm+nsp", 3), corpus, stopInEpoch3,
                m -> { }).run(stopped)).hasMessage("stopped");
        assertThat(Files.readAllLines(stopped.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(Checkpoints.latest(stopped)).hasValue(stopped.resolve("checkpoints/epoch-0002"));

        TextPretrainer.Result resumed = new TextPretrainer(TextPretrainConfig.readFrom(stopped),
                corpus, ProgressListener.silent(), m -> { }).run(stopped, true);

        assertThat(resumed.epochs()).extracting(TextEpochMetrics::epoch).containsExactly(1, 2, 3);
        assertSameRun(stopped, whole);

        // stopped after epoch 3's metrics line, before its checkpoint: the line is redone
        AtomicFiles.deleteTree(stopped.resolve("checkpoints/epoch-0003"));
        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, ProgressListener.silent(),
                m -> { }).run(stopped, true);
        assertSameRun(stopped, whole);
    }

    @Test
    void aFinishedRunExtendedKeepsItsWarmUpStepsAndAStoppedExtensionResumesExactly()
            throws Exception {
        TextCorpus corpus = TextFixtures.corpus(20, 6, 5);
        Path through = dir.resolve("through");
        new TextPretrainer(resumable("mlm+nsp", 1), corpus, ProgressListener.silent(), m -> { })
                .run(through);
        TextPretrainer.Result result = new TextPretrainer(
                TextPretrainConfig.readFrom(through).withEpochs(3), corpus,
                ProgressListener.silent(), m -> { }).run(through, true);

        assertThat(result.epochs()).extracting(TextEpochMetrics::epoch).containsExactly(1, 2, 3);
        // 3 steps an epoch; the warm-up was round(0.2 x 3) = 1 step, and is 1 of the 9 steps now
        assertThat(TextPretrainConfig.readFrom(through))
                .isEqualTo(resumable("mlm+nsp", 3).withWarmupFraction(1 / 9.0));
        CosineSchedule horizon = new CosineSchedule(3e-3, 1, 9);
        assertThat(result.epochs()).extracting(TextEpochMetrics::learningRate).containsExactly(
                new CosineSchedule(3e-3, 1, 3).learningRate(2), horizon.learningRate(5),
                horizon.learningRate(8));
        JsonNode extended = Json.MAPPER.readTree(through.resolve("config.json").toFile())
                .get(Resumption.EXTENDED);
        assertThat(extended.size()).isEqualTo(1);
        assertThat(extended.get(0).get("from_epochs").asInt()).isEqualTo(1);
        assertThat(extended.get(0).get("to_epochs").asInt()).isEqualTo(3);
        assertThat(extended.get(0).get("at_step").asLong()).isEqualTo(3);

        // the same extension stopped in epoch 3, then resumed without naming the epochs again
        Path stopped = dir.resolve("stopped");
        new TextPretrainer(resumable("mlm+nsp", 1), corpus, ProgressListener.silent(), m -> { })
                .run(stopped);
        assertThatThrownBy(() -> new TextPretrainer(
                TextPretrainConfig.readFrom(stopped).withEpochs(3), corpus, stopAtStep(7),
                m -> { }).run(stopped, true)).hasMessage("stopped");
        assertThat(Checkpoints.latest(stopped)).hasValue(stopped.resolve("checkpoints/epoch-0002"));
        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, ProgressListener.silent(),
                m -> { }).run(stopped, true);
        assertSameRun(stopped, through);
        assertThat(Json.MAPPER.readTree(stopped.resolve("config.json").toFile())
                .get(Resumption.EXTENDED).size()).isEqualTo(1);

        // complete: nothing to train, and said; fewer epochs refused
        List<String> notes = new ArrayList<>();
        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, noting(notes), m -> { })
                .run(stopped, true);
        assertThat(notes).containsExactly(Resumption.completeMessage(stopped, 3));
        assertThatThrownBy(() -> new TextPretrainer(TextPretrainConfig.readFrom(stopped)
                .withEpochs(2), corpus, ProgressListener.silent(), m -> { }).run(stopped, true))
                .hasMessage("epochs must be at least the 3 the run in " + stopped
                        + " has trained, found 2");
        assertThat(Files.readAllLines(stopped.resolve("metrics.jsonl"))).hasSize(3);
    }

    /** As {@link #resumable}, but an epoch is {@code steps} steps over the repeated examples. */
    private static TextPretrainConfig inSteps(String method, int epochs, int steps) {
        return resumable(method, epochs).withStepsPerEpoch(steps);
    }

    @Test
    void anEpochInStepsRepeatsASmallCorpusAndAStoppedRunResumesExactly() throws Exception {
        // about 20 training windows: 5 steps of 16 are 4 passes an epoch, most batches span two
        TextCorpus corpus = TextFixtures.corpus(6, 6, 5);
        Path whole = dir.resolve("whole");
        TextPretrainer.Result result = new TextPretrainer(inSteps("mlm", 3, 5), corpus,
                ProgressListener.silent(), m -> { }).run(whole);
        assertThat(result.epochs()).extracting(TextEpochMetrics::step).containsExactly(5L, 10L, 15L);
        assertThat(TextPretrainConfig.readFrom(whole).stepsPerEpoch()).isEqualTo(5);

        Path stopped = dir.resolve("stopped");
        assertThatThrownBy(() -> new TextPretrainer(inSteps("mlm", 3, 5), corpus, stopAtStep(12),
                m -> { }).run(stopped)).hasMessage("stopped");
        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, ProgressListener.silent(),
                m -> { }).run(stopped, true);
        assertSameRun(stopped, whole);
    }

    @Test
    void aRunBegunBeforeEpochsWereSizedInStepsResumesAsItBegan() throws Exception {
        // its config.json has neither examples_per_epoch nor steps_per_epoch: one pass an epoch
        TextCorpus corpus = TextFixtures.corpus(20, 6, 5);
        TextPretrainConfig onePass = new TextPretrainConfig("mlm", "text:generated", 120, 32, 1, 2,
                32, 0.1f, 3, 16, 3e-3, 0.01, 0.2, 5, 2, TextLearningTest.ONE_PASS, null, 32, 2,
                TextFiles.Utf8Errors.STRICT, 1000);
        Path whole = dir.resolve("whole");
        new TextPretrainer(onePass, corpus, ProgressListener.silent(), m -> { }).run(whole);
        Path stopped = dir.resolve("stopped");
        ProgressListener stopInEpoch3 = new ProgressListener() {
            @Override
            public void epochTrained(int epoch) {
                if (epoch == 3) {
                    throw new IllegalStateException("stopped");
                }
            }
        };
        assertThatThrownBy(() -> new TextPretrainer(onePass, corpus, stopInEpoch3, m -> { })
                .run(stopped)).hasMessage("stopped");
        Path config = stopped.resolve("config.json");
        Files.writeString(config, Files.readString(config).replace(
                "\"examples_per_epoch\" : 2147483647", "\"examples_per_epoch\" : null"));
        assertThat(TextPretrainConfig.readFrom(stopped).examplesPerEpoch()).isNull();

        List<String> notes = new ArrayList<>();
        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, noting(notes), m -> { })
                .run(stopped, true);
        assertThat(notes).isEmpty();
        assertSameRun(stopped, whole);
    }

    @Test
    void theStreamShowsEveryExampleOncePerPassAndAStepDependsOnItsNumberAlone() {
        // 10 examples in batches of 4: step 2 holds the last 2 of pass 0 and the first 2 of pass 1
        TextPretrainer.ExampleStream stream = new TextPretrainer.ExampleStream(10, 4, 3);
        int[][] ids = new int[5][4];
        long[][] passes = new long[5][4];
        for (int step = 0; step < 5; step++) {
            stream.step(step, ids[step], passes[step]);
        }
        int[] seen = new int[10];
        int[] seenTwice = new int[10];
        for (int place = 0; place < 20; place++) {
            int id = ids[place / 4][place % 4];
            long pass = passes[place / 4][place % 4];
            assertThat(pass).isEqualTo(place / 10);
            (pass == 0 ? seen : seenTwice)[id]++;
        }
        assertThat(seen).containsOnly(1);
        assertThat(seenTwice).containsOnly(1);
        assertThat(passes[2]).containsExactly(0, 0, 1, 1);
        // the passes are in different orders
        assertThat(java.util.Arrays.copyOfRange(ids[2], 2, 4))
                .isNotEqualTo(java.util.Arrays.copyOfRange(ids[0], 0, 2));
        // a fresh stream (a resumed run) gives step 3 the same examples
        int[] again = new int[4];
        long[] againPasses = new long[4];
        new TextPretrainer.ExampleStream(10, 4, 3).step(3, again, againPasses);
        assertThat(again).containsExactly(ids[3]);
        assertThat(againPasses).containsExactly(passes[3]);
    }

    @Test
    void leftOutStepsPerEpochArePickedSaidAndWrittenAndTheRunResumesWithThem() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(6, 6, 5);
        Path run = dir.resolve("picked");
        // the examples-per-epoch cap, the steps per epoch and the warm-up all left out: the
        // steps are picked, then the warm-up from the run's 800 steps
        TextPretrainConfig config = new TextPretrainConfig("mlm", "text:generated", 120, 32, 1, 2,
                32, 0.1f, 2, 16, 3e-3, 0.01, null, 5, 2, null, null, 32, 2,
                TextFiles.Utf8Errors.STRICT, 1000);
        List<String> notes = new ArrayList<>();
        ProgressListener noting = new ProgressListener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }

            @Override
            public void epochTrained(int epoch) {
                if (epoch == 2) {
                    throw new IllegalStateException("stopped");
                }
            }
        };
        assertThatThrownBy(() -> new TextPretrainer(config, corpus, noting, m -> { }).run(run))
                .hasMessage("stopped");

        assertThat(notes).hasSize(2);
        assertThat(notes.get(0))
                .startsWith("defaults for text: steps-per-epoch " + TextDefaults.MIN_STEPS_PER_EPOCH
                        + " (one pass over the ")
                .contains("steps of 16, too few to learn");
        assertThat(notes.get(1)).isEqualTo("defaults for text: warmup-epochs 0.38 (150 steps of "
                + "the run's 800: a shorter warm-up leaves the Transformer at the unigram plateau)");
        assertThat(TextPretrainConfig.readFrom(run))
                .isEqualTo(config.withStepsPerEpoch(TextDefaults.MIN_STEPS_PER_EPOCH)
                        .withWarmupFraction(150 / 800.0));
        // the config that left it out resumes the run, which keeps the picked value
        notes.clear();
        TextPretrainer.Result resumed = new TextPretrainer(config, corpus, noting(notes),
                m -> { }).run(run, true);
        assertThat(notes).isEmpty();
        assertThat(resumed.epochs()).extracting(TextEpochMetrics::step)
                .containsExactly(400L, 800L);
    }

    static ProgressListener noting(List<String> notes) {
        return new ProgressListener() {
            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
    }

    @Test
    void contrastiveRunsNeverMakeABatchOfOneSentence() throws Exception {
        assertThatThrownBy(() -> new TextPretrainConfig("text-contrastive", "text:x", 120, 32, 1, 2,
                32, 0f, 1, 1, 1e-3, 0, 0.0, 1, 1, null, null, 8, 1, TextFiles.Utf8Errors.STRICT, 100))
                .hasMessage("text-contrastive needs a batch of at least 2 sentences (each one's "
                        + "negatives are the others), found 1");
        TextMethod contrastive = dev.selfsup.method.TextMethods.create("text-contrastive",
                new dev.selfsup.nn.TextEncoderConfig(120, 32, 1, 2, 32, 0f));
        TextMethod mlm = dev.selfsup.method.TextMethods.create("mlm",
                new dev.selfsup.nn.TextEncoderConfig(120, 32, 1, 2, 32, 0f));
        assertThat(TextPretrainer.usable(contrastive, 33, 16)).isEqualTo(32);
        assertThat(TextPretrainer.usable(contrastive, 34, 16)).isEqualTo(34);
        assertThat(TextPretrainer.usable(mlm, 33, 16)).isEqualTo(33);
        // 17 examples in batches of 16 would leave one alone: the run uses 16, one step an epoch
        TextPretrainer.Result result = new TextPretrainer(config("text-contrastive", 2, 17),
                TextFixtures.corpus(12, 6, 3), ProgressListener.silent(), m -> { })
                .run(dir.resolve("odd"));
        assertThat(result.last().step()).isEqualTo(2);
        assertThat(Double.isFinite(result.last().loss())).isTrue();
    }

    @Test
    void aStoppedContrastiveRunResumesExactlyWithItsBatchNormStatistics() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(20, 6, 5);
        Path whole = dir.resolve("whole");
        new TextPretrainer(resumable("text-contrastive", 3), corpus, ProgressListener.silent(),
                m -> { }).run(whole);
        Path stopped = dir.resolve("stopped");
        ProgressListener stopInEpoch3 = stopAtStep(7); // 3 steps per epoch: epoch 3's first
        assertThatThrownBy(() -> new TextPretrainer(resumable("text-contrastive", 3), corpus,
                stopInEpoch3, m -> { }).run(stopped)).hasMessage("stopped");

        new TextPretrainer(TextPretrainConfig.readFrom(stopped), corpus, ProgressListener.silent(),
                m -> { }).run(stopped, true);
        assertSameRun(stopped, whole);
    }

    /** A listener that stops the run by throwing when step {@code stop} has finished. */
    static ProgressListener stopAtStep(long stop) {
        return new ProgressListener() {
            @Override
            public void stepFinished(long step, double loss, double viewsPerSecond) {
                if (step == stop) {
                    throw new IllegalStateException("stopped");
                }
            }
        };
    }

    /** Same last weights and optimiser state, byte for byte; same metrics but for timings. */
    private static void assertSameRun(Path actual, Path expected) throws Exception {
        for (String file : List.of(Checkpoints.MODEL_FILE, Checkpoints.OPTIMIZER_FILE,
                Checkpoints.STATE_FILE, WordPieceTokenizer.FILE_NAME)) {
            Path last = Path.of("checkpoints", "epoch-0003", file);
            // -1: no byte differs
            assertThat(Files.mismatch(actual.resolve(last), expected.resolve(last))).as(file)
                    .isEqualTo(-1L);
        }
        assertThat(withoutTimings(actual)).isEqualTo(withoutTimings(expected)).hasSize(3);
    }

    private static List<JsonNode> withoutTimings(Path run) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            ObjectNode node = (ObjectNode) Json.MAPPER.readTree(line);
            node.remove(List.of("views_per_second", "epoch_seconds"));
            lines.add(node);
        }
        return lines;
    }

    @Test
    void resumingRefusesAnotherRunsCheckpointConfigOrText() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(12, 4, 6);
        Path run = dir.resolve("run");
        TextPretrainConfig config = resumable("mlm", 1);
        // nothing to resume yet: starts from scratch
        new TextPretrainer(config, corpus, ProgressListener.silent(), m -> { }).run(run, true);
        assertThat(run.resolve("config.json")).exists();
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(1);
        Path state = run.resolve("checkpoints/epoch-0001/state.json");
        String saved = Files.readString(state);

        Files.writeString(state, saved.replace("\"method\" : \"mlm\"", "\"method\" : \"nsp\""));
        assertThatThrownBy(() -> new TextPretrainer(config, corpus, ProgressListener.silent(),
                m -> { }).run(run, true))
                .isInstanceOf(java.io.IOException.class)
                .hasMessage(state + ": a checkpoint of method nsp, but the run's config.json "
                        + "trains mlm");
        Files.writeString(state, "{\"epoch\":1,\"step\":3,\"method\":\"mlm\",\"backbone\":\"mlp\"}");
        assertThatThrownBy(() -> new TextPretrainer(config, corpus, ProgressListener.silent(),
                m -> { }).run(run, true))
                .hasMessageStartingWith(state + ": not a text checkpoint");
        Files.writeString(state, saved);

        // another setting than epochs or how the run is carried out: the first one is named
        assertThatThrownBy(() -> new TextPretrainer(config("mlm", 2, 48), corpus,
                ProgressListener.silent(), m -> { }).run(run, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dropout cannot change on resume: the run in " + run
                        + " has 0.1, found 0.0");
        assertThatThrownBy(() -> new TextPretrainer(config, TextFixtures.corpus(12, 4, 7),
                ProgressListener.silent(), m -> { }).run(run, true))
                .hasMessageContaining(run.resolve("config.json") + ": the run began on text with "
                        + "checksum");
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(1);
    }

    @Test
    void nextSentenceAndAutoencoderRunsReportTheirMetrics() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(24, 6, 3);

        TextEpochMetrics both = new TextPretrainer(config("mlm+nsp", 2, 48), corpus,
                ProgressListener.silent(), m -> { }).run(dir.resolve("both")).last();
        TextPretrainer.Result autoencoder = new TextPretrainer(config("text-autoencoder", 2, 64),
                corpus, ProgressListener.silent(), m -> { }).run(dir.resolve("ae"));

        assertThat(both.nspAccuracy()).isBetween(0.0, 1.0);
        assertThat(both.maskedAccuracy()).isBetween(0.0, 1.0);
        assertThat(Double.isFinite(both.loss())).isTrue();
        List<TextEpochMetrics> ae = autoencoder.epochs();
        assertThat(ae.get(1).reconstructionAccuracy()).isBetween(0.0, 1.0);
        assertThat(ae.get(1).maskedAccuracy()).isNull();
        assertThat(ae.get(1).loss()).isLessThan(ae.get(0).loss());
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(TextEncoder.load(dir.resolve("ae"), manager).method()).isEqualTo("text-autoencoder");
        }
    }

    @Test
    void contrastiveRunLearnsToFindEachSentencesOtherView() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(40, 8, 8);
        TextPretrainer.Result result = new TextPretrainer(config("text-contrastive", 4, TextLearningTest.ONE_PASS), corpus,
                ProgressListener.silent(), m -> { }).run(dir.resolve("contrastive"));

        List<TextEpochMetrics> epochs = result.epochs();
        assertThat(epochs.get(3).loss()).isLessThan(epochs.get(0).loss());
        assertThat(epochs.get(3).viewAccuracy()).isGreaterThan(epochs.get(0).viewAccuracy());
        assertThat(epochs.get(3).nspAccuracy()).isNull();
        assertThat(epochs.get(3).maskedAccuracy()).isNull();
        assertThat(Files.readAllLines(dir.resolve("contrastive/metrics.jsonl")))
                .allMatch(line -> line.contains("\"view_accuracy\""));
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThat(TextEncoder.load(dir.resolve("contrastive"), manager).method())
                    .isEqualTo("text-contrastive");
        }
    }

    @Test
    void anExistingRunAndBadSettingsAreRefused() throws Exception {
        Files.createDirectories(dir.resolve("taken"));
        Files.writeString(dir.resolve("taken/config.json"), "{}");
        TextCorpus corpus = TextFixtures.corpus(4, 3, 3);

        assertThatThrownBy(() -> new TextPretrainer(config("mlm", 1, TextLearningTest.ONE_PASS), corpus,
                ProgressListener.silent(), m -> { }).run(dir.resolve("taken")))
                .hasMessageContaining("already holds a run");
        assertThatThrownBy(() -> config("bert", 1, TextLearningTest.ONE_PASS))
                .hasMessageContaining("text method must be one of [mlm, nsp, mlm+nsp, text-autoencoder, text-contrastive]");
        assertThatThrownBy(() -> new TextPretrainConfig("mlm", "text:x", 8, 32, 1, 2, 32, 0f, 1, 16,
                1e-3, 0, 0.0, 1, 1, null, null, 8, 1, TextFiles.Utf8Errors.STRICT, 100))
                .hasMessage("vocabulary size must be >= 16, found 8");
    }

    @Test
    void aCorpusOfFewDocumentsHoldsOutTheirLastSentences() throws Exception {
        TextCorpus corpus = TextFixtures.corpus(3, 10, 6);
        TextEpochMetrics pairs = new TextPretrainer(config("nsp", 1, 16), corpus,
                ProgressListener.silent(), m -> { }).run(dir.resolve("few")).last();
        assertThat(pairs.nspAccuracy()).isBetween(0.0, 1.0);
        var parts = dev.selfsup.data.text.TokenizedCorpus.of(corpus,
                new dev.selfsup.data.text.WordPieceTrainer(100, 1).train(
                        corpus.documents().get(0).sentences())).holdOut(10);
        assertThat(parts[0].documents()).hasSize(3).allMatch(d -> d.size() == 9);
        assertThat(parts[1].documents()).hasSize(3).allMatch(d -> d.size() == 1);
    }

    @Test
    void anImageCheckpointIsNotATextEncoder() throws Exception {
        Path checkpoint = Files.createDirectories(dir.resolve("image/checkpoints/epoch-0001"));
        Files.writeString(checkpoint.resolve("state.json"), "{\"epoch\":1,\"method\":\"simclr\"}");
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> TextEncoder.load(dir.resolve("image"), manager))
                    .hasMessageContaining("not a text checkpoint");
        }
    }
}
