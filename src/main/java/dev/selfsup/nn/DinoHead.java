package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.util.PairList;

/**
 * DINO's projection head (Caron et al. 2021, https://arxiv.org/abs/2104.14294, section 3.1 and
 * appendix): a 3-layer MLP with GELU (hidden width, then a bottleneck), the bottleneck
 * l2-normalised, then a weight-normalised linear layer without bias whose weight norm is fixed at
 * 1 ({@code norm_last_layer}): each output is the cosine between the bottleneck and one learned
 * prototype. The paper uses hidden 2048, bottleneck 256 and 65,536 outputs; the CPU defaults are
 * lightly's small-data ones, 512, 64 and 2,048. With {@code batchNorm} (the paper's code's
 * {@code use_bn_in_head}) a batch norm follows each of the two hidden layers, before the GELU:
 * behind a convolutional backbone, whose pooled post-ReLU features share a large common
 * component, it centres the features per batch so that the bottleneck, and with it the teacher's
 * distribution, differs from image to image from the first steps.
 *
 * <p>Input {@code (batch, inputDim)}; output {@code (batch, outputDim)}, each value in [-1, 1].
 */
public final class DinoHead extends AbstractBlock {
    /** Hidden width on CPUs. */
    public static final int DEFAULT_HIDDEN_DIM = 512;
    /** Bottleneck width on CPUs. */
    public static final int DEFAULT_BOTTLENECK_DIM = 64;
    /** Outputs (prototypes) on CPUs. */
    public static final int DEFAULT_OUTPUT_DIM = 2048;

    private final int bottleneckDim;
    private final int outputDim;
    private final Linear first;
    private final Linear second;
    private final Linear bottleneck;
    private final BatchNorm firstNorm;
    private final BatchNorm secondNorm;
    private final Parameter prototypes;

    /** The CPU-sized head, without batch norm. */
    public DinoHead() {
        this(DEFAULT_HIDDEN_DIM, DEFAULT_BOTTLENECK_DIM, DEFAULT_OUTPUT_DIM, false);
    }

    /**
     * @param hiddenDim width of the two hidden layers
     * @param bottleneckDim width of the l2-normalised bottleneck
     * @param outputDim number of prototypes
     * @param batchNorm a batch norm after each hidden layer ({@code use_bn_in_head})
     */
    public DinoHead(int hiddenDim, int bottleneckDim, int outputDim, boolean batchNorm) {
        if (hiddenDim <= 0 || bottleneckDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("DINO head widths must be > 0, found hidden="
                    + hiddenDim + ", bottleneck=" + bottleneckDim + ", output=" + outputDim);
        }
        this.bottleneckDim = bottleneckDim;
        this.outputDim = outputDim;
        first = addChildBlock("first", Linear.builder().setUnits(hiddenDim).build());
        second = addChildBlock("second", Linear.builder().setUnits(hiddenDim).build());
        bottleneck = addChildBlock("bottleneck", Linear.builder().setUnits(bottleneckDim).build());
        firstNorm = batchNorm ? addChildBlock("first_norm", BatchNorm.builder().optAxis(1).build())
                : null;
        secondNorm = batchNorm
                ? addChildBlock("second_norm", BatchNorm.builder().optAxis(1).build()) : null;
        // DINO's MLP weights: normal, std 0.02 (truncated in the paper's code)
        for (Linear linear : new Linear[] {first, second, bottleneck}) {
            linear.setInitializer(new NormalInitializer(0.02f), Parameter.Type.WEIGHT);
        }
        // the last layer keeps PyTorch's nn.Linear default, uniform in +-1/sqrt(fan_in)
        prototypes = addParameter(Parameter.builder().setName("prototypes")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(outputDim, bottleneckDim))
                .optInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                        XavierInitializer.FactorType.IN, 1))
                .build());
    }

    public int outputDim() {
        return outputDim;
    }

    /** Whether a batch norm follows each hidden layer. */
    public boolean batchNorm() {
        return firstNorm != null;
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDList x1 = first.forward(ps, inputs, training); // (batch, hidden)
        NDArray x = Activation.gelu(firstNorm == null ? x1.head()
                : firstNorm.forward(ps, x1, training).head());
        NDList x2 = second.forward(ps, new NDList(x), training); // (batch, hidden)
        x = Activation.gelu(secondNorm == null ? x2.head()
                : secondNorm.forward(ps, x2, training).head());
        x = bottleneck.forward(ps, new NDList(x), training).head() // (batch, bottleneck)
                .normalize(2, 1, 1e-12);
        NDArray weight = Temporaries.inManagerOf(ps.getValue(prototypes, x.getDevice(), training)
                .normalize(2, 1, 1e-12), x); // (output, bottleneck), unit rows: weight norm g = 1
        return new NDList(x.matMul(weight.transpose())); // (batch, output)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), outputDim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        first.initialize(manager, dataType, inputShapes[0]);
        long batch = inputShapes[0].get(0);
        Shape hidden = new Shape(batch, first.getOutputShapes(inputShapes)[0].get(1));
        second.initialize(manager, dataType, hidden);
        if (firstNorm != null) {
            firstNorm.initialize(manager, dataType, hidden);
            secondNorm.initialize(manager, dataType, hidden);
        }
        bottleneck.initialize(manager, dataType, hidden);
    }
}
