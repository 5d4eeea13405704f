package dev.selfsup.testing;

import java.util.SplittableRandom;

/** Seeded random test inputs. */
public final class RandomValues {
    private RandomValues() {}

    /** {@code count} standard normal values from a generator seeded with {@code seed}. */
    public static float[] gaussian(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
