package dev.selfsup.augment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures how many views per second a {@link ViewRecipe} renders, with one or more threads, the
 * way a data loader would: each thread renders views of successive images into its own
 * {@code (channels, outputSize, outputSize)} buffer, each view with its own generator from
 * {@link Seeds#random} (its cost included). A warm-up run, whose result is dropped, lets the JIT
 * compile the hot loops first.
 *
 * <p>Run it as a plain program after {@code mvn -o -q compile}: {@code java -cp target/classes
 * dev.selfsup.augment.AugmentThroughput [recipe [channels [size [threads [seconds]]]]]} (defaults
 * {@code simclr 3 32 1 5}) on {@link #syntheticImages} of that shape. Wall-clock numbers depend
 * on the machine and on what else runs on it; write the command down with them.
 */
public final class AugmentThroughput {
    /** Views rendered between two looks at the clock. */
    private static final int VIEWS_PER_CLOCK_CHECK = 64;
    /** Seed of the generators used while measuring. */
    private static final long SEED = 20240611L;

    private AugmentThroughput() {}

    /**
     * One measurement of {@link #measure(String, int, int, int, double)}.
     *
     * @param recipe the recipe's name
     * @param channels image channels
     * @param imageSize image and view side
     * @param threads rendering threads
     * @param viewsPerSecond views rendered per second by all threads together
     */
    @JsonPropertyOrder({"benchmark", "recipe", "channels", "image_size", "threads",
        "views_per_second", "views_per_second_per_thread"})
    public record Result(String recipe, int channels, @JsonProperty("image_size") int imageSize,
            int threads, @JsonProperty("views_per_second") double viewsPerSecond) {
        /** {@code "augment"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "augment";
        }

        /** {@link #viewsPerSecond} divided by the threads. */
        @JsonProperty("views_per_second_per_thread")
        public double viewsPerSecondPerThread() {
            return viewsPerSecond / threads;
        }
    }

    /**
     * Views per second of the built-in recipe {@code recipeName} on 1,024
     * {@link #syntheticImages} of {@code channels x size x size}.
     */
    public static Result measure(String recipeName, int channels, int size, int threads,
            double seconds) {
        ViewRecipe recipe = ViewRecipes.byName(recipeName, size);
        ImageSet set = syntheticImages(1024, channels, size, 1L);
        return new Result(recipeName, channels, size, threads,
                viewsPerSecond(recipe, set, threads, seconds));
    }

    /**
     * Views per second rendered by {@code threads} threads together, measured over
     * {@code seconds} after a warm-up of {@code min(2, max(0.5, seconds / 2))} seconds.
     *
     * @param recipe the recipe, shared by all threads
     * @param set the images, not empty; views cycle through them
     * @param threads number of rendering threads, {@code >= 1}
     * @param seconds length of the measurement, {@code > 0}
     * @return total views rendered divided by the wall time of the measurement
     */
    public static double viewsPerSecond(ViewRecipe recipe, ImageSet set, int threads,
            double seconds) {
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(set, "set");
        Checks.positive("threads", threads);
        Checks.positive("seconds", seconds);
        if (set.size() == 0) {
            throw new IllegalArgumentException("set must not be empty, found 0 images");
        }
        measure(recipe, set, threads, Math.min(2.0, Math.max(0.5, seconds / 2)), 0);
        return measure(recipe, set, threads, seconds, 1);
    }

    private static double measure(
            ViewRecipe recipe, ImageSet set, int threads, double seconds, long round) {
        int volume = set.channels() * recipe.outputSize() * recipe.outputSize();
        long[] counts = new long[threads];
        long[] ends = new long[threads];
        long[] start = new long[1];
        long duration = (long) (seconds * 1e9);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CyclicBarrier barrier = new CyclicBarrier(threads, () -> start[0] = System.nanoTime());
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int worker = t;
            workers[t] = new Thread(() -> {
                try {
                    float[] out = new float[volume];
                    int size = set.size();
                    long view = 0;
                    barrier.await();
                    long deadline = start[0] + duration;
                    int index = (int) ((long) worker * size / threads);
                    long now;
                    do {
                        for (int i = 0; i < VIEWS_PER_CLOCK_CHECK; i++) {
                            recipe.renderView(set, index,
                                    Seeds.random(SEED, round, worker, view), out, 0);
                            view++;
                            if (++index == size) {
                                index = 0;
                            }
                        }
                        now = System.nanoTime();
                    } while (now < deadline);
                    counts[worker] = view;
                    ends[worker] = now;
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    barrier.reset();
                }
            }, "augment-throughput-" + t);
            workers[t].start();
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring throughput", e);
            }
        }
        Throwable error = failure.get();
        if (error != null) {
            if (error instanceof RuntimeException) {
                throw (RuntimeException) error;
            }
            throw new IllegalStateException("rendering failed: " + error, error);
        }
        long total = 0;
        long end = start[0];
        for (int t = 0; t < threads; t++) {
            total += counts[t];
            end = Math.max(end, ends[t]);
        }
        return total / ((end - start[0]) * 1e-9);
    }

    /**
     * {@code count} smooth random images of shape {@code (channels, size, size)}: per channel, a
     * sum of two random low-frequency plane waves plus a little noise, so colours and edges vary
     * gently as in natural images (random noise would make hue computations needlessly branchy).
     */
    public static ImageSet syntheticImages(int count, int channels, int size, long seed) {
        Checks.positive("count", count);
        Checks.positive("size", size);
        SplittableRandom random = new SplittableRandom(seed);
        int plane = size * size;
        byte[] pixels = new byte[count * channels * plane];
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < channels; c++) {
                double fx1 = random.nextDouble(-0.5, 0.5);
                double fy1 = random.nextDouble(-0.5, 0.5);
                double fx2 = random.nextDouble(-0.3, 0.3);
                double fy2 = random.nextDouble(-0.3, 0.3);
                double phase1 = random.nextDouble(0, 2 * Math.PI);
                double phase2 = random.nextDouble(0, 2 * Math.PI);
                double level = random.nextDouble(0.25, 0.75);
                int base = (n * channels + c) * plane;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double v = level + 0.25 * Math.sin(fx1 * x + fy1 * y + phase1)
                                + 0.15 * Math.sin(fx2 * x + fy2 * y + phase2)
                                + 0.03 * random.nextGaussian();
                        int value = (int) Math.round(255 * Math.min(1.0, Math.max(0.0, v)));
                        pixels[base + y * size + x] = (byte) value;
                    }
                }
            }
        }
        int[] labels = new int[count];
        Arrays.fill(labels, ImageSet.UNLABELLED);
        return new ImageSet("synthetic(" + count + "x" + channels + "x" + size + "x" + size
                + ", seed=" + seed + ")", channels, size, size, pixels, labels, List.of());
    }

    /**
     * Prints the views per second of a built-in recipe on {@link #syntheticImages}. Arguments, all
     * optional: recipe name ({@code simclr}), channels (3), image and view size (32), threads (1),
     * seconds (5).
     */
    public static void main(String[] args) {
        String recipeName = args.length > 0 ? args[0] : ViewRecipes.SIMCLR;
        int channels = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 5.0;
        Result result = measure(recipeName, channels, size, threads, seconds);
        System.out.printf(Locale.ROOT, "%s %dx%dx%d, %d thread(s): %.0f views/s%n",
                recipeName, channels, size, size, threads, result.viewsPerSecond());
    }
}
