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
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.testing.Asserts;
import dev.selfsup.testing.TinyData;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Pretrainer;
import dev.selfsup.train.ProgressListener;
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
        }
    }

    @Test
    void aMissingCheckpointIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> EmbeddingModels.imageCriteria(dir.resolve("nothing")))
                .hasMessageContaining("nothing");
    }
}
