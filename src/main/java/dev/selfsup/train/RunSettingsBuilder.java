package dev.selfsup.train;

import java.util.HashSet;
import java.util.Set;

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
    /** Samples per step, or null: the modality's default. */
    protected Integer batchSize;
    /** The peak learning rate, or null: the method's (or the data's) default. */
    protected Double learningRate;
    /** The optimiser's weight decay, or null: the optimiser's default. */
    protected Double weightDecay;
    /**
     * The data-suited settings set by the user, by their option names ({@code batch-size},
     * {@code lr}, ...): a builder that picks defaults from the data leaves these alone.
     */
    protected final Set<String> given = new HashSet<>();

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

    /** Samples per step; default: the modality's (see the concrete builder). */
    public B optBatchSize(int batchSize) {
        this.batchSize = batchSize;
        given.add("batch-size");
        return self();
    }

    /** The peak learning rate; default: the method's, or one suited to the data. */
    public B optLearningRate(double learningRate) {
        this.learningRate = learningRate;
        given.add("lr");
        return self();
    }

    /** Default: the optimiser's (see the concrete builder). */
    public B optWeightDecay(double weightDecay) {
        this.weightDecay = weightDecay;
        return self();
    }

    /** The threads to run with: those set, else one per core. */
    int resolvedThreads() {
        return TorchRuntime.threadsOrAllCores(threads);
    }
}
