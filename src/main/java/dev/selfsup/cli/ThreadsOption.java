package dev.selfsup.cli;

import dev.selfsup.train.TorchRuntime;
import picocli.CommandLine.Option;

/** {@code --threads}: libtorch's compute threads, all cores unless given. */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N",
            description = "libtorch compute threads (default: all cores).")
    Integer threads;

    /** The threads given, or all cores. */
    int resolved() {
        return TorchRuntime.threadsOrAllCores(threads);
    }

    /** Sets libtorch's compute threads to {@link #resolved()}. */
    void apply() {
        TorchRuntime.setThreads(resolved());
    }
}
