package dev.selfsup.augment;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the batches of multi-view training: each epoch shuffles the samples, and a pool of worker
 * threads renders whole batches of views ahead of the consumer into a bounded prefetch queue.
 *
 * <p>Batch {@code b} of epoch {@code e} holds samples {@code order[b*B .. (b+1)*B)} of that
 * epoch's permutation; view {@code v} of sample {@code i} uses
 * {@code Seeds.random(seed, e, i, v)}: the same seed gives the same batches and views whatever the
 * number of workers, and a run resumed at an epoch boundary sees exactly what it would have.
 * A partial last batch is dropped (contrastive losses and batch norm want full batches).
 *
 * <p>A consumer that is done with a batch may hand it back with {@link #recycle}; later batches
 * are then rendered into it instead of a freshly allocated array (a 512-view RGB 32x32 batch is
 * 6 MB, and allocating and zeroing one costs about as much as rendering a sixth of it).
 */
public final class MultiViewLoader implements AutoCloseable {
    private final ImageSet images;
    private final ViewRecipe recipe;
    private final ChannelStats stats;
    private final int batchSize;
    private final int viewCount;
    private final long seed;
    private final int prefetch;
    private final ExecutorService workers;
    /** Batches handed back by the consumer, reused by the workers. */
    private final BlockingQueue<float[]> spare;

    /**
     * @param images the training images
     * @param recipe how each view is made
     * @param stats per-channel standardisation applied after augmentation
     * @param batchSize samples per batch
     * @param viewCount views per sample
     * @param seed the run seed
     * @param workerThreads threads rendering batches (at least 1)
     * @param prefetch batches rendered ahead (at least 1)
     */
    public MultiViewLoader(ImageSet images, ViewRecipe recipe, ChannelStats stats, int batchSize,
            int viewCount, long seed, int workerThreads, int prefetch) {
        if (batchSize <= 0 || batchSize > images.size()) {
            throw new IllegalArgumentException("batch size must be in [1, " + images.size()
                    + "] (the training set's size), found " + batchSize);
        }
        if (viewCount <= 0) {
            throw new IllegalArgumentException("view count must be > 0, found " + viewCount);
        }
        if (workerThreads <= 0 || prefetch <= 0) {
            throw new IllegalArgumentException("workers and prefetch must be > 0, found "
                    + workerThreads + " and " + prefetch);
        }
        if (stats.channels() != images.channels()) {
            throw new IllegalArgumentException("stats have " + stats.channels()
                    + " channels, images " + images.channels());
        }
        this.images = images;
        this.recipe = recipe;
        this.stats = stats;
        this.batchSize = batchSize;
        this.viewCount = viewCount;
        this.seed = seed;
        this.prefetch = prefetch;
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "selfsup-views-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.workers = Executors.newFixedThreadPool(workerThreads, factory);
        this.spare = new ArrayBlockingQueue<>(prefetch + 1);
    }

    /** Full batches per epoch. */
    public int batchesPerEpoch() {
        return images.size() / batchSize;
    }

    /** Floats in one batch: {@code viewCount * batchSize * channels * size * size}. */
    public int batchLength() {
        return viewCount * batchSize * viewVolume();
    }

    private int viewVolume() {
        return images.channels() * recipe.outputSize() * recipe.outputSize();
    }

    /** The shape of one batch: {@code (viewCount * batchSize, channels, size, size)}. */
    public long[] batchShape() {
        return new long[] {(long) viewCount * batchSize, images.channels(), recipe.outputSize(),
            recipe.outputSize()};
    }

    /** The sample order of an epoch: a permutation of {@code [0, size)}. */
    public int[] epochOrder(int epoch) {
        return Permutations.shuffled(images.size(), Seeds.random(seed, epoch, -1));
    }

    /**
     * Renders batch {@code batch} of {@code epoch} into {@code out}, view-major:
     * {@code out[((v * batchSize) + s) * volume ...]} is view v of the batch's sample s.
     */
    public void renderBatch(int epoch, int[] order, int batch, float[] out) {
        int volume = viewVolume();
        for (int s = 0; s < batchSize; s++) {
            int index = order[batch * batchSize + s];
            for (int v = 0; v < viewCount; v++) {
                int offset = (v * batchSize + s) * volume;
                recipe.renderView(images, index, Seeds.random(seed, epoch, index, v), out, offset,
                        stats);
            }
        }
    }

    /**
     * Hands a batch from {@link #epoch} back for reuse: a later batch may be rendered into it, so
     * the caller must not read or keep it afterwards (a {@code TrainingStep} copies its batch
     * into its own buffer, so the batch can be recycled as soon as the step returns). Optional:
     * without it every batch is a new array. Arrays beyond a small pool are left to the garbage
     * collector.
     *
     * @param batch an array of {@link #batchLength()} floats
     */
    public void recycle(float[] batch) {
        if (batch.length != batchLength()) {
            throw new IllegalArgumentException("a recycled batch must have " + batchLength()
                    + " floats, found " + batch.length);
        }
        spare.offer(batch);
    }

    /**
     * The batches of {@code epoch} from {@code firstBatch} on, rendered ahead by the workers.
     * Each element is an array of {@link #batchLength()} floats that the loader does not touch
     * again unless it is handed back with {@link #recycle}.
     */
    public Iterator<float[]> epoch(int epoch, int firstBatch) {
        int[] order = epochOrder(epoch);
        int total = batchesPerEpoch();
        return new Iterator<>() {
            private final Deque<Future<float[]>> queue = new ArrayDeque<>();
            private int nextToSubmit = firstBatch;

            private void fill() {
                while (queue.size() < prefetch && nextToSubmit < total) {
                    int batch = nextToSubmit++;
                    queue.add(workers.submit(() -> {
                        float[] out = spare.poll();
                        if (out == null) {
                            out = new float[batchLength()];
                        }
                        renderBatch(epoch, order, batch, out);
                        return out;
                    }));
                }
            }

            @Override
            public boolean hasNext() {
                fill();
                return !queue.isEmpty();
            }

            @Override
            public float[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Future<float[]> head = queue.poll();
                fill();
                try {
                    return head.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for a batch", e);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("rendering a batch failed: " + e.getCause(),
                            e.getCause());
                }
            }
        };
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
