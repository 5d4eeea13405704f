package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Block;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.selfsup.nn.Backbones;
import dev.selfsup.testing.Asserts;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class OptimizerTest {
    /** Minimises sum((w - target)^2) and compares each step with a plain-Java optimiser. */
    private static void compareWithReference(String name, double lr, double weightDecay) {
        compareWithReference(name, lr, weightDecay, 0.9, 0.999, 1e-8, Parameter.Type.WEIGHT);
    }

    private static void compareWithReference(String name, double lr, double weightDecay,
            double beta1, double beta2, double epsilon) {
        compareWithReference(name, lr, weightDecay, beta1, beta2, epsilon, Parameter.Type.WEIGHT);
    }

    private static void compareWithReference(String name, double lr, double weightDecay,
            double beta1, double beta2, double epsilon, Parameter.Type type) {
        compareWithReference(name, lr, weightDecay, beta1, beta2, epsilon, type, true);
        if (name.startsWith("adam")) {
            // DJL's adamUpdate, the path taken where libtorch's fused kernel is missing
            compareWithReference(name, lr, weightDecay, beta1, beta2, epsilon, type, false);
        }
    }

    private static void compareWithReference(String name, double lr, double weightDecay,
            double beta1, double beta2, double epsilon, Parameter.Type type, boolean fused) {
        boolean adamw = name.equals("adamw");
        boolean adam = adamw || name.equals("adam");
        // AdamW decays weight matrices only, outside the gradient; Adam adds L2 to the gradient
        double coupledDecay = adamw ? 0 : weightDecay;
        double decoupledDecay = adamw && type == Parameter.Type.WEIGHT ? weightDecay : 0;
        float[] target = {1f, -2f, 0.5f};
        float[] start = {0.3f, 0.1f, -0.7f};
        try (NDManager manager = NDManager.newBaseManager()) {
            Parameter parameter = Parameter.builder().setName("w")
                    .setType(type).build();
            parameter.setArray(manager.create(start.clone()));
            parameter.getArray().setRequiresGradient(true);
            PairList<String, Parameter> parameters = new PairList<>();
            parameters.add("w", parameter);
            double[] w = {start[0], start[1], start[2]};
            double[] m = new double[3];
            double[] v = new double[3];
            try (Optimizer optimizer = adam
                    ? new Optimizer.Adam(manager, beta1, beta2, epsilon, weightDecay, adamw, fused)
                    : Optimizer.create(name, manager, weightDecay)) {
                for (int t = 1; t <= 20; t++) {
                    try (NDManager step = manager.newSubManager()) {
                        NDArray weight = parameter.getArray();
                        try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                            NDArray diff = weight.sub(step.create(target));
                            collector.backward(diff.mul(diff).sum());
                        }
                        optimizer.step(parameters, lr, step);
                    }
                    for (int i = 0; i < 3; i++) {
                        double g = 2 * (w[i] - target[i]) + coupledDecay * w[i];
                        w[i] *= 1 - lr * decoupledDecay;
                        if (adam) {
                            m[i] = beta1 * m[i] + (1 - beta1) * g;
                            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                            double mHat = m[i] / (1 - Math.pow(beta1, t));
                            double vHat = v[i] / (1 - Math.pow(beta2, t));
                            w[i] -= lr * mHat / (Math.sqrt(vHat) + epsilon);
                        } else {
                            m[i] = t == 1 ? g : 0.9 * m[i] + g;
                            w[i] -= lr * m[i];
                        }
                    }
                    float[] actual = parameter.getArray().toFloatArray();
                    for (int i = 0; i < 3; i++) {
                        assertThat((double) actual[i]).as("%s (fused %s) step %d w[%d]", name, fused, t, i)
                                .isCloseTo(w[i], within(1e-5));
                    }
                }
                assertThat(optimizer.updateCount()).isEqualTo(20);
            }
            assertThat(parameter.getArray().getDataType()).isEqualTo(DataType.FLOAT32);
        }
    }

    @Test
    void adamMatchesPlainJava() {
        compareWithReference("adam", 0.05, 0);
        compareWithReference("adam", 0.01, 0.1);
        // a large epsilon and other betas pin where epsilon and the bias corrections enter
        compareWithReference("adam", 0.05, 0, 0.8, 0.99, 0.5);
        compareWithReference("adam", 0.05, 0.01, 0.5, 0.9, 2.0);
    }

    @Test
    void adamWDecaysWeightsOutsideTheGradientAndSparesBiasesAndNorms() {
        compareWithReference("adamw", 0.05, 0.5);
        compareWithReference("adamw", 0.05, 0.5, 0.8, 0.99, 0.5, Parameter.Type.WEIGHT);
        for (Parameter.Type spared : new Parameter.Type[] {Parameter.Type.BIAS,
                Parameter.Type.GAMMA, Parameter.Type.BETA}) {
            compareWithReference("adamw", 0.05, 0.5, 0.9, 0.999, 1e-8, spared);
        }
    }

    /**
     * The fused kernel walks weights, gradients and moments as flat memory: on a residual
     * network (channels-last convolutions, whose weight gradients libtorch computes channels-last,
     * and batch norm) it must give DJL's update for every parameter, step after step.
     */
    @Test
    void fusedKernelAgreesWithDjlOnEveryParameterOfAResidualNetwork() {
        assertThat(FusedAdamKernel.available()).as("libtorch's fused Adam kernel is bound").isTrue();
        Map<String, float[]> fused = trainResidualNetwork(true);
        Map<String, float[]> djl = trainResidualNetwork(false);
        assertThat(fused.keySet()).isEqualTo(djl.keySet()).hasSizeGreaterThan(10);
        // each step moves a value by up to lr = 1e-2; the two kernels round m / sqrt(v)
        // differently (3e-6 apart, measured), a scrambled layout would be lr apart
        for (String name : djl.keySet()) {
            Asserts.assertAllClose(fused.get(name), djl.get(name), 1e-5, 1e-5);
        }
    }

    /** Three Adam steps (weight decay 0.01) of a small residual network; its parameters after. */
    private static Map<String, float[]> trainResidualNetwork(boolean fused) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(5);
            Block block = Backbones.smallResNet(3, 16, 16).block();
            Shape shape = new Shape(4, 3, 16, 16);
            block.initialize(manager, DataType.FLOAT32, shape);
            NDArray input = manager.randomNormal(shape);
            try (Optimizer optimizer = new Optimizer.Adam(manager, 0.9, 0.999, 1e-8, 0.01, false,
                    fused)) {
                for (int t = 0; t < 3; t++) {
                    try (NDManager step = manager.newSubManager();
                            GradientCollector collector =
                                    manager.getEngine().newGradientCollector()) {
                        NDArray y = block.forward(new ParameterStore(step, false),
                                new NDList(input), true).singletonOrThrow();
                        NDArray ramp = step.arange(0f, (float) y.size()).reshape(y.getShape());
                        collector.backward(y.mul(ramp).sum());
                        optimizer.step(block.getParameters(), 1e-2, step);
                    }
                }
            }
            Map<String, float[]> values = new TreeMap<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    values.put(p.getKey(), p.getValue().getArray().toFloatArray());
                }
            }
            return values;
        }
    }

    /**
     * After a step the gradient is dropped, not zero-filled (libtorch holds none, DJL reads zeros)
     * and the parameter still requires one: the next backward pass gives a fresh gradient, which
     * the plain-Java comparisons above would catch if it added to an old one.
     */
    @Test
    void stepDropsGradientsAndKeepsThemRequired() {
        assertThat(GradientRelease.available()).as("set_autograd_meta is bound").isTrue();
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Parameter parameter = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
                    .build();
            parameter.setArray(manager.create(new float[] {1f, 2f, 3f}));
            parameter.getArray().setRequiresGradient(true);
            PairList<String, Parameter> parameters = new PairList<>();
            parameters.add("w", parameter);
            PtNDArray weight = (PtNDArray) parameter.getArray();
            for (int t = 0; t < 2; t++) {
                try (NDManager step = manager.newSubManager()) {
                    try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                        collector.backward(weight.mul(weight).sum());
                    }
                    float[] w = weight.toFloatArray();
                    float[] gradient = weight.getGradient().toFloatArray();
                    for (int i = 0; i < 3; i++) {
                        assertThat(gradient[i]).as("step %d: a fresh gradient 2w", t)
                                .isCloseTo(2 * w[i], within(1e-5f));
                    }
                    optimizer.step(parameters, 0.1, step);
                    assertThat(JniUtils.getGradient(weight)).as("libtorch's gradient").isNull();
                    assertThat(weight.hasGradient()).isTrue();
                    assertThat(weight.getGradient().toFloatArray()).containsOnly(0f);
                }
            }
        }
    }

    @Test
    void sgdWithMomentumMatchesPlainJava() {
        compareWithReference("sgd", 0.05, 0);
        compareWithReference("sgd", 0.02, 0.01);
    }

    @Test
    void rejectsBadSettings() {
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> Optimizer.create("lamb", manager, 0)).hasMessageContaining("'lamb'");
            assertThatThrownBy(() -> Optimizer.create("adam", manager, -1)).hasMessageContaining("-1");
            assertThatThrownBy(() -> new Optimizer.Sgd(manager, 1.5, 0)).hasMessageContaining("1.5");
        }
    }

    @Test
    void cosineScheduleWarmsUpThenDecaysToZero() {
        CosineSchedule schedule = new CosineSchedule(0.1, 10, 110);
        assertThat(schedule.learningRate(0)).isCloseTo(0.01, within(1e-12));
        assertThat(schedule.learningRate(9)).isCloseTo(0.1, within(1e-12));
        assertThat(schedule.learningRate(10)).isCloseTo(0.1, within(1e-12));
        assertThat(schedule.learningRate(60)).isCloseTo(0.05, within(1e-12));
        assertThat(schedule.learningRate(110)).isCloseTo(0, within(1e-12));
        assertThatThrownBy(() -> new CosineSchedule(0.1, 20, 10)).hasMessageContaining("found 20");
        assertThatThrownBy(() -> new CosineSchedule(-1, 0, 10)).hasMessageContaining("found -1");
    }
}
