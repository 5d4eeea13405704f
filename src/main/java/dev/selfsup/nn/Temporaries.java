package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;

/**
 * Keeps temporaries out of long-lived managers: an operation on a parameter (a slice, a
 * transpose) creates its result in the parameter's manager, where it would outlive the step.
 */
final class Temporaries {
    private Temporaries() {}

    /** Moves {@code result} into the manager of {@code owner} (e.g. the step's) and returns it. */
    static NDArray inManagerOf(NDArray result, NDArray owner) {
        result.attach(owner.getManager());
        return result;
    }
}
