package dev.selfsup.augment;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Permutations;
import dev.selfsup.util.Seeds;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
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
 * <p>Views may differ in recipe and size (multi-crop: two global views and several small local
 * ones): the views of one recipe come together, view-major, and the batch's groups of same-size
 * views follow one another in the array ({@link #viewGroups}). A loader may also draw a
 * {@link PatchMask} for each of the first views of every sample (iBOT's masks over the student's
 * global views), from a random stream of the mask's own; the masks follow the views
 * ({@link #maskShape}).
 *
 * <p>A consumer that is done with a batch may hand it back with {@link #recycle}; later batches
 * are then rendered into it instead of a freshly allocated array (a 512-view RGB 32x32 batch is
 * 6 MB, and allocating and zeroing one costs about as much as rendering a sixth of it).
 */
public final class MultiViewLoader implements AutoCloseable {
    /** The last coordinate of a mask's random stream, beside its view's (seed, epoch, sample, view). */
    private static final long MASK_STREAM = 1;

    private final ImageSet images;
    private final List<ViewRecipe> viewRecipes;
    private final int[] viewOffsets;
    private final int totalVolume;
    /** The patch masks drawn with the first {@link #maskedViews} views, or null for none. */
    private final PatchMask masks;
    private final int maskedViews;
    /** Where the masks start in a batch: after every view. */
    private final int maskOffset;
    private final ChannelStats stats;
    private final int batchSize;
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
        this(images, nCopies(recipe, viewCount), stats, batchSize, seed, workerThreads, prefetch);
    }

    private static List<ViewRecipe> nCopies(ViewRecipe recipe, int viewCount) {
        if (viewCount <= 0) {
            throw new IllegalArgumentException("view count must be > 0, found " + viewCount);
        }
        return java.util.Collections.nCopies(viewCount, recipe);
    }

    /**
     * A loader whose view {@code v} of every sample is made by {@code viewRecipes.get(v)}.
     *
     * @param viewRecipes one recipe per view, at least one
     * @see #MultiViewLoader(ImageSet, ViewRecipe, ChannelStats, int, int, long, int, int)
     */
    public MultiViewLoader(ImageSet images, List<ViewRecipe> viewRecipes, ChannelStats stats,
            int batchSize, long seed, int workerThreads, int prefetch) {
        this(images, viewRecipes, stats, batchSize, seed, workerThreads, prefetch, null, 0);
    }

    /**
     * A loader that also draws a patch mask for each of the first {@code maskedViews} views of
     * every sample (iBOT's student masks over its global views): view {@code v} of sample
     * {@code i} in epoch {@code e} gets {@code masks.draw(Seeds.random(seed, e, i, v, 1), ...)},
     * a stream of its own beside the view's. The masks follow the views in each batch
     * ({@link #maskShape}).
     *
     * @param masks the mask to draw, or null for none
     * @param maskedViews how many views, from the first, get a mask (0 with no mask)
     * @see #MultiViewLoader(ImageSet, List, ChannelStats, int, long, int, int)
     */
    public MultiViewLoader(ImageSet images, List<ViewRecipe> viewRecipes, ChannelStats stats,
            int batchSize, long seed, int workerThreads, int prefetch, PatchMask masks,
            int maskedViews) {
        int viewCount = viewRecipes.size();
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
        if (maskedViews < 0 || maskedViews > viewCount || (masks == null) != (maskedViews == 0)) {
            throw new IllegalArgumentException("masked views must be in [1, " + viewCount
                    + "] with a mask and 0 without, found " + maskedViews + " with "
                    + (masks == null ? "none" : masks));
        }
        this.images = images;
        this.viewRecipes = List.copyOf(viewRecipes);
        this.viewOffsets = new int[viewCount + 1];
        for (int v = 0; v < viewCount; v++) {
            int side = viewRecipes.get(v).outputSize();
            viewOffsets[v + 1] = Math.addExact(viewOffsets[v],
                    Math.multiplyExact(batchSize, images.channels() * side * side));
        }
        this.masks = masks;
        this.maskedViews = maskedViews;
        this.maskOffset = viewOffsets[viewCount];
        this.totalVolume = masks == null ? maskOffset : Math.addExact(maskOffset,
                Math.multiplyExact(maskedViews * batchSize, masks.patches()));
        this.stats = stats;
        this.batchSize = batchSize;
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

    /**
     * Floats in one batch: {@code batchSize * channels * sum over views of size^2}, then the
     * masks' {@code maskedViews * batchSize * patches}.
     */
    public int batchLength() {
        return totalVolume;
    }

    /**
     * The shape of one batch of views all of one size: {@code (viewCount * batchSize, channels,
     * size, size)}.
     *
     * @throws IllegalStateException when the views differ in size: see {@link #viewGroups}
     */
    public long[] batchShape() {
        List<long[]> groups = viewGroups();
        if (groups.size() != 1) {
            throw new IllegalStateException("the views come in " + groups.size() + " sizes; use "
                    + "viewGroups()");
        }
        return groups.get(0);
    }

    /**
     * The batch's runs of consecutive views of one size, in array order, each as the shape
     * {@code (views * batchSize, channels, size, size)}.
     */
    public List<long[]> viewGroups() {
        List<long[]> groups = new java.util.ArrayList<>();
        int v = 0;
        while (v < viewRecipes.size()) {
            int side = viewRecipes.get(v).outputSize();
            int end = v;
            while (end < viewRecipes.size() && viewRecipes.get(end).outputSize() == side) {
                end++;
            }
            groups.add(new long[] {(long) (end - v) * batchSize, images.channels(), side, side});
            v = end;
        }
        return groups;
    }

    /**
     * The shape of a batch's masks after its views, {@code (maskedViews * batchSize, patches)},
     * view-major like the views, 1 where a patch is hidden; null for a loader without masks.
     */
    public long[] maskShape() {
        return masks == null ? null : new long[] {(long) maskedViews * batchSize, masks.patches()};
    }

    /** The sample order of an epoch: a permutation of {@code [0, size)}. */
    public int[] epochOrder(int epoch) {
        return Permutations.shuffled(images.size(), Seeds.random(seed, epoch, -1));
    }

    /**
     * Renders batch {@code batch} of {@code epoch} into {@code out}, view-major: view {@code v}
     * of the batch's sample {@code s} starts at {@code batchSize * (sum of the volumes of views
     * before v) + s * volume(v)}; with views of one size, at {@code ((v * batchSize) + s) * volume}.
     * The mask of view {@code v} of sample {@code s}, if any, follows all views, at
     * {@code (v * batchSize + s) * patches} from their end.
     */
    public void renderBatch(int epoch, int[] order, int batch, float[] out) {
        for (int s = 0; s < batchSize; s++) {
            int index = order[batch * batchSize + s];
            for (int v = 0; v < viewRecipes.size(); v++) {
                ViewRecipe recipe = viewRecipes.get(v);
                int volume = images.channels() * recipe.outputSize() * recipe.outputSize();
                int offset = viewOffsets[v] + s * volume;
                recipe.renderView(images, index, Seeds.random(seed, epoch, index, v), out, offset,
                        stats);
            }
            for (int v = 0; v < maskedViews; v++) {
                masks.draw(Seeds.random(seed, epoch, index, v, MASK_STREAM), out,
                        maskOffset + (v * batchSize + s) * masks.patches());
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
