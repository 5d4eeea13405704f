package dev.selfsup.eval;

import java.math.BigDecimal;

/**
 * How many training labels a label-efficiency subset keeps in each class: a fixed count per class
 * ({@link #perClass}) or a fraction of each class ({@link #fraction}). See {@link LabelSubsets}.
 */
public sealed interface LabelBudget {
    /** {@code count} labels per class (all of a class that has fewer); {@code count >= 1}. */
    static LabelBudget perClass(int count) {
        return new PerClass(count);
    }

    /** {@code round(fraction * classSize)} labels per class, at least 1; {@code fraction} in (0, 1]. */
    static LabelBudget fraction(double fraction) {
        return new Fraction(fraction);
    }

    /** Every training label: the full-label reference. */
    static LabelBudget all() {
        return new Fraction(1.0);
    }

    /** Labels kept from a class holding {@code classSize} labelled samples (0 for an empty class). */
    int keptOf(int classSize);

    /** A short name: {@code "10/class"}, {@code "1%"}, or {@code "all"} for the fraction 1. */
    String spec();

    /**
     * A fixed number of labels per class.
     *
     * @param count labels per class, at least 1
     */
    record PerClass(int count) implements LabelBudget {
        public PerClass {
            if (count < 1) {
                throw new IllegalArgumentException("labels per class must be >= 1, found " + count);
            }
        }

        @Override
        public int keptOf(int classSize) {
            return Math.min(count, classSize);
        }

        @Override
        public String spec() {
            return count + "/class";
        }
    }

    /**
     * A fraction of every class.
     *
     * @param value share of each class kept, in (0, 1]
     */
    record Fraction(double value) implements LabelBudget {
        public Fraction {
            if (!(value > 0 && value <= 1)) {
                throw new IllegalArgumentException("label fraction must be in (0, 1], found " + value);
            }
        }

        @Override
        public int keptOf(int classSize) {
            if (classSize == 0) {
                return 0;
            }
            return (int) Math.max(1, Math.min(classSize, Math.round(value * classSize)));
        }

        @Override
        public String spec() {
            if (value == 1) {
                return "all";
            }
            return BigDecimal.valueOf(value).movePointRight(2).stripTrailingZeros().toPlainString()
                    + "%";
        }
    }
}
