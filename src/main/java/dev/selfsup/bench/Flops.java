package dev.selfsup.bench;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Convolution;
import ai.djl.nn.core.Linear;

/**
 * Counts the multiply-adds of an initialised network's convolutions and linear layers, read off
 * the input shape each layer was initialised with. Normalisation, activations, pooling, the loss
 * and a Transformer's attention products are not counted: for the convolutional networks and
 * MLPs this is meant for, they are a small share of the arithmetic.
 *
 * <p>A training step's floating-point operations are taken as {@code 3 x 2 x} the forward pass's
 * multiply-adds (forward, the input gradient and the weight gradient each do one product of the
 * same size; a multiply-add is 2 operations), the usual convention for comparing a step with a
 * matrix-product ceiling.
 */
public final class Flops {
    private Flops() {}

    /**
     * Multiply-adds of one sample's forward pass through {@code block} and everything below it.
     *
     * @throws IllegalStateException if a counted layer was not initialised
     */
    public static long forwardMultiplyAddsPerSample(Block block) {
        long own = 0;
        if (block instanceof Convolution || block instanceof Linear) {
            Shape[] inputs = block.getInputShapes();
            if (inputs == null || inputs.length == 0) {
                throw new IllegalStateException("layer not initialised: " + block);
            }
            Shape input = inputs[0];
            Shape output = block.getOutputShapes(inputs)[0];
            Shape weight = block.getParameters().get("weight").getArray().getShape();
            // per output value: one multiply-add per weight element feeding it
            long perOutput = block instanceof Linear
                    ? weight.get(1) // (out, in)
                    : weight.size() / weight.get(0); // (out, in / groups, kernel...)
            own = output.size() / input.get(0) * perOutput;
        }
        for (Block child : block.getChildren().values()) {
            own += forwardMultiplyAddsPerSample(child);
        }
        return own;
    }

    /** Floating-point operations of a training step over {@code rows} inputs. */
    public static double trainingStepFlops(Block block, long rows) {
        return 6.0 * forwardMultiplyAddsPerSample(block) * rows;
    }
}
