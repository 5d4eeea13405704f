package dev.selfsup.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;

/** Small factories for layers the backbones share. */
final class Layers {
    private Layers() {}

    /** A bias-free 3x3 convolution with padding 1 (batch norm follows it). */
    static Block conv3x3(int filters, int stride) {
        return Conv2d.builder()
                .setKernelShape(new Shape(3, 3))
                .setFilters(filters)
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(1, 1))
                .optBias(false)
                .build();
    }
}
