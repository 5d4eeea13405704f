package dev.selfsup.cli;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.text.LabeledText;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.WordPieceTokenizer;
import dev.selfsup.data.text.WordPieceTrainer;
import dev.selfsup.eval.EmbeddingWriter;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.LabelEfficiency;
import dev.selfsup.eval.LinearProbe;
import dev.selfsup.eval.TfIdfFeatures;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextEncoderConfig;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.TextCheckpointState;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.train.TextEpochMetrics;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.train.TextPretrainer;
import dev.selfsup.util.Json;
import java.nio.file.Path;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The text paths of {@code pretrain}, {@code eval} and {@code embed}. */
final class TextCommands {
    /** TF-IDF columns of the bag-of-words baseline. */
    static final int TF_IDF_FEATURES = 5000;

    private TextCommands() {}

    static int pretrain(PretrainCommand c) throws Exception {
        TextPretrainConfig config = c.resume != null
                ? ResumeOptions.resumed(c, TextPretrainConfig.readFrom(c.resume)) : resolve(c);
        if (c.resume != null && ResumeOptions.complete(c.resume, config.epochs())) {
            return 0;
        }
        TextCorpus corpus = TextOptions.corpus(config.data(), config.utf8Errors(),
                config.maxLineChars());
        if (c.printConfig) {
            return ConfigFile.print(new TextPretrainer(config, corpus, ConfigFile.NOTES,
                    m -> { }).newRunConfig());
        }
        Path runDir = c.resume != null ? c.resume : c.out != null ? c.out
                : Path.of("runs", config.method().replace('+', '-'));
        System.out.printf("%s on %s (%d documents, %d sentences, %,d characters), width %d, "
                        + "%d layers, %d epochs, batch %d%n", config.method(), config.data(),
                corpus.documents().size(), corpus.sentenceCount(), corpus.characterCount(),
                config.width(), config.layers(), config.epochs(), config.batchSize());
        TextPretrainer.Result result;
        try (ConsoleProgress progress = new ConsoleProgress(System.out)) {
            result = new TextPretrainer(config, corpus, progress, TextCommands::printEpoch)
                    .run(runDir, c.resume != null);
        }
        System.out.printf("done in %.1f s: %s (report: %s)%n", result.trainSeconds(),
                result.checkpoint(), runDir.resolve("report.html"));
        return 0;
    }

    /** The config of a new text run from the command's options, with text defaults filled in. */
    private static TextPretrainConfig resolve(PretrainCommand c) {
        TextOptions text = c.text;
        String method = text.given("--method") ? c.method : "mlm";
        if (!TextMethods.NAMES.contains(method)) {
            throw new IllegalArgumentException("--method for text must be one of "
                    + TextMethods.NAMES + ", found '" + method + "'");
        }
        if (c.precision != null && !"fp32".equals(c.precision)) {
            throw new IllegalArgumentException("--precision " + c.precision + " applies to image "
                    + "methods; text methods run in fp32");
        }
        int batchSize = text.given("--batch-size") ? c.batchSize : 32;
        if (text.stepsPerEpoch != null && c.data.trainSize != null) {
            throw new IllegalArgumentException("give --steps-per-epoch or --train-size (examples "
                    + "per epoch, never repeated), not both; found " + text.stepsPerEpoch
                    + " and " + c.data.trainSize);
        }
        if (c.warmupEpochs != null && text.warmupFraction != null) {
            throw new IllegalArgumentException("give --warmup-epochs or --warmup-fraction, not "
                    + "both; found " + new java.math.BigDecimal(c.warmupEpochs.toString())
                    .stripTrailingZeros().toPlainString() + " and " + text.warmupFraction);
        }
        TextPretrainConfig.Builder builder = TextPretrainConfig.builder()
                .setData(c.data.data)
                .optMethod(method)
                .optVocabularySize(text.vocabularySize)
                .optEncoder(text.width, text.layers, text.heads)
                .optMaxLength(text.maxTokens)
                .optDropout(text.dropout)
                .optEpochs(c.epochs)
                .optBatchSize(batchSize)
                .optWarmupFraction(c.warmupEpochs != null
                        ? Double.valueOf(c.warmupEpochs / (double) c.epochs) : text.warmupFraction)
                .optSeed(c.seed)
                .optExamplesPerEpoch(c.data.trainSize)
                .optStepsPerEpoch(text.stepsPerEpoch)
                .optKeepCheckpoints(c.keepCheckpoints)
                .optUtf8Errors(text.utf8Errors())
                .optMaxLineChars(text.maxLineLength);
        if (c.learningRate != null) {
            builder.optLearningRate(c.learningRate);
        }
        if (c.weightDecay != null) {
            builder.optWeightDecay(c.weightDecay);
        }
        if (c.threads != null) {
            builder.optThreads(c.threads);
        }
        if (c.data.testSize != null) {
            builder.optHeldOutExamples(c.data.testSize);
        }
        TextPretrainConfig config = builder.build();
        if (text.given("--optimizer") && !"adamw".equals(c.optimizer)) {
            throw new IllegalArgumentException("text methods train with adamw (decoupled weight "
                    + "decay that spares biases and layer norms), found --optimizer " + c.optimizer);
        }
        return config;
    }

    private static void printEpoch(TextEpochMetrics m) {
        StringBuilder line = new StringBuilder(String.format("epoch %d: loss %.4f", m.epoch(), m.loss()));
        if (m.maskedAccuracy() != null) {
            line.append(String.format(", held-out masked accuracy %.4f", m.maskedAccuracy()));
        }
        if (m.reconstructionAccuracy() != null) {
            line.append(String.format(", held-out reconstruction accuracy %.4f",
                    m.reconstructionAccuracy()));
        }
        if (m.mostFrequentPieceRate() != null) {
            line.append(String.format(" (a constant guess: %.4f)", m.mostFrequentPieceRate()));
        }
        if (m.perplexity() != null) {
            line.append(String.format(", perplexity %.2f", m.perplexity()));
        }
        if (m.nspAccuracy() != null) {
            line.append(String.format(", NSP accuracy %.4f", m.nspAccuracy()));
        }
        if (m.viewAccuracy() != null) {
            line.append(String.format(", view accuracy %.4f", m.viewAccuracy()));
        }
        System.out.println(line.append(String.format(" (%.1f s)", m.epochSeconds())));
    }

    static int eval(EvalCommand c, boolean knn, boolean linear) throws Exception {
        TextOptions text = c.text;
        c.threads.apply();
        LabeledText.Splits splits = text.labeled(c.data.data, c.data.trainSize, c.data.testSize);
        String features;
        FeatureMatrix train;
        FeatureMatrix test;
        Double knnTop1 = null;
        Double linearTop1 = null;
        try (NDManager manager = NDManager.newBaseManager()) {
            if (c.checkpoint != null || c.randomInit != null) {
                TextEncoder encoder;
                if (c.checkpoint != null) {
                    encoder = TextEncoder.load(c.checkpoint, manager);
                    features = "checkpoint " + c.checkpoint + " (" + text.pooling + ")";
                } else {
                    encoder = randomInit(c, splits, manager);
                    features = "random-init transformer (" + text.pooling + ")";
                }
                train = encoder.embed(splits.train().texts(), text.cls(), text.windows(), manager);
                test = encoder.embed(splits.test().texts(), text.cls(), text.windows(), manager);
            } else {
                TfIdfFeatures tfIdf = TfIdfFeatures.fit(splits.train().texts(), TF_IDF_FEATURES);
                features = "tf-idf bag of words (" + tfIdf.dim() + " words)";
                train = tfIdf.transform(splits.train().texts());
                test = tfIdf.transform(splits.test().texts());
            }
            int classes = splits.train().classNames().size();
            if (knn) {
                knnTop1 = c.knn().accuracy(train, splits.train().labels(), test,
                        splits.test().labels(), classes, manager);
            }
            if (linear) {
                linearTop1 = LinearProbe.standard(c.seed).accuracy(train, splits.train().labels(),
                        test, splits.test().labels(), classes, manager);
            }
        }
        if (c.json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("data", c.data.data);
            out.put("features", features);
            out.put("train_size", splits.train().size());
            out.put("test_size", splits.test().size());
            out.put("knn_top1", knnTop1);
            out.put("knn_k", c.knnK);
            out.put("knn_temperature", c.knnTemperature);
            out.put("linear_top1", linearTop1);
            System.out.println(Json.COMPACT.writeValueAsString(out));
        } else {
            System.out.printf("%d train / %d test texts (%s)%n", splits.train().size(),
                    splits.test().size(), String.join(", ", splits.train().classNames()));
            System.out.printf("%-50s %10s %12s%n", "features", "knn_top1", "linear_top1");
            System.out.printf("%-50s %10s %12s%n", features, EvalCommand.format(knnTop1),
                    EvalCommand.format(linearTop1));
        }
        return 0;
    }

    /**
     * The untrained encoder of {@code --random-init transformer}: a WordPiece vocabulary learned
     * from the train split's texts and a Transformer of the {@code --text-*} sizes.
     */
    private static TextEncoder randomInit(EvalCommand c, LabeledText.Splits splits,
            NDManager manager) {
        if (!"transformer".equals(c.randomInit)) {
            throw new IllegalArgumentException("--random-init for text must be "
                    + "transformer, found '" + c.randomInit + "'");
        }
        TextOptions text = c.text;
        var tokenizer = new WordPieceTrainer(text.vocabularySize, 2).train(splits.train().texts());
        return TextEncoder.randomInit(tokenizer, new TextEncoderConfig(tokenizer.vocabularySize(),
                text.width, text.layers, text.heads, text.maxTokens, 0.1f), c.seed, manager);
    }

    /**
     * The text path of the label-efficiency mode: the checkpoint (or random init, or TF-IDF)
     * and, with {@code --baselines}, TF-IDF and a random-init Transformer of the checkpoint's
     * vocabulary and sizes, each under the same label subsets.
     */
    static int labelEfficiency(EvalCommand c, LabelEfficiency efficiency) throws Exception {
        TextOptions text = c.text;
        c.threads.apply();
        LabeledText.Splits splits = text.labeled(c.data.data, c.data.trainSize, c.data.testSize);
        List<String> trainTexts = splits.train().texts();
        List<String> testTexts = splits.test().texts();
        boolean cls = text.cls();
        int windows = text.windows();
        LabelCurves curves = LabelCurves.of(c, efficiency, splits.train().labels(),
                splits.test().labels(), splits.train().classNames().size());
        try (NDManager manager = NDManager.newBaseManager()) {
            WordPieceTokenizer tokenizer = null;
            TextEncoderConfig config = null;
            if (c.checkpoint != null) {
                TextCheckpointState state = TextCheckpointState.read(
                        Checkpoints.resolve(c.checkpoint));
                try (NDManager model = manager.newSubManager()) {
                    TextEncoder encoder = TextEncoder.load(c.checkpoint, model);
                    tokenizer = encoder.tokenizer();
                    config = encoder.model().encoder().config();
                    curves.add(state.method() + " transformer (epoch " + state.epoch() + ", "
                                    + text.pooling + ")", LabelCurves.MAIN,
                            encoder.embed(trainTexts, cls, windows, model),
                            encoder.embed(testTexts, cls, windows, model), manager);
                }
            }
            if (c.randomInit != null || (c.baselines && c.checkpoint != null)) {
                try (NDManager model = manager.newSubManager()) {
                    TextEncoder encoder = c.randomInit != null ? randomInit(c, splits, model)
                            : TextEncoder.randomInit(tokenizer, config, c.seed, model);
                    curves.add("random-init transformer (" + text.pooling + ")",
                            c.randomInit != null ? LabelCurves.MAIN : LabelCurves.BASELINE,
                            encoder.embed(trainTexts, cls, windows, model),
                            encoder.embed(testTexts, cls, windows, model), manager);
                }
            }
            if (c.baselines || (c.checkpoint == null && c.randomInit == null)) {
                TfIdfFeatures tfIdf = TfIdfFeatures.fit(trainTexts, TF_IDF_FEATURES);
                curves.add("tf-idf bag of words (" + tfIdf.dim() + " words)",
                        c.baselines ? LabelCurves.BASELINE : LabelCurves.MAIN,
                        tfIdf.transform(trainTexts), tfIdf.transform(testTexts), manager);
            }
        }
        return curves.finish(c.data.data, splits.train().size(), splits.test().size());
    }

    /**
     * The texts of a split of text data and their labels: a labelled set's split (labels = class)
     * or, for a corpus, every sentence (labels = document index).
     *
     * @param description what the rows and labels are, in words
     */
    record Texts(List<String> texts, int[] labels, String description) {}

    static Texts texts(DataOptions data, TextOptions text, String split) throws IOException {
        List<String> texts = new ArrayList<>();
        if (data.data.startsWith(TextOptions.LABELED_TEXT)) {
            LabeledText.Splits splits = text.labeled(data.data, data.trainSize, data.testSize);
            List<LabeledText> parts = switch (split) {
                case "train" -> List.of(splits.train());
                case "test" -> List.of(splits.test());
                default -> List.of(splits.train(), splits.test());
            };
            List<Integer> labels = new ArrayList<>();
            for (LabeledText part : parts) {
                texts.addAll(part.texts());
                for (int label : part.labels()) {
                    labels.add(label);
                }
            }
            return new Texts(texts, labels.stream().mapToInt(Integer::intValue).toArray(),
                    split + " split, labels = class");
        }
        TextCorpus corpus = text.corpus(data.data);
        List<Integer> documents = new ArrayList<>();
        for (int d = 0; d < corpus.documents().size(); d++) {
            for (String sentence : corpus.documents().get(d).sentences()) {
                texts.add(sentence);
                documents.add(d);
            }
        }
        return new Texts(texts, documents.stream().mapToInt(Integer::intValue).toArray(),
                "one row per sentence, labels = document index");
    }

    /** Refuses {@code --precision bf16} for text data: text encoders embed in float32 only. */
    static void refuseBf16(boolean bf16) {
        if (bf16) {
            throw new IllegalArgumentException("--precision bf16 embeds images only; text "
                    + "encoders embed in fp32 (leave --precision out)");
        }
    }

    static int embed(EmbedCommand c) throws Exception {
        TextOptions text = c.text;
        c.threads.apply();
        Texts texts = texts(c.data, text, c.split);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextEncoder encoder = TextEncoder.load(c.checkpoint, manager);
            FeatureMatrix features = encoder.embed(texts.texts(), text.cls(), text.windows(),
                    manager);
            EmbeddingWriter.write(c.out, features.values(), features.rows(), features.dim(),
                    texts.labels(), EmbedCommand.ids(c.split, features.rows()), texts.texts());
            System.out.printf("wrote %d x %d embeddings of %s (%s) to %s%n", features.rows(),
                    features.dim(), c.data.data, texts.description(), c.out);
        }
        return 0;
    }
}
