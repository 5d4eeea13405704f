package dev.selfsup.report;

import dev.selfsup.method.PictureSheet;
import dev.selfsup.util.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Renders a {@link PictureSheet} to a PNG: the title, column headings, then one row per image,
 * each picture scaled up by pixel repetition (to about {@value #TARGET_SIDE} pixels a side) with
 * its caption underneath. Written atomically (a temporary file renamed into place).
 */
public final class PictureGrid {
    /** Pictures are scaled by a whole factor to about this many pixels a side. */
    public static final int TARGET_SIDE = 96;
    private static final int GAP = 8;
    private static final int LINE = 14;
    private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private PictureGrid() {}

    /** Draws {@code sheet} into an RGB image. */
    public static BufferedImage render(PictureSheet sheet) {
        int cellWidth = 0;
        int cellHeight = 0;
        for (List<PictureSheet.Panel> row : sheet.rows()) {
            for (PictureSheet.Panel panel : row) {
                int scale = scale(panel);
                cellWidth = Math.max(cellWidth, panel.width() * scale);
                cellHeight = Math.max(cellHeight, panel.height() * scale);
            }
        }
        cellWidth = Math.max(cellWidth, 80);
        int columns = sheet.columns().size();
        int width = Math.max(GAP + columns * (cellWidth + GAP), 320);
        List<String> titleLines = wrap(sheet.title(), width - 2 * GAP);
        int top = GAP + titleLines.size() * LINE + GAP + LINE + 4;
        int height = top + sheet.rows().size() * (cellHeight + LINE + GAP) + GAP;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                    RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(TITLE_FONT);
            for (int i = 0; i < titleLines.size(); i++) {
                g.drawString(titleLines.get(i), GAP, GAP + (i + 1) * LINE - 3);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
            for (int c = 0; c < columns; c++) {
                g.drawString(fit(sheet.columns().get(c), g.getFontMetrics(), cellWidth),
                        GAP + c * (cellWidth + GAP), top - 7);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            FontMetrics metrics = g.getFontMetrics();
            for (int r = 0; r < sheet.rows().size(); r++) {
                int y = top + r * (cellHeight + LINE + GAP);
                List<PictureSheet.Panel> row = sheet.rows().get(r);
                for (int c = 0; c < row.size(); c++) {
                    int x = GAP + c * (cellWidth + GAP);
                    PictureSheet.Panel panel = row.get(c);
                    draw(image, panel, x, y);
                    g.setColor(Color.BLACK);
                    g.drawString(fit(panel.caption(), metrics, cellWidth), x, y + cellHeight + LINE - 3);
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Renders {@code sheet} and writes it as a PNG (parent folders are created). */
    public static void write(Path png, PictureSheet sheet) throws IOException {
        BufferedImage image = render(sheet);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    private static int scale(PictureSheet.Panel panel) {
        return Math.max(1, TARGET_SIDE / Math.max(panel.height(), panel.width()));
    }

    private static void draw(BufferedImage image, PictureSheet.Panel panel, int left, int top) {
        int scale = scale(panel);
        int plane = panel.height() * panel.width();
        float[] pixels = panel.pixels();
        for (int y = 0; y < panel.height(); y++) {
            for (int x = 0; x < panel.width(); x++) {
                int p = y * panel.width() + x;
                int r = level(pixels[p]);
                int g = panel.channels() == 3 ? level(pixels[plane + p]) : r;
                int b = panel.channels() == 3 ? level(pixels[2 * plane + p]) : r;
                int rgb = (r << 16) | (g << 8) | b;
                for (int dy = 0; dy < scale; dy++) {
                    for (int dx = 0; dx < scale; dx++) {
                        image.setRGB(left + x * scale + dx, top + y * scale + dy, rgb);
                    }
                }
            }
        }
    }

    private static int level(float value) {
        return Math.round(255 * Math.max(0f, Math.min(1f, value)));
    }

    /** {@code text} broken at spaces into lines of at most {@code width} pixels (title font). */
    private static List<String> wrap(String text, int width) {
        BufferedImage scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = scratch.createGraphics();
        try {
            FontMetrics metrics = g.getFontMetrics(TITLE_FONT);
            List<String> lines = new java.util.ArrayList<>();
            StringBuilder line = new StringBuilder();
            for (String word : text.split(" ")) {
                String candidate = line.length() == 0 ? word : line + " " + word;
                if (line.length() > 0 && metrics.stringWidth(candidate) > width) {
                    lines.add(line.toString());
                    line.setLength(0);
                    line.append(word);
                } else {
                    line.setLength(0);
                    line.append(candidate);
                }
            }
            lines.add(line.toString());
            return lines;
        } finally {
            g.dispose();
        }
    }

    private static String fit(String text, FontMetrics metrics, int width) {
        if (metrics.stringWidth(text) <= width) {
            return text;
        }
        String shortened = text;
        while (!shortened.isEmpty() && metrics.stringWidth(shortened + "...") > width) {
            shortened = shortened.substring(0, shortened.length() - 1);
        }
        return shortened + "...";
    }
}
