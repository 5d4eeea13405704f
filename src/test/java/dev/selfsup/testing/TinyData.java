package dev.selfsup.testing;

import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Seeds;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Small synthetic image sets for fast training tests: 4 classes of 16x16 gray images (a bright
 * horizontal bar, a vertical bar, a square blob or a diagonal), each at a random position and
 * brightness over a noisy background.
 */
public final class TinyData {
    private TinyData() {}

    public static DataSplits splits(int trainSize, int testSize, long seed) {
        return new DataSplits("tiny", split("train", trainSize, seed, 1),
                split("test", testSize, seed, 2));
    }

    private static ImageSet split(String name, int size, long seed, int stream) {
        int side = 16;
        byte[] pixels = new byte[size * side * side];
        int[] labels = new int[size];
        for (int i = 0; i < size; i++) {
            SplittableRandom random = Seeds.random(seed, stream, i);
            int label = i % 4;
            labels[i] = label;
            int cx = 4 + random.nextInt(8);
            int cy = 4 + random.nextInt(8);
            double bright = 0.6 + 0.4 * random.nextDouble();
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    boolean on = switch (label) {
                        case 0 -> Math.abs(y - cy) <= 1 && Math.abs(x - cx) <= 5;
                        case 1 -> Math.abs(x - cx) <= 1 && Math.abs(y - cy) <= 5;
                        case 2 -> Math.abs(x - cx) <= 2 && Math.abs(y - cy) <= 2;
                        default -> Math.abs((x - cx) - (y - cy)) <= 1 && Math.abs(x - cx) <= 4;
                    };
                    double v = (on ? bright : 0.15) + 0.08 * random.nextGaussian();
                    pixels[i * side * side + y * side + x] = (byte) Math.round(
                            255 * Math.max(0, Math.min(1, v)));
                }
            }
        }
        return new ImageSet("tiny " + name, 1, side, side, pixels, labels,
                List.of("horizontal", "vertical", "blob", "diagonal"));
    }
}
