package dev.selfsup.serving;

import ai.djl.Model;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.training.ParameterStore;
import ai.djl.translate.Batchifier;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import ai.djl.util.PairList;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.method.Method;
import dev.selfsup.method.TextMethod;
import dev.selfsup.method.TextMethods;
import dev.selfsup.nn.TextModel;
import dev.selfsup.nn.TransformerEncoder;
import dev.selfsup.train.CheckpointState;
import dev.selfsup.train.Checkpoints;
import dev.selfsup.train.Encoder;
import dev.selfsup.train.TextCheckpointState;
import dev.selfsup.train.TextEncoder;
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
     * The criteria that load the encoder of a text checkpoint as a
     * {@code ZooModel<String, float[]>}: what {@code selfsup embed} computes for a text, the mean
     * over its first {@link TextEncoder#DEFAULT_WINDOWS} windows of the mean-pooled pieces.
     *
     * @throws IOException naming the file when the checkpoint cannot be read as a text one
     */
    public static Criteria<String, float[]> textCriteria(Path checkpointOrRun) throws IOException {
        return textCriteria(checkpointOrRun, false, TextEncoder.DEFAULT_WINDOWS);
    }

    /**
     * As {@link #textCriteria(Path)}, pooling the [CLS] vector instead where {@code cls}, and
     * averaging up to {@code maxWindows} windows (the CLI's {@code --pooling} and
     * {@code --windows}).
     */
    public static Criteria<String, float[]> textCriteria(Path checkpointOrRun, boolean cls,
            int maxWindows) throws IOException {
        if (maxWindows < 1) {
            throw new IllegalArgumentException("windows per text must be >= 1, found " + maxWindows);
        }
        Path checkpoint = Checkpoints.resolve(checkpointOrRun);
        TextCheckpointState state = TextCheckpointState.read(checkpoint);
        TextModel textModel = TextMethods.create(state.method(), state.encoder()).model();
        TextEncoder encoder = new TextEncoder(state.loadTokenizer(checkpoint), textModel,
                state.method());
        return Criteria.builder()
                .setTypes(String.class, float[].class)
                .optModelPath(checkpoint)
                .optModelName("selfsup-" + state.method())
                .optEngine("PyTorch")
                .optBlock(new PooledTextBlock(textModel.encoder(), cls))
                .optOption("hasParameter", "false")
                .optTranslator(new TextTranslator(checkpoint, encoder, maxWindows))
                .build();
    }

    /**
     * The criteria that load the encoder of a checkpoint (a checkpoint directory, or a run
     * directory: its newest checkpoint) as a {@code ZooModel<Image, float[]>} on libtorch.
     *
     * @throws IOException naming the file when the checkpoint cannot be read
     */
    public static Criteria<Image, float[]> imageCriteria(Path checkpointOrRun) throws IOException {
        return imageCriteria(checkpointOrRun, false);
    }

    /**
     * As {@link #imageCriteria(Path)}, with {@code bf16} the backbone under libtorch's bfloat16
     * autocast, as {@code selfsup embed --precision bf16} embeds (about 2-4x faster on CPUs with
     * AMX; the embeddings are float32 arrays of bfloat16-rounded values).
     *
     * @throws IllegalArgumentException with {@code bf16} where the CPU lacks bf16 instructions
     */
    public static Criteria<Image, float[]> imageCriteria(Path checkpointOrRun, boolean bf16)
            throws IOException {
        Path checkpoint = Checkpoints.resolve(checkpointOrRun);
        CheckpointState state = Checkpoints.readState(checkpoint);
        ChannelStats stats = new ChannelStats(state.channelMean(), state.channelStd());
        Method method = Encoder.methodOf(state);
        method.model().setBf16(bf16);
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

    /**
     * A text encoder's output as one vector: input the windows of one text, {@code (windows,
     * length)} piece ids, segment ids and attention mask; output {@code (width)}, the mean over
     * the windows of each window's pooled vector.
     */
    static final class PooledTextBlock extends AbstractBlock {
        private final TransformerEncoder encoder;
        private final boolean cls;

        PooledTextBlock(TransformerEncoder encoder, boolean cls) {
            this.encoder = addChildBlock("encoder", encoder);
            this.cls = cls;
        }

        @Override
        protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
                boolean training, PairList<String, Object> params) {
            NDArray hidden = encoder.forward(parameterStore, inputs, false).head(); // (windows, length, width)
            NDArray pooled = TransformerEncoder.pool(hidden, inputs.get(2), cls); // (windows, width)
            return new NDList(pooled.mean(new int[] {0})); // (width)
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {new Shape(encoder.config().width())};
        }
    }

    /** Texts to embeddings with a checkpoint's vocabulary; loads the weights once. */
    static final class TextTranslator implements Translator<String, float[]> {
        private final Path checkpoint;
        private final TextEncoder encoder;
        private final int maxWindows;
        private boolean loaded;

        TextTranslator(Path checkpoint, TextEncoder encoder, int maxWindows) {
            this.checkpoint = checkpoint;
            this.encoder = encoder;
            this.maxWindows = maxWindows;
        }

        /** Initialises the text model and reads the checkpoint's weights into it, once. */
        @Override
        public synchronized void prepare(TranslatorContext ctx) throws IOException {
            if (!loaded) {
                NDManager manager = ctx.getModel().getNDManager();
                encoder.model().initialize(manager, 1);
                Checkpoints.loadModel(checkpoint, encoder.model(), manager);
                loaded = true;
            }
        }

        @Override
        public NDList processInput(TranslatorContext ctx, String input) {
            if (input == null) {
                throw new IllegalArgumentException("text must not be null");
            }
            return TextMethod.inputs(TextEncoder.batchOf(encoder.windows(input, maxWindows)),
                    ctx.getNDManager());
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.singletonOrThrow().toFloatArray(); // (width)
        }

        @Override
        public Batchifier getBatchifier() {
            return null; // one text at a time: its windows are the batch
        }
    }
}
