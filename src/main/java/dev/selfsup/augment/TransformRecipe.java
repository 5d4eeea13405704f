package dev.selfsup.augment;

import dev.selfsup.data.ChannelStats;
import dev.selfsup.data.ImageSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A {@link ViewRecipe} made of a list of {@link ImageTransform}s applied in order, each view
 * {@code (channels, outputSize, outputSize)} with the source set's channel count.
 *
 * <p>The first step brings the image to the output size:
 * <ul>
 *   <li>a first {@link RandomResizedCrop} or {@link Resize} (whose output size must equal the
 *       recipe's) crops or resizes the set's bytes straight into the output buffer;
 *   <li>otherwise the image is resized bilinearly to {@code outputSize x outputSize} when its
 *       size differs (as {@link Resize}), or copied, and the first transform runs after that.
 * </ul>
 * Every later {@link InPlaceTransform} then works in place on the output buffer, so the usual
 * recipes allocate nothing per view. A crop followed directly by a {@link HorizontalFlip} is
 * fused (the crop writes mirrored), drawing the same random numbers and giving the same values as
 * the unfused chain. When the chain is a crop followed only by {@link PlanarTransform}s (flip,
 * colour jitter, grayscale: the SimCLR recipe), the view stays in per-thread planes from the crop
 * to one final store, standardised on the way by
 * {@link #renderView(ImageSet, int, RandomGenerator, float[], int, ChannelStats)}.
 * Any other transform is run on a {@link FloatImage} copy, and the final image
 * must have shape {@code (channels, outputSize, outputSize)}, else an
 * {@link IllegalStateException} is thrown.
 *
 * <p>{@link #apply} runs the same chain on a {@link FloatImage}, the plain reference for
 * {@link #renderView}: both give identical values for the same generator state.
 *
 * <p>Thread-safe when its transforms are (all transforms of this package are): several threads may
 * render views from one instance at once.
 */
public final class TransformRecipe implements ViewRecipe {
    private final String name;
    private final int outputSize;
    private final List<ImageTransform> transforms;
    private final ImageTransform[] steps;
    private final RandomResizedCrop firstCrop;
    private final Resize firstResize;
    private final boolean fusedFlip;
    /** Whether every step after the crop (and fused flip) is a {@link PlanarTransform}. */
    private final boolean planar;
    private final Resize resize;

    /**
     * A recipe.
     *
     * @param name the recipe's name, as the CLI spells it; not blank
     * @param outputSize side of the square views, {@code > 0}
     * @param transforms the chain, applied in order; may be empty (views are then the resized
     *     images)
     */
    public TransformRecipe(String name, int outputSize, List<? extends ImageTransform> transforms) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transforms, "transforms");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, found '" + name + "'");
        }
        this.name = name;
        this.outputSize = Checks.positive("outputSize", outputSize);
        List<ImageTransform> copy = new ArrayList<>(transforms.size());
        for (int i = 0; i < transforms.size(); i++) {
            ImageTransform transform = transforms.get(i);
            if (transform == null) {
                throw new IllegalArgumentException("transform " + i + " must not be null");
            }
            copy.add(transform);
        }
        this.transforms = Collections.unmodifiableList(copy);
        this.steps = copy.toArray(new ImageTransform[0]);
        ImageTransform first = steps.length > 0 ? steps[0] : null;
        this.firstCrop = first instanceof RandomResizedCrop ? (RandomResizedCrop) first : null;
        this.firstResize = first instanceof Resize ? (Resize) first : null;
        int firstSize = firstCrop != null ? firstCrop.outputSize()
                : firstResize != null ? firstResize.outputSize() : outputSize;
        if (firstSize != outputSize) {
            throw new IllegalArgumentException("the first transform " + first
                    + " must have outputSize " + outputSize + " (the recipe's), found "
                    + firstSize);
        }
        this.fusedFlip = firstCrop != null && steps.length > 1
                && steps[1] instanceof HorizontalFlip;
        boolean allPlanar = firstCrop != null;
        for (int i = fusedFlip ? 2 : 1; allPlanar && i < steps.length; i++) {
            allPlanar = steps[i] instanceof PlanarTransform;
        }
        this.planar = allPlanar;
        this.resize = new Resize(outputSize);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int outputSize() {
        return outputSize;
    }

    /** The chain, in order (unmodifiable). */
    public List<ImageTransform> transforms() {
        return transforms;
    }

    @Override
    public void renderView(ImageSet set, int index, RandomGenerator random, float[] out,
            int offset) {
        render(set, index, random, out, offset, null);
    }

    @Override
    public void renderView(ImageSet set, int index, RandomGenerator random, float[] out,
            int offset, ChannelStats stats) {
        Objects.requireNonNull(stats, "stats");
        render(set, index, random, out, offset, stats);
    }

    /** Renders one view, standardised by {@code stats} unless it is null. */
    private void render(ImageSet set, int index, RandomGenerator random, float[] out, int offset,
            ChannelStats stats) {
        Objects.checkIndex(index, set.size());
        int channels = set.channels();
        int volume = channels * outputSize * outputSize;
        Objects.checkFromIndexSize(offset, volume, out.length);
        if (stats != null && stats.channels() != channels) {
            throw new IllegalArgumentException("stats have " + stats.channels()
                    + " channels, the images " + channels);
        }
        if (planar) {
            renderPlanar(set, index, random, out, offset, stats);
            return;
        }
        int next;
        if (firstCrop != null) {
            CropBox box = firstCrop.sampleBox(set.height(), set.width(), random);
            boolean mirror = fusedFlip && ((HorizontalFlip) steps[1]).draw(random);
            firstCrop.render(set, index, box, mirror, out, offset);
            next = fusedFlip ? 2 : 1;
        } else if (firstResize != null) {
            firstResize.render(set, index, out, offset);
            next = 1;
        } else if (set.height() != outputSize || set.width() != outputSize) {
            resize.render(set, index, out, offset);
            next = 0;
        } else {
            byte[] pixels = set.pixels();
            int source = set.offsetOf(index);
            for (int i = 0; i < volume; i++) {
                out[offset + i] = (pixels[source + i] & 0xFF) * (1f / 255f);
            }
            next = 0;
        }
        FloatImage image = null;
        for (int i = next; i < steps.length; i++) {
            ImageTransform step = steps[i];
            if (image == null && step instanceof InPlaceTransform) {
                ((InPlaceTransform) step).applyInPlace(
                        out, offset, channels, outputSize, outputSize, random);
            } else {
                if (image == null) {
                    float[] copy = new float[volume];
                    System.arraycopy(out, offset, copy, 0, volume);
                    image = new FloatImage(channels, outputSize, outputSize, copy);
                }
                image = step.apply(image, random);
            }
        }
        if (image != null) {
            checkShape(image, channels);
            System.arraycopy(image.data(), 0, out, offset, volume);
        }
        if (stats != null) {
            stats.standardize(out, offset, outputSize * outputSize);
        }
    }

    /**
     * The planar path: the crop writes the view into this thread's {@link Planes}, every later
     * step works on them, and one store (standardising when {@code stats} is not null) copies the
     * view to {@code out}. Same random draws and values as the general path.
     */
    private void renderPlanar(ImageSet set, int index, RandomGenerator random, float[] out,
            int offset, ChannelStats stats) {
        int channels = set.channels();
        CropBox box = firstCrop.sampleBox(set.height(), set.width(), random);
        boolean mirror = fusedFlip && ((HorizontalFlip) steps[1]).draw(random);
        Planes planes = Planes.of(outputSize * outputSize);
        firstCrop.renderToPlanes(set, index, box, mirror, planes.channel);
        for (int i = fusedFlip ? 2 : 1; i < steps.length; i++) {
            ((PlanarTransform) steps[i]).applyToPlanes(planes, channels, outputSize, outputSize,
                    random);
        }
        if (stats != null) {
            planes.store(out, offset, channels, stats);
        } else {
            planes.store(out, offset, channels);
        }
    }

    /**
     * Runs the chain on {@code image} with the same rules as {@link #renderView} (resizing first
     * when the first transform is neither a crop nor a resize and the size differs) and returns a
     * {@code (channels, outputSize, outputSize)} image. {@code image} may be modified.
     */
    public FloatImage apply(FloatImage image, RandomGenerator random) {
        FloatImage current = image;
        if (firstCrop == null && firstResize == null
                && (image.height() != outputSize || image.width() != outputSize)) {
            current = resize.apply(current, random);
        }
        for (ImageTransform step : steps) {
            current = step.apply(current, random);
        }
        checkShape(current, image.channels());
        return current;
    }

    private void checkShape(FloatImage image, int channels) {
        if (image.channels() != channels || image.height() != outputSize
                || image.width() != outputSize) {
            throw new IllegalStateException("recipe '" + name + "' must produce "
                    + channels + "x" + outputSize + "x" + outputSize + " views, found "
                    + image.channels() + "x" + image.height() + "x" + image.width());
        }
    }

    @Override
    public String toString() {
        return "TransformRecipe(name=" + name + ", outputSize=" + outputSize + ", transforms="
                + transforms + ")";
    }
}
