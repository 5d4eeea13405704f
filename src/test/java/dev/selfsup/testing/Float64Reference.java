package dev.selfsup.testing;

import static dev.selfsup.testing.Asserts.assertAllClose;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.train.TorchRuntime;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Checks a block's float32 forward pass and gradients against the same block, with the same
 * parameter values, run in float64. libtorch computes float64 convolutions with its own kernels,
 * not oneDNN's, so the reference is independent of the fast float32 path it checks.
 *
 * <p>The loss weighs every output differently ({@code sum(y * w)}, {@code w} a ramp), so every
 * gradient is distinct; the input's gradient is checked too.
 */
public final class Float64Reference {
    /** The name under which the input's gradient is reported. */
    public static final String INPUT = "input";

    private Float64Reference() {}

    /** One pass: the output and every gradient, by parameter name, as doubles. */
    public record Pass(double[] output, Map<String, double[]> gradients) {}

    /**
     * Asserts that {@code factory}'s block in float32 agrees with float64 on an input of
     * {@code inputShape} drawn from seed {@code seed}, to {@code rtol} of each array's largest
     * magnitude.
     */
    public static void assertFloat32AgreesWithFloat64(Supplier<Block> factory, Shape inputShape,
            long seed, double rtol) {
        assertFloat32AgreesWithFloat64(factory, inputShape, seed, rtol, true);
    }

    /**
     * As {@link #assertFloat32AgreesWithFloat64(Supplier, Shape, long, double)}, the input's
     * gradient checked only if {@code checkInputGradient}: a backbone's input is pixels, whose
     * gradient training never computes.
     */
    public static void assertFloat32AgreesWithFloat64(Supplier<Block> factory, Shape inputShape,
            long seed, double rtol, boolean checkInputGradient) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(seed);
            float[] input = manager.randomNormal(inputShape).toFloatArray();
            Map<String, float[]> values = new LinkedHashMap<>();
            Pass single = run(factory.get(), DataType.FLOAT32, inputShape, input, values, manager);
            Pass reference = run(factory.get(), DataType.FLOAT64, inputShape, input, values,
                    manager);
            // every array is checked, so that a failure names all that disagree
            List<String> failures = new ArrayList<>();
            check("output", single.output(), reference.output(), rtol, failures);
            for (Map.Entry<String, double[]> e : reference.gradients().entrySet()) {
                if (!checkInputGradient && e.getKey().equals(INPUT)) {
                    continue;
                }
                check("gradient of " + e.getKey(), single.gradients().get(e.getKey()),
                        e.getValue(), rtol, failures);
            }
            if (!failures.isEmpty()) {
                throw new AssertionError(failures.size() + " arrays disagree with float64:\n"
                        + String.join("\n", failures));
            }
        }
    }

    private static void check(String what, double[] actual, double[] expected, double rtol,
            List<String> failures) {
        double largest = 0;
        for (double value : expected) {
            largest = Math.max(largest, Math.abs(value));
        }
        try {
            assertAllClose(actual, expected, 0, rtol * largest);
        } catch (AssertionError e) {
            failures.add(what + ": " + e.getMessage());
        }
    }

    /**
     * Runs {@code block} in {@code type}; the first call records the initialised parameter
     * values in {@code values}, later calls copy them in.
     */
    private static Pass run(Block block, DataType type, Shape inputShape, float[] input,
            Map<String, float[]> values, NDManager parent) {
        try (NDManager manager = parent.newSubManager()) {
            block.initialize(manager, type, inputShape);
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray array = p.getValue().getArray();
                float[] known = values.get(p.getKey());
                if (known == null) {
                    values.put(p.getKey(), array.toType(DataType.FLOAT32, false).toFloatArray());
                } else {
                    array.set(DoubleBuffer.wrap(toDoubles(known)));
                }
                if (p.getValue().requiresGradient()) {
                    array.setRequiresGradient(true);
                }
            }
            NDArray x = manager.create(input, inputShape).toType(type, false);
            x.setRequiresGradient(true);
            double[] output;
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray y = block.forward(new ParameterStore(manager, false), new NDList(x), true)
                        .singletonOrThrow();
                output = y.toType(DataType.FLOAT64, false).toDoubleArray();
                NDArray ramp = manager.arange(0f, (float) y.size()).reshape(y.getShape())
                        .div((float) y.size()).toType(type, false);
                collector.backward(y.mul(ramp).sum());
            }
            Map<String, double[]> gradients = new LinkedHashMap<>();
            gradients.put(INPUT, doubles(x.getGradient()));
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    gradients.put(p.getKey(), doubles(p.getValue().getArray().getGradient()));
                }
            }
            return new Pass(output, gradients);
        }
    }

    private static double[] doubles(NDArray array) {
        return array.toType(DataType.FLOAT64, false).toDoubleArray();
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}
