package dev.selfsup.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.augment.PatchMask;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.DinoHead;
import dev.selfsup.nn.MomentumEncoder;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.train.TrainingStep;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MomentumMethodsTest {
    private static final long[] SHAPE = {16, 1, 8, 8}; // 8 samples x 2 views

    private static Method initialised(Method method, NDManager manager) {
        method.model().initialize(manager, SHAPE[0]);
        for (Pair<String, Parameter> p : method.model().getParameters()) {
            if (p.getValue().requiresGradient()) {
                p.getValue().getArray().setRequiresGradient(true);
            }
        }
        method.afterInitialize();
        return method;
    }

    private static Method moco(int queueSize) {
        TorchRuntime.setSeed(3);
        return MoCo.builder().setBackbone(Backbones.mlp(1, 8, 8)).optQueueSize(queueSize).build();
    }

    private static Method byol() {
        TorchRuntime.setSeed(3);
        return Byol.builder().setBackbone(Backbones.mlp(1, 8, 8)).build();
    }

    private static Dino dino() {
        TorchRuntime.setSeed(3);
        return Dino.builder().setBackbone(Backbones.mlp(1, 8, 8)).optHead(32, 16, 64)
                .optLocalCrops(0).build();
    }

    private static float[] batch(SplittableRandom random) {
        float[] batch = new float[(int) (SHAPE[0] * 64)];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) random.nextGaussian();
        }
        return batch;
    }

    private static Map<String, float[]> snapshot(Method method, String prefix) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : method.model().getParameters()) {
            Parameter.Type type = p.getValue().getType();
            String name = p.getKey().substring(2); // DJL prefixes the part's position, e.g. "03"
            if (name.startsWith(prefix) && type != Parameter.Type.RUNNING_MEAN
                    && type != Parameter.Type.RUNNING_VAR) {
                values.put(name.substring(prefix.length()), p.getValue().getArray().toFloatArray());
            }
        }
        return values;
    }

    /** After a step: target = m * target + (1 - m) * updated online, exactly; no target gradient. */
    private static void assertTargetIsTheMovingAverage(Method method, double momentum,
            Map<String, float[]> targetBefore) {
        Map<String, float[]> online = snapshot(method, "");
        Map<String, float[]> target = snapshot(method, "target_");
        assertThat(target.keySet()).isEqualTo(targetBefore.keySet()).isNotEmpty();
        for (Map.Entry<String, float[]> entry : target.entrySet()) {
            float[] before = targetBefore.get(entry.getKey());
            float[] now = online.get(entry.getKey());
            float[] expected = new float[before.length];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = before[i] * (float) momentum + now[i] * (float) (1 - momentum);
            }
            assertThat(entry.getValue()).as(entry.getKey()).containsExactly(expected);
        }
        for (Pair<String, Parameter> p : method.model().getParameters()) {
            if (p.getKey().substring(2).startsWith("target_")
                    || p.getKey().substring(2).startsWith("memory_bank")
                    || p.getKey().substring(2).startsWith("center")) {
                assertThat(p.getValue().requiresGradient()).as(p.getKey()).isFalse();
                assertThat(p.getValue().getArray().hasGradient()).as(p.getKey()).isFalse();
            }
        }
    }

    @Test
    void byolStartsAsACopyAndFollowsTheCosineMomentum() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Byol method = (Byol) initialised(byol(), manager);
            Map<String, float[]> online = snapshot(method, "");
            Map<String, float[]> target = snapshot(method, "target_");
            for (Map.Entry<String, float[]> entry : target.entrySet()) {
                assertThat(entry.getValue()).containsExactly(online.get(entry.getKey()));
            }
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                SplittableRandom random = new SplittableRandom(5);
                step.run(batch(random), SHAPE, 1e-2, 0, 4);
                assertTargetIsTheMovingAverage(method, 0.99, target);
                Map<String, float[]> before = snapshot(method, "target_");
                step.run(batch(random), SHAPE, 1e-2, 2, 4); // half-way: (0.99 + 1) / 2
                assertThat(method.momentum(2, 4)).isEqualTo(MomentumEncoder.cosineMomentum(0.99, 1, 2, 4));
                assertTargetIsTheMovingAverage(method, method.momentum(2, 4), before);
            }
        }
    }

    @Test
    void dinoTeacherIsTheMovingAverageAndTheCenterFollowsTheTeachersMean() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Dino method = (Dino) initialised(dino(), manager);
            float[] center = method.center().value().toFloatArray();
            assertThat(center).containsOnly(0f);
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                SplittableRandom random = new SplittableRandom(5);
                float[] first = batch(random);
                // the teacher's mean output on this batch, before the step moves anything
                float[] teacherMean;
                try (NDManager scratch = manager.newSubManager()) {
                    ai.djl.ndarray.NDArray images = scratch.create(first, new ai.djl.ndarray.types.Shape(SHAPE));
                    ai.djl.ndarray.NDArray teacher = method.targetProject(
                            new ai.djl.training.ParameterStore(scratch, false),
                            new ViewBatch(images, 8, 2), true);
                    teacherMean = teacher.mean(new int[] {0}).toFloatArray();
                }
                Map<String, float[]> target = snapshot(method, "target_");
                step.run(first, SHAPE, 1e-2, 0, 10);
                assertTargetIsTheMovingAverage(method, 0.996, target);
                // c = 0.9 * 0 + 0.1 * mean
                float[] expected = new float[teacherMean.length];
                for (int i = 0; i < expected.length; i++) {
                    expected[i] = 0.1f * teacherMean[i];
                }
                dev.selfsup.testing.Asserts.assertAllClose(method.center().value().toFloatArray(),
                        expected, 1e-5, 1e-7);
                assertThat(method.model().getParameters().keys())
                        .anyMatch(k -> k.endsWith("center_center"));
                // the teacher temperature warms up over the first 30% of the steps
                assertThat(method.teacherTemperature(0, 10)).isEqualTo(0.04);
                assertThat(method.teacherTemperature(3, 10)).isEqualTo(0.07);
                assertThat(method.teacherTemperature(1, 20))
                        .isCloseTo(0.04 + 0.03 / 6, org.assertj.core.api.Assertions.within(1e-12));
                java.util.Map<String, Double> diagnostics = method.epochDiagnostics();
                assertThat(diagnostics).containsKeys("teacher_entropy", "student_teacher_kl",
                        "teacher_temperature");
                assertThat(diagnostics.get("teacher_entropy")).isBetween(0.0, Math.log(64) + 1e-6);
                assertThat(diagnostics.get("student_teacher_kl")).isGreaterThanOrEqualTo(-1e-5);
                assertThat(method.epochDiagnostics()).isEmpty(); // reset by the call
            }
        }
    }

    @Test
    void mocoEnqueuesBothViewsKeysAndMovesTheKeyEncoder() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MoCo method = (MoCo) initialised(moco(40), manager);
            Map<String, float[]> target = snapshot(method, "target_");
            float[] queueBefore = method.memoryBank().keys().toFloatArray();
            int dim = method.memoryBank().dim();
            try (Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                SplittableRandom random = new SplittableRandom(6);
                step.run(batch(random), SHAPE, 1e-2, 0, 10);
                assertTargetIsTheMovingAverage(method, 0.99, target);
                assertThat(method.memoryBank().position()).isEqualTo(16);
                float[] queue = method.memoryBank().keys().toFloatArray();
                // rows 0..15 were replaced by unit keys, the rest kept
                for (int row = 0; row < 40; row++) {
                    float[] now = Arrays.copyOfRange(queue, row * dim, (row + 1) * dim);
                    float[] old = Arrays.copyOfRange(queueBefore, row * dim, (row + 1) * dim);
                    if (row < 16) {
                        assertThat(now).isNotEqualTo(old);
                        double norm = 0;
                        for (float x : now) {
                            norm += x * x;
                        }
                        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-5));
                    } else {
                        assertThat(now).containsExactly(old);
                    }
                }
                step.run(batch(random), SHAPE, 1e-2, 1, 10);
                step.run(batch(random), SHAPE, 1e-2, 2, 10); // 48 keys into 40 rows: wraps
                assertThat(method.memoryBank().position()).isEqualTo(8);
            }
        }
    }

    @Test
    void noArrayOutlivesItsStep() {
        for (Method untrained : new Method[] {moco(64), byol(), dino()}) {
            try (NDManager manager = NDManager.newBaseManager()) {
                Method method = initialised(untrained, manager);
                try (Optimizer optimizer = Optimizer.create("adam", manager, 1e-4)) {
                    TrainingStep step = new TrainingStep(method, optimizer, manager);
                    SplittableRandom random = new SplittableRandom(7);
                    int[] counts = new int[40];
                    for (int i = 0; i < counts.length; i++) {
                        assertThat(step.run(batch(random), SHAPE, 1e-3, i, counts.length)).isFinite();
                        counts[i] = manager.getManagedArrays().size();
                    }
                    assertThat(Arrays.copyOfRange(counts, 1, counts.length))
                            .as(method.name()).containsOnly(counts[1]);
                }
            }
        }
    }

    @Test
    void dinoPutsBatchNormInTheHeadsBehindConvolutionalBackbonesOnly() {
        Dino cnn = Dino.builder().setBackbone(Backbones.smallResNet(1, 16, 16)).build();
        Dino vit = Dino.builder().setBackbone(Backbones.byName("vit-mini", 1, 16, 16)).build();
        Dino cnnWithout = Dino.builder().setBackbone(Backbones.smallResNet(1, 16, 16))
                .optHeadBatchNorm(false).build();
        assertThat(((DinoHead) cnn.projectionHead()).batchNorm()).isTrue();
        assertThat(((DinoHead) cnn.targetProjectionHead()).batchNorm()).isTrue();
        assertThat(((DinoHead) vit.projectionHead()).batchNorm()).isFalse();
        assertThat(((DinoHead) vit.targetProjectionHead()).batchNorm()).isFalse();
        assertThat(((DinoHead) cnnWithout.projectionHead()).batchNorm()).isFalse();
    }

    @Test
    void dinoRefusesLocalCropsOnABackboneOfOneSize() {
        assertThatThrownBy(() -> Dino.builder().setBackbone(Backbones.mlp(1, 8, 8)).build())
                .hasMessageContaining("backbone 'mlp' takes (1, 8, 8) images only")
                .hasMessageContaining("optLocalCrops(0)");
        // the registry picks no local crops for such a backbone, six for a CNN
        assertThat(Methods.build("dino", "mlp", 1, 8, 8, Methods.Options.defaults())
                .localViewCount()).isZero();
        assertThat(Methods.build("dino", "small-resnet", 1, 28, 28, Methods.Options.defaults())
                .localViewCount()).isEqualTo(6);
        assertThat(Methods.build("dino", "small-resnet", 1, 28, 28, Methods.Options.defaults())
                .localViewSize(28)).isEqualTo(12);
    }

    @Test
    void buildersRejectBadSettings() {
        assertThatThrownBy(() -> MoCo.builder().build()).hasMessageContaining("setBackbone");
        assertThatThrownBy(() -> MoCo.builder().setBackbone(Backbones.mlp(1, 8, 8)).optMomentum(2).build())
                .hasMessageContaining("found 2.0");
        assertThatThrownBy(() -> Byol.builder().setBackbone(Backbones.mlp(1, 8, 8))
                .optTargetMomentum(0.99, 0.9).build()).hasMessageContaining("base 0.99, end 0.9");
        assertThatThrownBy(() -> Byol.builder().setBackbone(Backbones.mlp(1, 8, 8))
                .optTargetBackbone(Backbones.smallResNet(1, 8, 8)).build())
                .hasMessageContaining("separate copy");
        assertThatThrownBy(() -> new Methods.Options(null, 0, null, null)).hasMessageContaining("found 0");
    }

    @Test
    void ibotAsksTheLoaderForMasksOnItsGridAndRefusesABatchWithout() {
        // vit-mini on 16x16 images: 4-pixel patches, a 4x4 grid
        Method ibot = Methods.build("ibot", "vit-mini", 1, 16, 16, Methods.Options.defaults());
        assertThat(ibot.patchMask()).contains(PatchMask.ibot(PatchMask.Kind.BLOCK, 4, 4, 0.3));
        assertThat(Methods.build("ibot", "vit-mini", 1, 16, 16,
                new Methods.Options(null, null, null, 0.4, PatchMask.Kind.RANDOM)).patchMask())
                .contains(PatchMask.ibot(PatchMask.Kind.RANDOM, 4, 4, 0.4));
        assertThat(Methods.build("dino", "vit-mini", 1, 16, 16, Methods.Options.defaults())
                .patchMask()).isEmpty();
        assertThatThrownBy(() -> Methods.build("mae", "vit-mini", 1, 16, 16,
                new Methods.Options(null, null, null, null, PatchMask.Kind.BLOCK)))
                .hasMessage("a mask kind applies to ibot, not to 'mae'");
        assertThatThrownBy(() -> Dino.builder().setBackbone(Backbones.byName("vit-mini", 1, 16, 16))
                .optMaskedPatches(PatchMask.ibot(PatchMask.Kind.BLOCK, 7, 7, 0.3)).build())
                .hasMessage("the patch mask's grid must be the backbone's 4x4, found 7x7");
        assertThatThrownBy(() -> Dino.builder().setBackbone(Backbones.smallResNet(1, 16, 16))
                .optMaskedPatches(0.3).build()).hasMessageContaining("ibot needs a ViT backbone");
        try (NDManager manager = NDManager.newBaseManager()) {
            ibot.model().initialize(manager, 8);
            ai.djl.ndarray.NDArray images = manager.randomNormal(new ai.djl.ndarray.types.Shape(8,
                    1, 16, 16));
            assertThatThrownBy(() -> ibot.loss(new ai.djl.training.ParameterStore(manager, false),
                    new ViewBatch(images, 4, 2), true))
                    .hasMessageContaining("ibot's batches need the student's patch masks (8, 16)")
                    .hasMessageEndingWith("found none");
        }
    }
}
