package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The ResNet "BasicBlock" (He et al. 2015, https://arxiv.org/abs/1512.03385): two 3x3
 * convolutions with batch norm, plus an identity shortcut, or a 1x1 convolution + batch norm
 * where the stride or width changes. Maps {@code (batch, in, h, w)} to
 * {@code (batch, out, h/stride, w/stride)}.
 */
public final class ResidualBlock extends AbstractBlock {
    private final Block residual;
    private final Block shortcut;

    /**
     * @param inChannels channels of the input
     * @param outChannels channels of the output
     * @param stride 1 or 2 (2 halves the resolution)
     */
    public ResidualBlock(int inChannels, int outChannels, int stride) {
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("channels must be > 0, found " + inChannels
                    + " -> " + outChannels);
        }
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("stride must be 1 or 2, found " + stride);
        }
        residual = addChildBlock("residual", new ReleasingSequentialBlock()
                .add(Layers.conv3x3(outChannels, stride))
                .add(new ChannelBatchNorm())
                .add(InPlace::relu)
                .add(Layers.conv3x3(outChannels, 1))
                .add(new ChannelBatchNorm()));
        if (stride != 1 || inChannels != outChannels) {
            shortcut = addChildBlock("shortcut", new ReleasingSequentialBlock()
                    .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(outChannels)
                            .optStride(new Shape(stride, stride)).optBias(false).build())
                    .add(new ChannelBatchNorm()));
        } else {
            shortcut = null;
        }
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDArray branch = residual.forward(parameterStore, inputs, training, params).singletonOrThrow();
        NDArray identity = shortcut == null
                ? x : shortcut.forward(parameterStore, inputs, training, params).singletonOrThrow();
        // the branch ends in a batch norm, which saved its input, not its output: the sum and the
        // ReLU after it overwrite the branch, as torchvision's "out += identity; relu(out)"
        NDArray sum = InPlace.addInto(branch, identity);
        if (sum != branch) {
            branch.close();
        }
        // the shortcut's output is not needed by autograd (add saves nothing): free it now
        // rather than when the step ends
        if (identity != x) {
            identity.close();
        }
        NDArray out = InPlace.relu(sum);
        if (out != sum) {
            sum.close();
        }
        return new NDList(out);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return residual.getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        residual.initialize(manager, dataType, inputShapes);
        if (shortcut != null) {
            shortcut.initialize(manager, dataType, inputShapes);
        }
    }
}
