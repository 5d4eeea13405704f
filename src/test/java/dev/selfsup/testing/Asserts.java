package dev.selfsup.testing;

/**
 * Array assertions shared by the test suites, with numpy's {@code allclose} rule: {@code |actual
 * - expected| <= atol + rtol * |expected|} element-wise; NaN matches nothing.
 */
public final class Asserts {
    /** How many mismatches a failure message lists. */
    private static final int SHOWN = 5;

    private Asserts() {}

    /** Asserts that {@code actual} and {@code expected} have the same length and are all close. */
    public static void assertAllClose(float[] actual, float[] expected, double rtol, double atol) {
        if (actual.length != expected.length) {
            throw new AssertionError("length must be " + expected.length + ", found "
                    + actual.length);
        }
        double[] a = new double[actual.length];
        double[] e = new double[expected.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = actual[i];
            e[i] = expected[i];
        }
        assertAllClose(a, e, rtol, atol);
    }

    /** Asserts that {@code actual} and {@code expected} have the same length and are all close. */
    public static void assertAllClose(double[] actual, double[] expected, double rtol,
            double atol) {
        if (actual.length != expected.length) {
            throw new AssertionError("length must be " + expected.length + ", found "
                    + actual.length);
        }
        int mismatches = 0;
        double worst = 0;
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < actual.length; i++) {
            double difference = Math.abs(actual[i] - expected[i]);
            boolean close = difference <= atol + rtol * Math.abs(expected[i]);
            if (!close) {
                if (mismatches < SHOWN) {
                    shown.append("\n  [").append(i).append("] actual ").append(actual[i])
                            .append(", expected ").append(expected[i]);
                }
                mismatches++;
                worst = Double.isNaN(difference) ? Double.NaN : Math.max(worst, difference);
            }
        }
        if (mismatches > 0) {
            throw new AssertionError(mismatches + " of " + actual.length
                    + " values not close (rtol=" + rtol + ", atol=" + atol
                    + "), largest difference " + worst + ":" + shown);
        }
    }

    /** Asserts that every value lies in {@code [low, high]} (NaN fails). */
    public static void assertAllWithin(float[] values, double low, double high) {
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= low && values[i] <= high)) {
                throw new AssertionError("value [" + i + "] must be in [" + low + ", " + high
                        + "], found " + values[i]);
            }
        }
    }

    /** The cosine of the angle between {@code a} and {@code b}, summed in double. */
    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
