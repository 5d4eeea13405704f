package dev.selfsup.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;

/**
 * A developer tool that saves a grid of shapes samples (one row per class) as a PNG, to check by
 * eye that the classes are recognisable.
 *
 * <p>Run: {@code java -cp target/classes:target/test-classes dev.selfsup.data.ShapesPreview
 * [out.png] [seed] [scale]} (default {@code /tmp/shapes-grid.png}, seed 42, scale 3).
 */
public final class ShapesPreview {
    private ShapesPreview() {}

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path out = Path.of(args.length > 0 ? args[0] : "/tmp/shapes-grid.png");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 42;
        int scale = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        ImageSet set = ShapesDataset.generateSplit("train", 1000, seed);
        ImageIO.write(classGrid(set, 10, scale), "png", out.toFile());
        System.out.println("wrote " + out + " (" + set.identity() + ")");
    }

    /**
     * A grid with one row per class and {@code columns} samples of that class per row, each image
     * magnified {@code scale} times (nearest neighbour) with a 2-pixel gap.
     */
    static BufferedImage classGrid(ImageSet set, int columns, int scale) {
        int rows = set.classCount();
        int cell = set.width() * scale + 2;
        BufferedImage grid = new BufferedImage(columns * cell, rows * cell,
                BufferedImage.TYPE_INT_RGB);
        int[] filled = new int[rows];
        Arrays.fill(filled, 0);
        int plane = set.height() * set.width();
        for (int i = 0; i < set.size(); i++) {
            int label = set.labels()[i];
            if (filled[label] >= columns) {
                continue;
            }
            int col = filled[label]++;
            int offset = set.offsetOf(i);
            for (int y = 0; y < set.height() * scale; y++) {
                for (int x = 0; x < set.width() * scale; x++) {
                    int p = (y / scale) * set.width() + x / scale;
                    int r = set.pixel(offset + p);
                    int g = set.pixel(offset + (set.channels() == 3 ? plane : 0) + p);
                    int b = set.pixel(offset + (set.channels() == 3 ? 2 * plane : 0) + p);
                    grid.setRGB(col * cell + x, label * cell + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return grid;
    }
}
