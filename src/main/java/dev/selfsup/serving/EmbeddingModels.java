package dev.selfsup.serving;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.method.Method;
import dev.selfsup.train.CheckpointState;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Encoder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A selfsup checkpoint as a DJL model, so that a Java service embeds with the conventions DJL
 * users know: {@code Criteria} with a model path and a translator, {@code ZooModel},
 * {@code Predictor<Image, float[]>}.
 *
 * <pre>{@code
 * Criteria<Image, float[]> criteria = EmbeddingModels.imageCriteria(Path.of("runs/simclr"));
 * try (ZooModel<Image, float[]> model = criteria.loadModel();
 *         Predictor<Image, float[]> predictor = model.newPredictor()) {
 *     float[] embedding = predictor.predict(ImageFactory.getInstance().fromFile(file));
 * }
 * }</pre>
 *
 * <p>The predictor computes what {@code selfsup embed} computes: the image's 8-bit pixels (gray
 * or RGB as the checkpoint was trained), scaled to [0, 1], standardised with the training
 * data's channel statistics, through the backbone in inference mode. An image of another size
 * is first resized by DJL ({@link Image#resize}), which interpolates differently from selfsup's
 * folder reader; give images of the training size for identical embeddings.
 */
public final class EmbeddingModels {
    private EmbeddingModels() {}

    /**
     * The criteria that load the encoder of a checkpoint (a checkpoint directory, or a run
     * directory: its newest checkpoint) as a {@code ZooModel<Image, float[]>} on libtorch.
     *
     * @throws IOException naming the file when the checkpoint cannot be read
     */
    public static Criteria<Image, float[]> imageCriteria(Path checkpointOrRun) throws IOException {
        Path checkpoint = Checkpoints.resolve(checkpointOrRun);
        CheckpointState state = Checkpoints.readState(checkpoint);
        ChannelStats stats = new ChannelStats(state.channelMean(), state.channelStd());
        Method method = Encoder.methodOf(state);
        return Criteria.builder()
                .setTypes(Image.class, float[].class)
                .optModelPath(checkpoint)
                .optModelName("selfsup-" + state.method() + "-" + state.backbone())
                .optEngine("PyTorch")
                .optBlock(method.model())
                // the weights are selfsup's safetensors, read by the translator, not DJL's .params
                .optOption("hasParameter", "false")
                .optTranslator(new ImageTranslator(checkpoint, state, stats))
                .build();
    }

    /** Images to embeddings with a checkpoint's standardisation; loads the weights once. */
    static final class ImageTranslator implements Translator<Image, float[]> {
        private final Path checkpoint;
        private final CheckpointState state;
        private final ChannelStats stats;

        ImageTranslator(Path checkpoint, CheckpointState state, ChannelStats stats) {
            this.checkpoint = checkpoint;
            this.state = state;
            this.stats = stats;
        }

        /** Initialises the model's block and reads the checkpoint's weights into it, once. */
        @Override
        public void prepare(TranslatorContext ctx) throws IOException {
            Model model = ctx.getModel();
            Block block = model.getBlock();
            synchronized (block) {
                if (!block.isInitialized()) {
                    NDManager manager = model.getNDManager();
                    block.initialize(manager, DataType.FLOAT32,
                            new Shape(2, state.channels(), state.height(), state.width()));
                    Checkpoints.loadModel(checkpoint, block, manager);
                }
            }
        }

        @Override
        public NDList processInput(TranslatorContext ctx, Image input) {
            Image image = input;
            if (image.getWidth() != state.width() || image.getHeight() != state.height()) {
                image = image.resize(state.width(), state.height(), true);
            }
            int channels = state.channels();
            NDArray hwc = image.toNDArray(ctx.getNDManager(),
                    channels == 1 ? Image.Flag.GRAYSCALE : Image.Flag.COLOR); // (H, W, C) uint8
            byte[] pixels = hwc.transpose(2, 0, 1).toType(DataType.UINT8, false).toByteArray(); // (C, H, W)
            ImageSet one = new ImageSet("predictor input", channels, state.height(), state.width(),
                    pixels, new int[] {ImageSet.UNLABELLED}, List.of());
            float[] standardised = new float[one.imageVolume()];
            stats.standardizeImages(one, 0, 1, standardised);
            return new NDList(ctx.getNDManager().create(standardised,
                    new Shape(channels, state.height(), state.width())));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.singletonOrThrow().toFloatArray(); // (featureDim)
        }

        @Override
        public Batchifier getBatchifier() {
            return Batchifier.STACK;
        }
    }
}
