package dev.selfsup.data;

/**
 * Measures how long {@link ShapesDataset#generate} takes, cold (the first call in a fresh JVM,
 * JIT compilation included, as a CLI run sees it) and warm (best of the following calls).
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes dev.selfsup.data.ShapesThroughput
 * [trainSize] [testSize] [repeats]} (default 10000 2000 5). Uses the common fork-join pool, so
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism=N} (or {@code taskset}) sets the
 * thread count.
 */
public final class ShapesThroughput {
    private ShapesThroughput() {}

    public static void main(String[] args) {
        int trainSize = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int testSize = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        double best = Double.POSITIVE_INFINITY;
        for (int r = 0; r <= repeats; r++) {
            long start = System.nanoTime();
            DataSplits splits = ShapesDataset.generate(trainSize, testSize, 42 + r);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (r == 0) {
                System.out.printf("cold: %d images in %.3f s (%s)%n", trainSize + testSize,
                        seconds, splits.train().identity());
            } else {
                best = Math.min(best, seconds);
            }
        }
        System.out.printf("warm: best of %d: %.3f s, %d processors%n", repeats, best,
                Runtime.getRuntime().availableProcessors());
    }
}
