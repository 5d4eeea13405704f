package dev.selfsup.method;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.selfsup.augment.PatchMask;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.nn.Backbones;
import dev.selfsup.nn.VisionTransformer;
import dev.selfsup.train.Optimizer;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.train.TrainingStep;
import dev.selfsup.util.Seeds;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in image method (and DINO with multi-crop on a ViT), run for 300 steps: the count of
 * live native arrays under the model's manager is the same after every step from the second on
 * (the first creates the optimiser's state), so nothing a step makes outlives it; and no step
 * after the first copies an array through a Java direct buffer. DJL copies Java data into a fresh
 * direct buffer that only a garbage collection frees, so a table or mask made from Java each step
 * is native garbage whose backlog grows until the collector happens to run (BENCHMARKS.md, "Native
 * memory"). What may remain are DJL's 4-byte buffers behind Number operands ({@code x.add(1f)}):
 * the check is that a step's new direct memory is at most 8 bytes per new buffer.
 */
class NativeMemoryTest {
    private static final int STEPS = 300;
    /** The JVM's count of direct buffers not yet freed. */
    private static final java.lang.management.BufferPoolMXBean DIRECT =
            java.lang.management.ManagementFactory.getPlatformMXBeans(
                    java.lang.management.BufferPoolMXBean.class).stream()
                    .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();

    static java.util.List<String> methods() {
        java.util.List<String> names = new java.util.ArrayList<>(Methods.NAMES);
        names.add("mae-learned-positions");
        names.add("dino-vit");
        return names;
    }

    private static Method build(String name) {
        TorchRuntime.setSeed(1);
        VisionTransformer.Config learned = new VisionTransformer.Config(3, 8, 8, 4, 16, 1, 2,
                true, VisionTransformer.Pooling.CLASS_TOKEN);
        VisionTransformer.Config fixed = new VisionTransformer.Config(3, 8, 8, 4, 16, 1, 2,
                false, VisionTransformer.Pooling.CLASS_TOKEN);
        return switch (name) {
            case "mae-learned-positions" -> new Mae(Backbones.vit("vit-test", learned));
            case "dino-vit" -> Dino.builder().setBackbone(Backbones.vit("vit-test", fixed))
                    .optTargetBackbone(Backbones.vit("vit-test", fixed)).optHead(16, 8, 32)
                    .optLocalCrops(3).build();
            default -> Methods.build(name, Methods.defaultBackbone(name).startsWith("vit-")
                    ? "vit-mini" : "mlp", 3, 8, 8,
                    new Methods.Options(null, name.equals("moco") || name.equals("nnclr") ? 64
                            : null, new ChannelStats(new float[] {0.5f, 0.5f, 0.5f},
                            new float[] {0.25f, 0.25f, 0.25f}), null));
        };
    }

    @ParameterizedTest
    @MethodSource("methods")
    void noArrayOutlivesItsStep(String name) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Method method = build(name);
            int views = method.viewCount();
            long[] shape = {4L * views, 3, 8, 8};
            java.util.List<long[]> groups = method.localViewCount() == 0 ? java.util.List.of(shape)
                    : java.util.List.of(shape, new long[] {4L * method.localViewCount(), 3, 4, 4});
            method.model().initialize(manager, shape[0]);
            for (Pair<String, Parameter> p : method.model().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            method.afterInitialize();
            try (Optimizer optimizer = Optimizer.create("adam", manager, 1e-4)) {
                TrainingStep step = new TrainingStep(method, optimizer, manager);
                SplittableRandom random = new SplittableRandom(7);
                int[] counts = new int[STEPS];
                java.util.List<String> allocating = new java.util.ArrayList<>();
                PatchMask mask = method.patchMask().orElse(null);
                long[] maskShape = mask == null ? null : new long[] {shape[0], mask.patches()};
                for (int i = 0; i < STEPS; i++) {
                    int length = groups.stream().mapToInt(g -> (int) (g[0] * g[1] * g[2] * g[3])).sum();
                    float[] batch = new float[length];
                    for (int j = 0; j < length; j++) {
                        batch[j] = (float) random.nextGaussian();
                    }
                    if (mask != null) {
                        int draw = i;
                        float[] masks = mask.draw((int) shape[0], r -> Seeds.random(7, draw, r));
                        batch = Arrays.copyOf(batch, length + masks.length);
                        System.arraycopy(masks, 0, batch, length, masks.length);
                    }
                    long buffersBefore = DIRECT.getCount();
                    long bytesBefore = DIRECT.getMemoryUsed();
                    assertThat(step.run(batch, groups, maskShape, 1e-3, i, STEPS)).isFinite();
                    long buffers = DIRECT.getCount() - buffersBefore;
                    long bytes = DIRECT.getMemoryUsed() - bytesBefore;
                    if (i > 0 && bytes > 8 * Math.max(buffers, 0)) {
                        allocating.add("step " + i + ": " + buffers + " buffers, " + bytes + " bytes");
                    }
                    counts[i] = manager.getManagedArrays().size();
                }
                assertThat(Arrays.copyOfRange(counts, 1, STEPS)).as(name).containsOnly(counts[1]);
                assertThat(allocating).as(name + ": steps that copied arrays through direct buffers")
                        .isEmpty();
            }
        }
    }
}
