/**
 * The self-made targets of the image pretext tasks, on tensors of standardised images
 * {@code (batch, C, H, W)}: the four rotations and their labels ({@link
 * dev.selfsup.pretext.Rotations}), colour spaces ({@link dev.selfsup.pretext.CieLab}) and the
 * lightness-only input of colorization ({@link dev.selfsup.pretext.LightnessInput}), random masks
 * ({@link dev.selfsup.pretext.ImageMasks}) and corruptions ({@link
 * dev.selfsup.pretext.ImageCorruption}). The methods in {@code dev.selfsup.method} combine them
 * with a backbone, a head or decoder ({@code dev.selfsup.nn}) and a loss ({@code dev.selfsup.loss}).
 *
 * <p>Never imports {@code method}, {@code train} or {@code cli}.
 */
package dev.selfsup.pretext;
