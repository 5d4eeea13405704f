/**
 * Text corruptions and example building for the text methods: BERT's 15% / 80-10-10 masking
 * ({@link dev.selfsup.augment.text.MaskedTokens}), the autoencoder's delete / mask / local-shuffle
 * noise ({@link dev.selfsup.augment.text.TokenNoise}) and the batches of MLM windows, sentence
 * pairs and noisy sentences ({@link dev.selfsup.augment.text.TextExamples}). All randomness is
 * derived from (seed, epoch, example).
 */
package dev.selfsup.augment.text;
