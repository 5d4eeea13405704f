package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.MaeDecoder;
import dev.selfsup.nn.VisionTransformer;
import dev.selfsup.pretext.ImageMasks;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Masked autoencoders (He et al. 2021, https://arxiv.org/abs/2111.06377): a random
 * {@value #DEFAULT_MASK_RATIO} of each image's patches is hidden, the ViT encoder sees only the
 * visible ones (which is what makes MAE cheap: a quarter of the tokens), and a light
 * {@link MaeDecoder} with mask tokens predicts the pixels of the hidden patches, each patch's
 * values normalised by their own mean and variance ({@code norm_pix_loss}); the loss is the mean
 * squared error over the hidden patches only.
 *
 * <p>The paper's decoder is 512 wide with 8 layers for ViT-Large; on 2 CPU cores the default is
 * {@value #DEFAULT_DECODER_DIM} wide with {@value #DEFAULT_DECODER_DEPTH} layers. MAE's features
 * are known to probe linearly far below contrastive ones and to shine after fine-tuning.
 */
public final class Mae extends SingleViewMethod {
    /** The CLI name. */
    public static final String NAME = "mae";
    /** Share of patches hidden, the paper's. */
    public static final double DEFAULT_MASK_RATIO = 0.75;
    /** Decoder width on CPUs. */
    public static final int DEFAULT_DECODER_DIM = 128;
    /** Decoder layers on CPUs. */
    public static final int DEFAULT_DECODER_DEPTH = 2;
    /** Decoder attention heads. */
    public static final int DEFAULT_DECODER_HEADS = 4;
    /** Added to each patch's variance before normalising it, the paper's. */
    static final float PATCH_EPSILON = 1e-6f;

    private final VisionTransformer encoder;
    private final MaeDecoder decoder;
    private final int hiddenPatches;

    /** MAE with the default ratio and decoder. */
    public Mae(Backbone backbone) {
        this(backbone, DEFAULT_MASK_RATIO);
    }

    /**
     * @param backbone a {@link VisionTransformer} backbone ({@code vit-*})
     * @param maskRatio share of the patches hidden, in (0, 1)
     * @throws IllegalArgumentException for another backbone or a bad ratio
     */
    public Mae(Backbone backbone, double maskRatio) {
        super(NAME, backbone);
        if (!(backbone.block() instanceof VisionTransformer vit)) {
            throw new IllegalArgumentException("mae needs a ViT backbone (vit-mini, vit-tiny or "
                    + "vit-small), found '" + backbone.name() + "'");
        }
        if (!(maskRatio > 0 && maskRatio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), found " + maskRatio);
        }
        encoder = vit;
        VisionTransformer.Config config = vit.config();
        if (config.patchCount() < 2) {
            throw new IllegalArgumentException("mae needs at least 2 patches, found "
                    + config.patchCount());
        }
        hiddenPatches = ImageMasks.hiddenPatches(config.patchCount(), maskRatio);
        decoder = model().addPart("decoder", new MaeDecoder(config, DEFAULT_DECODER_DIM,
                DEFAULT_DECODER_DEPTH, DEFAULT_DECODER_HEADS),
                new Shape(2, config.patchCount() + 1, config.dim()));
    }

    /** Patches hidden per image. */
    public int hiddenPatches() {
        return hiddenPatches;
    }

    /**
     * A random masking of every image in a batch: each image's patches in a uniformly random
     * order, the first {@code patches - hidden} of it visible.
     *
     * @param visible the visible patches' indices {@code (batch, patches - hidden)} (int64)
     * @param restore the order that puts [visible, then hidden] tokens back in image order
     *     {@code (batch, patches)} (int64)
     * @param hidden 1 where a patch is hidden {@code (batch, patches)} (float32)
     */
    public record Masking(NDArray visible, NDArray restore, NDArray hidden) {
        /** Draws a masking from libtorch's generator (seeded per step by the training loop). */
        public static Masking random(NDManager manager, int batch, int patches, int hidden) {
            NDArray order = manager.randomUniform(0f, 1f, new Shape(batch, patches))
                    .argSort(1); // (batch, patches): a random permutation per image
            NDArray restore = order.argSort(1); // (batch, patches): its inverse
            int kept = patches - hidden;
            return new Masking(order.get(new NDIndex(":, :{}", kept)), restore,
                    restore.gte(kept).toType(DataType.FLOAT32, false));
        }
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        NDArray images = batch.images();
        Masking masking = Masking.random(images.getManager(),
                Math.toIntExact(images.getShape().get(0)), encoder.config().patchCount(),
                hiddenPatches);
        NDArray prediction = predict(parameterStore, images, masking, training);
        return loss(prediction, targets(images), masking.hidden());
    }

    /**
     * The decoder's prediction of every patch {@code (batch, patches, C * p * p)} from the
     * visible patches of {@code images}, in normalised-patch units.
     */
    public NDArray predict(ParameterStore parameterStore, NDArray images, Masking masking,
            boolean training) {
        NDArray encoded = model().inBackbonePrecision(() -> {
            NDArray tokens = encoder.patchTokens(parameterStore, images, training); // (batch, patches, dim)
            long dim = tokens.getShape().get(2);
            NDArray visible = tokens.gather(masking.visible().expandDims(2).repeat(2, dim), 1); // (batch, kept, dim)
            return encoder.encode(parameterStore, visible, training); // (batch, 1 + kept, dim)
        });
        return decoder.forward(parameterStore, new NDList(encoded, masking.restore()), training)
                .singletonOrThrow();
    }

    /** The targets: {@link #normalizedPatches} of the images' patches. */
    NDArray targets(NDArray images) {
        return normalizedPatches(VisionTransformer.patchify(images, encoder.config().patch()));
    }

    /**
     * Each patch's values minus their mean, over the square root of their unbiased variance plus
     * {@value #PATCH_EPSILON}: {@code (batch, patches, values)} to the same.
     */
    public static NDArray normalizedPatches(NDArray patches) {
        long values = patches.getShape().get(2);
        NDArray mean = patches.mean(new int[] {2}, true); // (batch, patches, 1)
        NDArray centred = patches.sub(mean);
        NDArray variance = centred.square().sum(new int[] {2}, true).div(values - 1f);
        return centred.div(variance.add(PATCH_EPSILON).sqrt());
    }

    /**
     * MAE's loss: the squared error per value, averaged over each patch, then over the hidden
     * patches: {@code sum(hidden * mean((prediction - target)^2)) / sum(hidden)}.
     *
     * @param prediction {@code (batch, patches, values)}
     * @param target {@code (batch, patches, values)}
     * @param hidden {@code (batch, patches)}, 1 where hidden
     */
    public static NDArray loss(NDArray prediction, NDArray target, NDArray hidden) {
        NDArray perPatch = prediction.sub(target).square().mean(new int[] {2}); // (batch, patches)
        return perPatch.mul(hidden).sum().div(hidden.sum());
    }

    /**
     * The visible patches (hidden ones at the mean colour), the visible patches with the hidden
     * ones filled in by the decoder (brought back from normalised-patch units with each original
     * patch's mean and spread, as the paper's figures), and the original.
     */
    @Override
    public Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        VisionTransformer.Config config = encoder.config();
        int count = Math.toIntExact(images.getShape().get(0));
        Masking masking = Masking.random(images.getManager(), count, config.patchCount(),
                hiddenPatches);
        NDArray prediction = predict(parameterStore, images, masking, false); // (count, patches, values)
        NDArray patches = VisionTransformer.patchify(images, config.patch());
        NDArray mean = patches.mean(new int[] {2}, true);
        NDArray spread = patches.sub(mean).square().sum(new int[] {2}, true)
                .div(config.patchVolume() - 1f).add(PATCH_EPSILON).sqrt();
        NDArray hidden = masking.hidden().expandDims(2); // (count, patches, 1)
        NDArray visible = patches.mul(hidden.neg().add(1f));
        NDArray filled = visible.add(prediction.mul(spread).add(mean).mul(hidden));
        NDArray errors = prediction.sub(normalizedPatches(patches)).square().mean(new int[] {2})
                .mul(masking.hidden()).sum(new int[] {1}).div(hiddenPatches); // (count)
        PictureSheet.Panel[] inputs = Pictures.standardized(image(visible), stats);
        PictureSheet.Panel[] outputs = Pictures.standardized(image(filled), stats);
        PictureSheet.Panel[] originals = Pictures.standardized(images, stats);
        float[] error = errors.toFloatArray();
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(List.of(inputs[i],
                    Pictures.captioned(outputs[i], String.format("mse %.3f", error[i])),
                    originals[i]));
        }
        return Optional.of(new PictureSheet(NAME + ": the " + (config.patchCount() - hiddenPatches)
                + " visible patches of " + config.patchCount() + ", the hidden ones predicted by "
                + "the decoder (mean squared error in normalised-patch units, hidden patches "
                + "only), original", List.of("visible", "predicted", "original"), rows));
    }

    private NDArray image(NDArray patches) {
        VisionTransformer.Config config = encoder.config();
        return VisionTransformer.unpatchify(patches, config.channels(), config.gridHeight(),
                config.gridWidth(), config.patch());
    }
}
