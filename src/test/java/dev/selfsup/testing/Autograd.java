package dev.selfsup.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Gradients for tests, with or without a garbage collection between forward and backward. */
public final class Autograd {
    private Autograd() {}

    /**
     * The gradient of {@code sum(op(x))} at {@code x}. With {@code collectBetween}, a garbage
     * collection runs between forward and backward, then many small direct buffers filled with
     * 1e-30 reuse the memory it freed: a scalar that autograd saved in a freed Java buffer (DJL's
     * {@code div(Number)} and kin, see {@code nn.Scalars}) then reads back as 1e-30, and the
     * gradient differs from the one without.
     */
    public static float[] gradient(float[] x, Shape shape, UnaryOperator<NDArray> op,
            boolean collectBetween) throws InterruptedException {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray input = manager.create(x, shape);
            input.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray y = op.apply(input);
                List<ByteBuffer> junk = new ArrayList<>();
                if (collectBetween) {
                    System.gc();
                    Thread.sleep(20); // the reference handler runs the direct buffers' cleaners
                    for (int i = 0; i < 2000; i++) {
                        ByteBuffer buffer = ByteBuffer.allocateDirect(4)
                                .order(ByteOrder.nativeOrder());
                        buffer.putFloat(0, 1e-30f);
                        junk.add(buffer);
                    }
                }
                collector.backward(y.sum());
                if (junk.size() != (collectBetween ? 2000 : 0)) {
                    throw new IllegalStateException("the junk buffers must stay alive");
                }
            }
            return input.getGradient().toFloatArray();
        }
    }
}
