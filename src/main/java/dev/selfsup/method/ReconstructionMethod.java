package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.loss.ReconstructionLoss;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.ConvDecoder;
import dev.selfsup.pretext.ImageCorruption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Shared plumbing of the reconstruction tasks: an {@link ImageCorruption} of the standardised
 * batch, the backbone's features of the corrupted input, a {@link ConvDecoder} back to
 * {@code (batch, C, H, W)}, and a {@link ReconstructionLoss} against the clean images, over the
 * hidden pixels when the corruption hides some and over all pixels otherwise.
 */
abstract class ReconstructionMethod extends SingleViewMethod {
    private final ConvDecoder decoder;
    private final ImageCorruption corruption;
    private final ReconstructionLoss loss = new ReconstructionLoss();
    private final String inputColumn;
    private final String outputColumn;

    /**
     * @param inputColumn and {@code outputColumn}: the picture columns of the corrupted input and
     *     the output (e.g. "masked", "filled in")
     */
    ReconstructionMethod(String name, Backbone backbone, ImageCorruption corruption,
            String inputColumn, String outputColumn) {
        super(name, backbone);
        this.decoder = model().addHead("decoder", ConvDecoder.forImage(
                (int) backbone.inputShape().get(0), (int) backbone.inputShape().get(1),
                (int) backbone.inputShape().get(2)), backbone.featureDim());
        this.corruption = corruption;
        this.inputColumn = inputColumn;
        this.outputColumn = outputColumn;
    }

    /** The decoder's reconstruction of (corrupted) standardised images, {@code (batch, C, H, W)}. */
    public NDArray reconstruct(ParameterStore parameterStore, NDArray input, boolean training) {
        NDList features = model().forward(parameterStore, new NDList(input), training);
        return decoder.forward(parameterStore, features, training).singletonOrThrow();
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray images = batch.images();
        ImageCorruption.Corrupted corrupted = corruption.apply(images);
        NDArray output = reconstruct(parameterStore, corrupted.input(), training);
        return corrupted.mask() == null ? loss.compute(output, images)
                : loss.compute(output, images, corrupted.mask());
    }

    /**
     * The corrupted input, the output (where pixels were hidden: the input with the hidden pixels
     * filled in from the output) captioned with its error, and the original.
     */
    @Override
    public Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        ImageCorruption.Corrupted corrupted = corruption.apply(images);
        NDArray output = reconstruct(parameterStore, corrupted.input(), false);
        NDArray shown = output;
        NDArray mask = corrupted.mask();
        if (mask != null) {
            shown = corrupted.input().add(output.mul(mask)); // hidden pixels of the input are 0
        }
        int count = Math.toIntExact(images.getShape().get(0));
        PictureSheet.Panel[] inputs = Pictures.standardized(corrupted.input(), stats);
        PictureSheet.Panel[] outputs = Pictures.standardized(shown, stats);
        PictureSheet.Panel[] originals = Pictures.standardized(images, stats);
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            NDArray one = output.get(i).expandDims(0);
            NDArray clean = images.get(i).expandDims(0);
            float error = (mask == null ? loss.compute(one, clean)
                    : loss.compute(one, clean, mask.get(i).expandDims(0))).getFloat();
            rows.add(List.of(inputs[i],
                    Pictures.captioned(outputs[i], String.format("mse %.3f", error)),
                    originals[i]));
        }
        return Optional.of(new PictureSheet(name() + ": " + inputColumn + " input, " + outputColumn
                + " by the decoder (mean squared error in standardised units"
                + (mask == null ? "" : ", hidden pixels only") + "), original",
                List.of(inputColumn, outputColumn, "original"), rows));
    }
}
