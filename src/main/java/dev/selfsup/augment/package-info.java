/**
 * Image views for contrastive self-supervised learning: random transforms on {@code (channels,
 * height, width)} float images in [0, 1] with torchvision's semantics ({@link
 * dev.selfsup.augment.RandomResizedCrop}, {@link dev.selfsup.augment.HorizontalFlip}, {@link
 * dev.selfsup.augment.ColorJitter}, {@link dev.selfsup.augment.RandomGrayscale}, {@link
 * dev.selfsup.augment.GaussianBlur}, {@link dev.selfsup.augment.Solarize}, {@link
 * dev.selfsup.augment.GaussianNoise}) and the recipes that chain them into views ({@link
 * dev.selfsup.augment.ViewRecipes}, {@link dev.selfsup.augment.TransformRecipe}).
 *
 * <p>Pure Java and allocation-free per view on the hot path: the first crop reads the set's bytes
 * straight into the caller's buffer and the colour operations work on it in place. All randomness
 * comes from the generator passed in, so a view is a function of (seed, epoch, sample, view) via
 * {@link dev.selfsup.util.Seeds}, whatever the thread count. {@link
 * dev.selfsup.augment.AugmentThroughput} measures views per second.
 */
package dev.selfsup.augment;
