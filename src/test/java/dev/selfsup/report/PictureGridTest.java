package dev.selfsup.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.selfsup.method.PictureSheet;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PictureGridTest {
    @Test
    void drawsEveryPanelScaledAndWritesAReadablePng(@TempDir Path dir) throws Exception {
        float[] red = new float[3 * 4 * 4];
        java.util.Arrays.fill(red, 0, 16, 1f); // (3, 4, 4): R = 1, G = B = 0
        float[] gray = new float[4 * 4];
        java.util.Arrays.fill(gray, 0.5f);
        PictureSheet sheet = new PictureSheet("a title", List.of("red", "gray"), List.of(
                List.of(new PictureSheet.Panel(red, 3, 4, 4, "r"),
                        new PictureSheet.Panel(gray, 1, 4, 4, "g"))));
        Path png = dir.resolve("pictures/sheet.png");
        PictureGrid.write(png, sheet);
        BufferedImage image = ImageIO.read(png.toFile());
        BufferedImage rendered = PictureGrid.render(sheet);
        assertThat(image.getWidth()).isEqualTo(rendered.getWidth());
        assertThat(image.getHeight()).isEqualTo(rendered.getHeight());
        // 4-pixel panels are scaled 24 times to 96 pixels; find the red block and the gray one
        int reds = 0;
        int top = Integer.MAX_VALUE;
        int bottom = -1;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == 0xFF0000) {
                    reds++;
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        assertThat(reds).isEqualTo(96 * 96);
        assertThat(bottom - top + 1).isEqualTo(96);
        int grays = 0; // in the same rows (captions are antialiased text elsewhere)
        for (int y = top; y <= bottom; y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                grays += (image.getRGB(x, y) & 0xFFFFFF) == 0x808080 ? 1 : 0;
            }
        }
        assertThat(grays).isEqualTo(96 * 96);
    }

    @Test
    void rowsNeedAPanelPerColumn() {
        assertThatThrownBy(() -> new PictureSheet("t", List.of("a", "b"),
                List.of(List.of(new PictureSheet.Panel(new float[1], 1, 1, 1, "")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found 1");
    }
}
