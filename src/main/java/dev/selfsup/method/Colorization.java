package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.loss.ReconstructionLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ConvDecoder;
import dev.selfsup.pretext.CieLab;
import dev.selfsup.pretext.LightnessInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Colorization (Zhang et al. 2016, https://arxiv.org/abs/1603.08511): the encoder sees only an
 * image's CIE lightness L and a {@link ConvDecoder} predicts its colour, the a and b channels of
 * CIE L*a*b* (divided by {@value #AB_SCALE}), by regression with a mean squared error (the
 * Euclidean loss the paper compares its classification loss against). Colour images only.
 *
 * <p>The backbone is wrapped: its block starts with a {@link LightnessInput} that turns the
 * standardised RGB input into L repeated to 3 channels. The wrapped backbone still takes
 * {@code (batch, 3, H, W)} RGB, so the checkpoint, {@code Encoder}, kNN, the linear probe and
 * embedding export all feed it colour images as usual, and it sees their lightness, exactly as in
 * training.
 */
public final class Colorization extends SingleViewMethod {
    /** The CLI name. */
    public static final String NAME = "colorization";
    /** a and b are divided by this to make the regression targets (about [-1, 1]). */
    public static final float AB_SCALE = 100f;

    private final LightnessInput lightness;
    private final ConvDecoder decoder;
    private final ReconstructionLoss loss = new ReconstructionLoss();

    /**
     * Colorization on {@code backbone} (3 input channels).
     *
     * @param stats the standardisation of the training images, to recover their colours
     * @throws IllegalArgumentException for a backbone on gray (1-channel) images
     */
    public Colorization(Backbone backbone, ChannelStats stats) {
        this(backbone, new LightnessInput(checkColour(backbone, stats)));
    }

    private Colorization(Backbone backbone, LightnessInput lightness) {
        super(NAME, new Backbone(backbone.name(),
                new SequentialBlock().add(lightness).add(backbone.block()),
                backbone.featureDim(), backbone.inputShape()));
        this.lightness = lightness;
        int height = (int) backbone.inputShape().get(1);
        int width = (int) backbone.inputShape().get(2);
        decoder = model().addHead("decoder", ConvDecoder.forImage(2, height, width),
                backbone.featureDim());
    }

    private static ChannelStats checkColour(Backbone backbone, ChannelStats stats) {
        long channels = backbone.inputShape().get(0);
        if (channels != 3) {
            throw new IllegalArgumentException("colorization needs colour images (3 channels, RGB); "
                    + "this data has " + channels + " channel" + (channels == 1 ? " (gray)" : "s")
                    + ", so there is no colour to predict");
        }
        if (stats == null) {
            throw new IllegalArgumentException("colorization needs the training images' channel "
                    + "statistics to recover their colours");
        }
        return stats;
    }

    /** Predicted a and b, divided by {@link #AB_SCALE}, of standardised RGB images: {@code (batch, 2, H, W)}. */
    public NDArray predictColour(ParameterStore parameterStore, NDArray images, boolean training) {
        NDList features = model().forward(parameterStore, new NDList(images), training);
        return decoder.forward(parameterStore, features, training).singletonOrThrow();
    }

    /** The L*a*b* of standardised RGB images, {@code (batch, 3, H, W)}. */
    public NDArray lab(NDArray images) {
        return CieLab.fromRgb(lightness.rgb(images));
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray target = lab(batch.images()).get(new NDIndex(":, 1:3")).div(AB_SCALE);
        return loss.compute(predictColour(parameterStore, batch.images(), training), target);
    }

    /** Gray input, predicted colour (true L with predicted a, b) and the true colour. */
    @Override
    public Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        int count = Math.toIntExact(images.getShape().get(0));
        int height = Math.toIntExact(images.getShape().get(2));
        int width = Math.toIntExact(images.getShape().get(3));
        int plane = height * width;
        float[] lab = lab(images).toFloatArray(); // (count, 3, H, W)
        float[] ab = predictColour(parameterStore, images, false).toFloatArray(); // (count, 2, H, W)
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] gray = new float[plane];
            float[] predicted = new float[3 * plane];
            float[] truth = new float[3 * plane];
            double squaredError = 0;
            for (int p = 0; p < plane; p++) {
                float l = lab[(i * 3) * plane + p];
                float a = lab[(i * 3 + 1) * plane + p];
                float b = lab[(i * 3 + 2) * plane + p];
                float predictedA = ab[(i * 2) * plane + p] * AB_SCALE;
                float predictedB = ab[(i * 2 + 1) * plane + p] * AB_SCALE;
                squaredError += (predictedA - a) * (predictedA - a) + (predictedB - b) * (predictedB - b);
                gray[p] = l / 100f;
                put(truth, p, plane, CieLab.toRgb(new float[] {l, a, b}));
                put(predicted, p, plane, CieLab.toRgb(new float[] {l, predictedA, predictedB}));
            }
            rows.add(List.of(
                    new PictureSheet.Panel(Pictures.clamp(gray), 1, height, width, "L"),
                    new PictureSheet.Panel(predicted, 3, height, width, String.format(
                            "ab rmse %.1f", Math.sqrt(squaredError / (2.0 * plane)))),
                    new PictureSheet.Panel(truth, 3, height, width, "")));
        }
        return Optional.of(new PictureSheet("colorization: the gray input (CIE L), the colour "
                + "predicted from it (true L, predicted a and b), the true colour",
                List.of("gray input", "predicted", "true colour"), rows));
    }

    private static void put(float[] image, int p, int plane, float[] rgb) {
        image[p] = rgb[0];
        image[plane + p] = rgb[1];
        image[2 * plane + p] = rgb[2];
    }
}
