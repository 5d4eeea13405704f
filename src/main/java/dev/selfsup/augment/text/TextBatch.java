package dev.selfsup.augment.text;

/**
 * One batch of text examples as flat int arrays, row-major {@code (rows, length)}, ready to become
 * tensors.
 *
 * @param rows examples in the batch
 * @param length pieces per row (the longest example; shorter rows are padded with {@code [PAD]})
 * @param tokens input piece ids, {@code (rows, length)}
 * @param types segment ids (0 = first segment, 1 = second), {@code (rows, length)}
 * @param attention 1 for a real piece, 0 for padding, {@code (rows, length)}
 * @param targetPositions flat indices {@code row * length + position} where a piece is predicted
 *     (the masked positions of MLM, every piece of the original for the autoencoder)
 * @param targetIds the piece to predict at each target position
 * @param nextSentenceLabels per row 0 = the second segment follows the first, 1 = it comes from
 *     another document; null when the batch has no sentence pairs
 */
public record TextBatch(int rows, int length, int[] tokens, int[] types, float[] attention,
        int[] targetPositions, int[] targetIds, int[] nextSentenceLabels) {
    public TextBatch {
        int cells = rows * length;
        if (rows <= 0 || length <= 0 || tokens.length != cells || types.length != cells
                || attention.length != cells) {
            throw new IllegalArgumentException("tokens, types and attention must hold rows x length = "
                    + cells + " values, found " + tokens.length + ", " + types.length + ", "
                    + attention.length);
        }
        if (targetPositions.length != targetIds.length) {
            throw new IllegalArgumentException("target positions and ids differ in count: "
                    + targetPositions.length + " vs " + targetIds.length);
        }
        if (nextSentenceLabels != null && nextSentenceLabels.length != rows) {
            throw new IllegalArgumentException("need one next-sentence label per row (" + rows
                    + "), found " + nextSentenceLabels.length);
        }
    }
}
