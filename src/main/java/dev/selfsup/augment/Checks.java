package dev.selfsup.augment;

/** Argument checks shared by the transforms, with "rule, found value" messages. */
final class Checks {
    private Checks() {}

    /** Requires {@code 0 <= value <= 1}. */
    static double probability(String name, double value) {
        if (!(value >= 0.0 && value <= 1.0)) {
            throw new IllegalArgumentException(name + " must be in [0, 1], found " + value);
        }
        return value;
    }

    /** Requires a finite {@code value >= 0}. */
    static double nonNegative(String name, double value) {
        if (!(value >= 0.0)) {
            throw new IllegalArgumentException(name + " must be >= 0, found " + value);
        }
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, found " + value);
        }
        return value;
    }

    /** Requires a finite {@code value > 0}. */
    static double positive(String name, double value) {
        if (!(value > 0.0)) {
            throw new IllegalArgumentException(name + " must be > 0, found " + value);
        }
        if (Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be finite, found " + value);
        }
        return value;
    }

    /** Requires {@code value > 0}. */
    static int positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, found " + value);
        }
        return value;
    }

    /** Requires {@code low <= value <= high}. */
    static double inRange(String name, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new IllegalArgumentException(
                    name + " must be in [" + low + ", " + high + "], found " + value);
        }
        return value;
    }
}
