package dev.selfsup.train;

/**
 * The settings every run's builder takes, whatever the modality: how long it trains, its seed,
 * its threads and how many checkpoints it keeps. ({@code setX} required, {@code optX} optional,
 * as DJL's builders.)
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class RunSettingsBuilder<B extends RunSettingsBuilder<B>> {
    /** Passes over the data; default 10. */
    protected int epochs = 10;
    /** The one seed behind all randomness; default 0. */
    protected long seed;
    /** libtorch compute threads, or null: all cores. */
    protected Integer threads;
    /** Newest checkpoints kept; default 2. */
    protected int keepCheckpoints = 2;

    RunSettingsBuilder() {}

    abstract B self();

    /** Default 10. */
    public B optEpochs(int epochs) {
        this.epochs = epochs;
        return self();
    }

    /** Default 0. */
    public B optSeed(long seed) {
        this.seed = seed;
        return self();
    }

    /** libtorch threads; default: all cores. */
    public B optThreads(int threads) {
        this.threads = threads;
        return self();
    }

    /** Newest checkpoints kept; default 2. */
    public B optKeepCheckpoints(int keepCheckpoints) {
        this.keepCheckpoints = keepCheckpoints;
        return self();
    }

    /** The threads to run with: those set, else one per core. */
    int resolvedThreads() {
        return TorchRuntime.threadsOrAllCores(threads);
    }
}
