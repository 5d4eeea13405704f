import com.sun.management.OperatingSystemMXBean;
import dev.selfsup.augment.AugmentThroughput;
import dev.selfsup.augment.MultiViewLoader;
import dev.selfsup.augment.ViewRecipe;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;

/**
 * CPU cost of SimCLR augmentation, in CPU time rather than wall time, so that other work on a
 * shared machine inflates it much less than it inflates {@code bench augment}: (1) CPU
 * milliseconds per 256-sample, 2-view batch drawn from a {@link MultiViewLoader} with one worker,
 * of the whole process (garbage collection and the JIT included) and of the worker thread alone
 * (rendering, standardisation and allocation); batches are handed back with {@code recycle} when
 * the loader has it; and (2) views per CPU second of
 * {@code renderView} on one thread (what {@code bench augment --threads 1} does). Each figure is
 * the median of 9 windows after a warm-up.
 *
 * <p>Run with any build's classes (arguments: channels, image size), compiled first so that the
 * JIT is not busy with javac while it measures: {@code javac -cp target/classes -d
 * target/bench-classes bench/AugmentCpuCost.java && java -cp target/bench-classes:target/classes
 * AugmentCpuCost 3 32}.
 */
public class AugmentCpuCost {
    public static void main(String[] args) throws Exception {
        int channels = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        ImageSet set = AugmentThroughput.syntheticImages(4096, channels, size, 1L);
        ChannelStats stats = ChannelStats.of(set);
        ViewRecipe recipe = ViewRecipes.simclr(size);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] batchMillis = new double[9];
        double[] workerMillis = new double[9];
        try (MultiViewLoader loader = new MultiViewLoader(set, recipe, stats, 256, 2, 1L, 1, 1)) {
            Method recycle = null;
            try {
                recycle = MultiViewLoader.class.getMethod("recycle", float[].class);
            } catch (NoSuchMethodException e) {
                // an older build: every batch is a new array
            }
            int epoch = 0;
            loader.epoch(epoch++, 0).next(); // starts the worker thread
            long worker = -1;
            for (Thread thread : Thread.getAllStackTraces().keySet()) {
                if (thread.getName().startsWith("selfsup-views-")) {
                    worker = thread.getId();
                }
            }
            for (int window = -3; window < batchMillis.length; window++) {
                long cpu = os.getProcessCpuTime();
                long workerCpu = threads.getThreadCpuTime(worker);
                int batches = 0;
                while (batches < 48) {
                    Iterator<float[]> it = loader.epoch(epoch++, 0);
                    while (it.hasNext() && batches < 48) {
                        float[] batch = it.next();
                        batches++;
                        if (recycle != null) {
                            recycle.invoke(loader, (Object) batch);
                        }
                    }
                }
                if (window >= 0) {
                    batchMillis[window] = (os.getProcessCpuTime() - cpu) / 1e6 / batches;
                    workerMillis[window] = (threads.getThreadCpuTime(worker) - workerCpu) / 1e6
                            / batches;
                }
            }
        }
        double[] viewsPerCpuSecond = new double[9];
        float[] out = new float[channels * size * size];
        long view = 0;
        for (int window = -3; window < viewsPerCpuSecond.length; window++) {
            long cpu = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < 20000; i++, view++) {
                int index = (int) (view % set.size());
                recipe.renderView(set, index, Seeds.random(7L, view, index), out, 0);
            }
            if (window >= 0) {
                viewsPerCpuSecond[window] = 20000 / ((threads.getCurrentThreadCpuTime() - cpu) / 1e9);
            }
        }
        Arrays.sort(batchMillis);
        Arrays.sort(workerMillis);
        Arrays.sort(viewsPerCpuSecond);
        System.out.printf(Locale.ROOT, "{\"channels\":%d,\"size\":%d,\"batch_process_cpu_ms\":%.3f,"
                + "\"batch_worker_cpu_ms\":%.3f,\"render_view_per_cpu_second\":%.0f}%n",
                channels, size, batchMillis[4], workerMillis[4], viewsPerCpuSecond[4]);
    }
}
