package dev.selfsup.augment;

import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * JMH throughput of the view recipes on one thread. Each invocation renders {@link #VIEWS} views
 * (successive images of a 1024-image {@link AugmentThroughput#syntheticImages} set, each view with
 * its own {@link Seeds#random} generator, as a data loader does), and
 * {@code @OperationsPerInvocation(VIEWS)} makes JMH report <b>views per second</b>.
 *
 * <p>Run from the repository root:
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.openjdk.jmh.Main \
 *     AugmentBenchmark -wi 1 -i 2 -f 1 -r 1s -w 1s
 * </pre>
 *
 * (Drop the {@code -wi/-i/-r/-w} options for the annotated 3 x 2 s warm-up and 5 x 2 s
 * measurement.) Benchmarks: {@code simclrRgb32} (SimCLR recipe, RGB 32x32, the CIFAR-10 case),
 * {@code simclrGray28} (SimCLR recipe, gray 28x28, the MNIST case) and {@code tutorialRgb32}.
 *
 * <p>Measured with the short command above on the 2-vCPU development VM (Xeon, JDK 17.0.15,
 * shared with other jobs, load average about 4, so the scores swing by a factor of 1.5):
 * {@code simclrRgb32} 54,000 to 65,000 views/s, {@code simclrGray28} 177,000 to 218,000 views/s,
 * {@code tutorialRgb32} 34,000 to 38,000 views/s (bound by {@code nextGaussian}, one per value).
 * The project's targets (10 times torchvision's per-core rate) are 37,500 views/s for RGB 32 and
 * 73,000 views/s for gray 28.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AugmentBenchmark {
    /** Views rendered per benchmark invocation. */
    static final int VIEWS = 256;
    private static final int IMAGES = 1024;

    private ImageSet rgb32;
    private ImageSet gray28;
    private ViewRecipe simclr32;
    private ViewRecipe simclr28;
    private ViewRecipe tutorial32;
    private float[] out32;
    private float[] out28;
    private long step;

    @Setup
    public void setUp() {
        rgb32 = AugmentThroughput.syntheticImages(IMAGES, 3, 32, 1L);
        gray28 = AugmentThroughput.syntheticImages(IMAGES, 1, 28, 2L);
        simclr32 = ViewRecipes.simclr(32);
        simclr28 = ViewRecipes.simclr(28);
        tutorial32 = ViewRecipes.tutorial(32);
        out32 = new float[3 * 32 * 32];
        out28 = new float[28 * 28];
    }

    private void render(ViewRecipe recipe, ImageSet set, float[] out, Blackhole blackhole) {
        long base = step++ * VIEWS;
        for (int v = 0; v < VIEWS; v++) {
            long view = base + v;
            int index = (int) (view % IMAGES);
            recipe.renderView(set, index, Seeds.random(7L, view / IMAGES, index, 0), out, 0);
        }
        blackhole.consume(out);
    }

    /** SimCLR views of RGB 32x32 images; score = views/s. */
    @Benchmark
    @OperationsPerInvocation(VIEWS)
    public void simclrRgb32(Blackhole blackhole) {
        render(simclr32, rgb32, out32, blackhole);
    }

    /** SimCLR views of gray 28x28 images; score = views/s. */
    @Benchmark
    @OperationsPerInvocation(VIEWS)
    public void simclrGray28(Blackhole blackhole) {
        render(simclr28, gray28, out28, blackhole);
    }

    /** Tutorial views (image + 0.05 N(0, 1)) of RGB 32x32 images; score = views/s. */
    @Benchmark
    @OperationsPerInvocation(VIEWS)
    public void tutorialRgb32(Blackhole blackhole) {
        render(tutorial32, rgb32, out32, blackhole);
    }
}
