package dev.selfsup.method;

import java.util.List;
import java.util.Objects;

/**
 * A grid of small pictures that shows what a pretext task does with a few images: one row per
 * image, one column per stage (e.g. masked, filled in, original), each cell with a caption. The
 * training loop renders it to a PNG under {@code RUN_DIR/pictures/}.
 *
 * @param title a line above the grid
 * @param columns the column headings
 * @param rows the rows, each with one panel per column
 */
public record PictureSheet(String title, List<String> columns, List<List<Panel>> rows) {
    public PictureSheet {
        Objects.requireNonNull(title, "title");
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (List<Panel> row : rows) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException("every row needs one panel per column ("
                        + columns.size() + "), found " + row.size());
            }
        }
    }

    /**
     * One picture.
     *
     * @param pixels {@code (channels, height, width)} values in [0, 1] (others are clamped)
     * @param channels 1 (gray) or 3 (RGB)
     * @param caption a short line under the picture (may be empty)
     */
    public record Panel(float[] pixels, int channels, int height, int width, String caption) {
        public Panel {
            if (channels != 1 && channels != 3) {
                throw new IllegalArgumentException("channels must be 1 or 3, found " + channels);
            }
            if (height <= 0 || width <= 0 || pixels.length != channels * height * width) {
                throw new IllegalArgumentException("pixels must hold " + channels + "x" + height
                        + "x" + width + " values, found " + pixels.length);
            }
            Objects.requireNonNull(caption, "caption");
        }
    }
}
