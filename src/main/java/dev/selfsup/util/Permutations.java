package dev.selfsup.util;

import java.util.SplittableRandom;

/** Seeded random orders of sample indices. */
public final class Permutations {
    private Permutations() {}

    /** {@code [0, size)} in a uniformly random order (Fisher-Yates) drawn from {@code random}. */
    public static int[] shuffled(int size, SplittableRandom random) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        shuffle(order, random);
        return order;
    }

    /** Shuffles {@code order} in place (Fisher-Yates). */
    public static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
