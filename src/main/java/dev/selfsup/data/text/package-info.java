/**
 * Text data: {@code text:PATH} corpora read as strict UTF-8 into documents of sentences
 * ({@link dev.selfsup.data.text.TextCorpusReader}), labelled texts from class folders
 * ({@link dev.selfsup.data.text.LabeledTextReader}), and a WordPiece tokenizer learned from the
 * corpus ({@link dev.selfsup.data.text.WordPieceTrainer}, {@link
 * dev.selfsup.data.text.WordPieceTokenizer}) whose vocabulary is saved as JSON with a checkpoint.
 */
package dev.selfsup.data.text;
