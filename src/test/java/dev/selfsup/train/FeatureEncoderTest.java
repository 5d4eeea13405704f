package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.text.TextCorpus;
import dev.selfsup.data.text.TextFixtures;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.testing.TinyData;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One loader and one interface serve eval and embed for image and text checkpoints alike. */
class FeatureEncoderTest {
    @Test
    void loadsEitherModalityAndEmbedsAsItsOwnType(@TempDir Path dir) throws Exception {
        DataSplits images = TinyData.splits(128, 32, 2);
        Path imageRun = dir.resolve("image");
        new Pretrainer(PretrainConfig.builder().setMethod("tutorial").setData(images)
                .optEpochs(1).optThreads(2).build(), images, ProgressListener.silent())
                .run(imageRun, false);
        TextCorpus corpus = TextFixtures.corpus(12, 6, 1);
        Path textRun = dir.resolve("text");
        new TextPretrainer(TextPretrainConfig.builder().setData("text:generated")
                .optVocabularySize(120).optEncoder(32, 1, 2).optMaxLength(32).optEpochs(1)
                .optStepsPerEpoch(3).optBatchSize(8).optThreads(2).build(), corpus,
                ProgressListener.silent(), metrics -> { }).run(textRun);
        List<String> texts = List.of("a sentence to embed", "and another one");
        try (NDManager manager = NDManager.newBaseManager()) {
            FeatureEncoder<?> image = FeatureEncoder.load(imageRun, manager);
            assertThat(image).isInstanceOf(Encoder.class);
            assertThat(image.methodName()).isEqualTo("tutorial");
            FeatureMatrix imageFeatures = ((Encoder) image).embed(images.test(), manager);
            assertThat(imageFeatures.rows()).isEqualTo(32);

            FeatureEncoder<?> text = FeatureEncoder.load(textRun, manager);
            assertThat(text).isInstanceOf(TextEncoder.class);
            assertThat(text.methodName()).isEqualTo("mlm");
            TextEncoder textEncoder = (TextEncoder) text;
            FeatureMatrix textFeatures = textEncoder.embed(texts, manager);
            assertThat(textFeatures.rows()).isEqualTo(2);
            assertThat(textFeatures.dim()).isEqualTo(32);
            assertThat(textFeatures.values()).containsExactly(textEncoder.embed(texts, false,
                    TextEncoder.DEFAULT_WINDOWS, manager).values());

            // a thread DJL never saw (libtorch records gradients there by default: a Spark task,
            // a server's worker) loads and embeds the same
            float[][] onOtherThread = new float[2][];
            Throwable[] failure = new Throwable[1];
            Thread other = new Thread(() -> {
                try (NDManager own = NDManager.newBaseManager()) {
                    onOtherThread[0] = Encoder.load(imageRun, own).embed(images.test(), own)
                            .values();
                    onOtherThread[1] = TextEncoder.load(textRun, own).embed(texts, own).values();
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            other.start();
            other.join();
            assertThat(failure[0]).isNull();
            assertThat(onOtherThread[0]).containsExactly(imageFeatures.values());
            assertThat(onOtherThread[1]).containsExactly(textFeatures.values());
        }
    }
}
