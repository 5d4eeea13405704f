import java.awt.image.BufferedImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * Writes Fashion-MNIST as a folder of PNGs for the Spark throughput figure (docs/spark.md):
 * {@code java bench/FashionPngs.java IDX_DIR OUT TRAIN TEST} writes the first TRAIN training
 * images to OUT/train/CLASS/N.png and the first TEST test images to OUT/test/CLASS/N.png.
 */
public class FashionPngs {
    public static void main(String[] args) throws IOException {
        Path idx = Path.of(args[0]);
        Path out = Path.of(args[1]);
        write(idx, "train", out.resolve("train"), Integer.parseInt(args[2]));
        write(idx, "t10k", out.resolve("test"), Integer.parseInt(args[3]));
    }

    private static void write(Path idx, String prefix, Path out, int count) throws IOException {
        try (DataInputStream images = open(idx.resolve(prefix + "-images-idx3-ubyte.gz"));
                DataInputStream labels = open(idx.resolve(prefix + "-labels-idx1-ubyte.gz"))) {
            images.readInt();
            images.readInt();
            int rows = images.readInt();
            int columns = images.readInt();
            labels.readInt();
            labels.readInt();
            byte[] pixels = new byte[rows * columns];
            for (int i = 0; i < count; i++) {
                images.readFully(pixels);
                int label = labels.readUnsignedByte();
                BufferedImage image = new BufferedImage(columns, rows, BufferedImage.TYPE_BYTE_GRAY);
                image.getRaster().setDataElements(0, 0, columns, rows, pixels);
                Path folder = Files.createDirectories(out.resolve("class" + label));
                ImageIO.write(image, "png", folder.resolve(String.format("%05d.png", i)).toFile());
            }
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        return new DataInputStream(new GZIPInputStream(Files.newInputStream(file), 1 << 16));
    }
}
