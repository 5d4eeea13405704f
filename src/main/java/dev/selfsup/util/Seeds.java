package dev.selfsup.util;

import java.util.SplittableRandom;

/**
 * Derives independent random streams from one run seed, so that every (seed, epoch, sample, view)
 * gets the same random numbers whatever the thread count or resume point.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64's finaliser: a bijective, well-mixed 64-bit hash. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A seed derived from {@code seed} and any number of coordinates (epoch, sample, view...). */
    public static long derive(long seed, long... coordinates) {
        long h = mix(seed ^ 0x9E3779B97F4A7C15L);
        for (long c : coordinates) {
            h = mix(h ^ mix(c + 0x632BE59BD9B4E019L));
        }
        return h;
    }

    /** A generator for the given coordinates. */
    public static SplittableRandom random(long seed, long... coordinates) {
        return new SplittableRandom(derive(seed, coordinates));
    }
}
