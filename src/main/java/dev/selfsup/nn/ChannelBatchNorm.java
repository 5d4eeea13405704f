package dev.selfsup.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Batch norm over dimension 1 (Ioffe and Szegedy 2015, https://arxiv.org/abs/1502.03167), as
 * DJL's {@code BatchNorm} with its defaults (eps 1e-5, running = 0.9 running + 0.1 batch, which is
 * PyTorch's momentum 0.1), with the same parameters under the same names ({@code gamma},
 * {@code beta}, {@code runningMean}, {@code runningVar}; a sequential block files it as
 * {@code BatchNorm}), so checkpoints are unchanged. Input {@code (batch, channels, ...)}, output of
 * the same shape.
 *
 * <p>The difference: DJL's block wraps libtorch's {@code batch_norm} in a transpose of dimension
 * 1 with itself on the way in and on the way out, so its output is a view, and an in-place
 * operation on a view makes autograd copy the whole activation back into its base in the backward
 * pass (the in-place ReLU that follows it measured 1.6x slower steps of small-resnet). This block
 * calls libtorch's {@code batch_norm} directly ({@code JniUtils.batchNorm}, the call DJL makes
 * inside the transposes), so its output is a fresh array that {@link InPlace} may overwrite.
 */
public final class ChannelBatchNorm extends AbstractBlock {
    /** The name a sequential block files this block under: DJL's block's, for unchanged keys. */
    static final String NAME = "BatchNorm";
    private static final byte VERSION = 1;
    private static final double EPSILON = 1e-5;
    /** libtorch's momentum: the weight of the batch's statistics in the running ones. */
    private static final double MOMENTUM = 0.1;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long channels;

    /** A batch norm whose channel count is taken from its first input. */
    public ChannelBatchNorm() {
        super(VERSION);
        gamma = addParameter(Parameter.builder().setName("gamma")
                .setType(Parameter.Type.GAMMA).optRequiresGrad(true).build());
        beta = addParameter(Parameter.builder().setName("beta")
                .setType(Parameter.Type.BETA).optRequiresGrad(true).build());
        runningMean = addParameter(Parameter.builder().setName("runningMean")
                .setType(Parameter.Type.RUNNING_MEAN).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("runningVar")
                .setType(Parameter.Type.RUNNING_VAR).optRequiresGrad(false).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (x.getShape().dimension() < 2 || x.getShape().get(1) != channels) {
            throw new IllegalArgumentException("batch norm over " + channels
                    + " channels needs input (batch, " + channels + ", ...), found "
                    + x.getShape());
        }
        Device device = x.getDevice();
        NDArray out = JniUtils.batchNorm((PtNDArray) x,
                (PtNDArray) parameterStore.getValue(runningMean, device, training),
                (PtNDArray) parameterStore.getValue(runningVar, device, training),
                (PtNDArray) parameterStore.getValue(gamma, device, training),
                (PtNDArray) parameterStore.getValue(beta, device, training),
                training, MOMENTUM, EPSILON);
        return new NDList(out);
    }

    /**
     * {@code convolution} followed by this batch norm in inference (running statistics), as one
     * convolution: the batch norm is the per-channel affine map {@code y = x * s + t} with
     * {@code s = gamma / sqrt(runningVar + eps)} and {@code t = beta - runningMean * s}, so it
     * folds into the convolution's weights ({@code w * s} per output channel) and bias
     * ({@code b * s + t}). The result equals the two blocks in turn up to rounding, skips a pass
     * over the activation, and keeps gradients with respect to every parameter (the fold is made
     * of differentiable operations), as inference-mode batch norm has them. Inside an
     * {@link InferenceFolding} scope the fold is made once and reused (without gradients).
     *
     * @param convolution the 2-D convolution whose output this batch norm normalises
     * @param x the convolution's input {@code (batch, in, h, w)}
     * @return {@code (batch, channels, h', w')}
     */
    NDArray afterConvolution(ParameterStore parameterStore, Conv2d convolution, NDArray x) {
        if (convolution.getFilters() != channels) {
            throw new IllegalArgumentException("batch norm over " + channels
                    + " channels cannot follow a convolution with " + convolution.getFilters()
                    + " filters");
        }
        Device device = x.getDevice();
        InferenceFolding scope = InferenceFolding.active();
        if (scope != null) {
            NDArray[] folded = scope.folded(this, () -> fold(parameterStore, convolution, device));
            return convolve(convolution, x, folded);
        }
        NDArray[] folded = fold(parameterStore, convolution, device);
        try (NDArray weight = folded[0]; NDArray bias = folded[1]) {
            return convolve(convolution, x, folded);
        }
    }

    private static NDArray convolve(Conv2d convolution, NDArray x, NDArray[] folded) {
        return Conv2d.conv2d(x, folded[0], folded[1], convolution.getStride(),
                convolution.getPadding(), convolution.getDilation(), convolution.getGroups())
                .singletonOrThrow();
    }

    /** The folded {@code [weight (channels, in, kh, kw), bias (channels)]}, new arrays. */
    private NDArray[] fold(ParameterStore parameterStore, Conv2d convolution, Device device) {
        NDArray weight = parameterStore.getValue(
                convolution.getParameters().get("weight"), device, false);
        NDArray mean = parameterStore.getValue(runningMean, device, false);
        NDArray variance = parameterStore.getValue(runningVar, device, false);
        NDArray scaleGamma = parameterStore.getValue(gamma, device, false);
        NDArray shift = parameterStore.getValue(beta, device, false);
        try (NDArray deviation = variance.add(EPSILON).sqrt();
                NDArray scale = scaleGamma.div(deviation); // (channels)
                NDArray scaleColumn = scale.reshape(channels, 1, 1, 1);
                NDArray meanScaled = mean.mul(scale)) {
            return new NDArray[] {weight.mul(scaleColumn), foldedBias(parameterStore,
                    convolution, device, scale, shift.sub(meanScaled))};
        }
    }

    /** {@code b * scale + shift} for a convolution with a bias, else {@code shift} itself. */
    private static NDArray foldedBias(ParameterStore parameterStore, Conv2d convolution,
            Device device, NDArray scale, NDArray shift) {
        if (!convolution.isIncludeBias()) {
            return shift;
        }
        NDArray bias = parameterStore.getValue(convolution.getParameters().get("bias"), device,
                false);
        try (NDArray scaled = bias.mul(scale); NDArray unused = shift) {
            return scaled.add(shift);
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void beforeInitialize(Shape... inputShapes) {
        super.beforeInitialize(inputShapes);
        channels = inputShapes[0].get(1);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape shape = new Shape(channels);
        gamma.setShape(shape);
        beta.setShape(shape);
        runningMean.setShape(shape);
        runningVar.setShape(shape);
    }
}
