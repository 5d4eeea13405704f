package dev.selfsup.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.inference.Predictor;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.testing.Asserts;
import dev.selfsup.testing.TinyData;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Pretrainer;
import dev.selfsup.train.ProgressListener;
import dev.selfsup.train.TextEncoder;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.train.TextPretrainer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingModelsTest {
    private static BufferedImage gray(ImageSet set, int index) {
        BufferedImage image = new BufferedImage(set.width(), set.height(),
                BufferedImage.TYPE_BYTE_GRAY);
        int plane = set.width() * set.height();
        for (int y = 0; y < set.height(); y++) {
            for (int x = 0; x < set.width(); x++) {
                image.getRaster().setSample(x, y, 0,
                        set.pixels()[index * plane + y * set.width() + x] & 0xFF);
            }
        }
        return image;
    }

    @Test
    void aPredictorEmbedsAsSelfsupEmbedDoes(@TempDir Path dir) throws Exception {
        DataSplits data = TinyData.splits(128, 16, 2);
        for (String backbone : List.of("small-resnet", "vit-mini")) {
            Path run = dir.resolve(backbone);
            PretrainConfig config = PretrainConfig.builder().setMethod("simclr").setData(data)
                    .optBackbone(backbone).optEpochs(1).optBatchSize(32).optThreads(2).build();
            new Pretrainer(config, data, ProgressListener.silent()).run(run, false);
            FeatureMatrix expected;
            try (NDManager manager = NDManager.newBaseManager()) {
                expected = Encoder.load(run, manager).embed(data.test(), manager);
            }
            try (ZooModel<Image, float[]> model = EmbeddingModels.imageCriteria(run).loadModel();
                    Predictor<Image, float[]> predictor = model.newPredictor()) {
                ImageFactory factory = ImageFactory.getInstance();
                List<Image> images = List.of(factory.fromImage(gray(data.test(), 0)),
                        factory.fromImage(gray(data.test(), 5)));
                List<float[]> batch = predictor.batchPredict(images);
                for (int i = 0; i < 2; i++) {
                    int index = i == 0 ? 0 : 5;
                    float[] want = new float[expected.dim()];
                    System.arraycopy(expected.values(), index * expected.dim(), want, 0,
                            expected.dim());
                    Asserts.assertAllClose(batch.get(i), want, 1e-5, 1e-5);
                }
                assertThat(predictor.predict(images.get(0))).hasSize(expected.dim());
            }
            predictsInBf16AsEmbedDoes(run, data.test(), expected);
        }
    }

    /** The bf16 predictor against {@code Encoder.embed} in bf16, or its refusal. */
    private static void predictsInBf16AsEmbedDoes(Path run, ImageSet test, FeatureMatrix fp32)
            throws Exception {
        if (!Bf16Autocast.available()) {
            assertThatThrownBy(() -> EmbeddingModels.imageCriteria(run, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("precision bf16 cannot run here");
            return;
        }
        FeatureMatrix expected;
        try (NDManager manager = NDManager.newBaseManager()) {
            expected = Encoder.load(run, manager).embed(test, manager, true);
        }
        try (ZooModel<Image, float[]> model = EmbeddingModels.imageCriteria(run, true).loadModel();
                Predictor<Image, float[]> predictor = model.newPredictor()) {
            float[] got = predictor.predict(ImageFactory.getInstance().fromImage(gray(test, 3)));
            float[] want = java.util.Arrays.copyOfRange(expected.values(), 3 * expected.dim(),
                    4 * expected.dim());
            float[] full = java.util.Arrays.copyOfRange(fp32.values(), 3 * fp32.dim(),
                    4 * fp32.dim());
            assertThat(Asserts.cosine(got, want)).isGreaterThan(0.9999);
            assertThat(got).isNotEqualTo(full); // it ran in bf16
        }
    }

    @Test
    void aTextPredictorEmbedsAsSelfsupEmbedDoes(@TempDir Path dir) throws Exception {
        TextCorpus corpus = TextFixtures.corpus(24, 6, 4);
        TextPretrainConfig config = TextPretrainConfig.builder().setData("text:generated")
                .optVocabularySize(120).optEncoder(32, 1, 2).optMaxLength(16).optDropout(0f)
                .optBatchSize(16).optExamplesPerEpoch(64).optHeldOutExamples(16).optEpochs(1)
                .build();
        Path run = dir.resolve("mlm");
        new TextPretrainer(config, corpus, ProgressListener.silent(), m -> { }).run(run);
        // one short text and one long enough for several 14-piece windows
        String longText = String.join(" ", corpus.documents().get(0).sentences());
        List<String> texts = List.of(corpus.documents().get(1).sentences().get(0), longText);
        for (boolean cls : List.of(false, true)) {
            int windows = cls ? 2 : TextEncoder.DEFAULT_WINDOWS;
            FeatureMatrix expected;
            try (NDManager manager = NDManager.newBaseManager()) {
                expected = TextEncoder.load(run, manager).embed(texts, cls, windows, manager);
            }
            try (ZooModel<String, float[]> model =
                    EmbeddingModels.textCriteria(run, cls, windows).loadModel();
                    Predictor<String, float[]> predictor = model.newPredictor()) {
                List<float[]> embeddings = predictor.batchPredict(texts);
                for (int i = 0; i < texts.size(); i++) {
                    float[] want = new float[expected.dim()];
                    System.arraycopy(expected.values(), i * expected.dim(), want, 0,
                            expected.dim());
                    Asserts.assertAllClose(embeddings.get(i), want, 1e-5, 1e-5);
                }
            }
        }
        assertThatThrownBy(() -> EmbeddingModels.textCriteria(run, false, 0))
                .hasMessageContaining("found 0");
        // an image checkpoint is not a text one, and says which file it read
        assertThatThrownBy(() -> EmbeddingModels.textCriteria(dir.resolve("nothing")))
                .hasMessageContaining("nothing");
    }

    @Test
    void aMissingCheckpointIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> EmbeddingModels.imageCriteria(dir.resolve("nothing")))
                .hasMessageContaining("nothing");
    }
}
