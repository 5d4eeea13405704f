package dev.selfsup.nn;

/**
 * The size of a {@link TransformerEncoder}. The CPU default (width 128, 2 layers, 4 heads,
 * length 128) is a little smaller than BERT-tiny (Turc et al. 2019,
 * https://arxiv.org/abs/1908.08962: 2 layers, width 128, 2 heads).
 *
 * @param vocabularySize pieces of the tokenizer, special tokens included
 * @param width embedding and hidden width (divisible by heads)
 * @param layers Transformer layers
 * @param heads attention heads per layer
 * @param maxLength longest sequence, special tokens included
 * @param dropout dropout rate of embeddings, attention and feed-forward (BERT: 0.1)
 */
public record TextEncoderConfig(int vocabularySize, int width, int layers, int heads,
        int maxLength, float dropout) {
    public TextEncoderConfig {
        if (vocabularySize < 6) {
            throw new IllegalArgumentException("vocabulary size must be >= 6, found " + vocabularySize);
        }
        if (width <= 0 || heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width must be a positive multiple of heads, found "
                    + "width " + width + " and heads " + heads);
        }
        if (layers <= 0 || layers > 48) {
            throw new IllegalArgumentException("layers must be in [1, 48], found " + layers);
        }
        if (maxLength < 8 || maxLength > 4096) {
            throw new IllegalArgumentException("maximum length must be in [8, 4096], found " + maxLength);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), found " + dropout);
        }
    }
}
