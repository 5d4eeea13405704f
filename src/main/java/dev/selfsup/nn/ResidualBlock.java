package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
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
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Layers.conv3x3(outChannels, 1))
                .add(BatchNorm.builder().build()));
        if (stride != 1 || inChannels != outChannels) {
            shortcut = addChildBlock("shortcut", new ReleasingSequentialBlock()
                    .add(Conv2d.builder().setKernelShape(new Shape(1, 1)).setFilters(outChannels)
                            .optStride(new Shape(stride, stride)).optBias(false).build())
                    .add(BatchNorm.builder().build()));
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
        NDArray sum = branch.add(identity);
        // the sum's inputs and the sum itself are not needed by autograd (add and relu save
        // nothing / only their output): free them now rather than when the step ends
        branch.close();
        if (identity != x) {
            identity.close();
        }
        NDArray out = Activation.relu(sum);
        sum.close();
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
