package dev.selfsup.augment;

import java.util.random.RandomGenerator;

/**
 * Randomly changes brightness, contrast, saturation and hue, with the semantics of torchvision's
 * {@code RandomApply([ColorJitter(brightness, contrast, saturation, hue)], p=probability)}.
 *
 * <p>Per call: one {@code nextDouble()} decides whether the jitter applies (when it is below
 * {@code probability}); if so, a random order of the four operations is drawn (as
 * {@code torch.randperm(4)}), then the factors in the order brightness, contrast, saturation, hue:
 * <ul>
 *   <li>brightness factor uniform in {@code [max(0, 1 - brightness), 1 + brightness]}:
 *       {@code x -> f x};
 *   <li>contrast factor uniform in {@code [max(0, 1 - contrast), 1 + contrast]}:
 *       {@code x -> f x + (1 - f) m}, {@code m} the mean of the image's luma;
 *   <li>saturation factor uniform in {@code [max(0, 1 - saturation), 1 + saturation]}:
 *       {@code x -> f x + (1 - f) gray}, {@code gray} the pixel's luma;
 *   <li>hue shift uniform in {@code [-hue, hue]} (a fraction of the colour circle): the pixel's
 *       HSV hue is rotated by it, saturation and value kept.
 * </ul>
 * Each operation's result is clamped to [0, 1]. A parameter of 0 disables its operation and draws
 * no factor, as in torchvision. Luma is {@code 0.299 R + 0.587 G + 0.114 B}.
 *
 * <p>On 1-channel images only brightness and contrast apply (contrast blends with the image mean);
 * saturation and hue are no-ops there, as in torchvision, though their factors are still drawn.
 *
 * <p>SimCLR (<a href="https://arxiv.org/abs/2002.05709">Chen et al. 2020</a>, appendix A) uses
 * strength {@code s = 0.5}, i.e. {@code ColorJitter(0.8s, 0.8s, 0.8s, 0.2s) = (0.4, 0.4, 0.4,
 * 0.1)}, applied with probability 0.8. Shape {@code (channels, height, width)} is kept.
 * Thread-safe.
 */
public record ColorJitter(
        double brightness, double contrast, double saturation, double hue, double probability)
        implements PlanarTransform {
    /** Index of the brightness operation in a drawn order. */
    static final int BRIGHTNESS = 0;
    /** Index of the contrast operation in a drawn order. */
    static final int CONTRAST = 1;
    /** Index of the saturation operation in a drawn order. */
    static final int SATURATION = 2;
    /** Index of the hue operation in a drawn order. */
    static final int HUE = 3;

    private static final float LUMA_R = RandomGrayscale.LUMA_R;
    private static final float LUMA_G = RandomGrayscale.LUMA_G;
    private static final float LUMA_B = RandomGrayscale.LUMA_B;
    /** Adding and subtracting {@code 1.5 * 2^23} rounds a float of magnitude below 2^22. */
    private static final float ROUNDING = 12582912f;
    /** Keeps divisions finite and gives {@code sign(0) = +1} in {@link #adjustHue}. */
    private static final float TINY = 1e-30f;
    /** The identity permutation, 2 bits per position: position k holds operation k. */
    private static final int IDENTITY_ORDER = 0b11_10_01_00;

    /** A jitter that always applies (torchvision's plain {@code ColorJitter}). */
    public ColorJitter(double brightness, double contrast, double saturation, double hue) {
        this(brightness, contrast, saturation, hue, 1.0);
    }

    /**
     * A jitter applied with the given probability.
     *
     * @param brightness {@code >= 0}; 0 disables
     * @param contrast {@code >= 0}; 0 disables
     * @param saturation {@code >= 0}; 0 disables
     * @param hue in {@code [0, 0.5]}; 0 disables
     * @param probability in {@code [0, 1]}
     */
    public ColorJitter {
        Checks.nonNegative("brightness", brightness);
        Checks.nonNegative("contrast", contrast);
        Checks.nonNegative("saturation", saturation);
        Checks.inRange("hue", hue, 0.0, 0.5);
        Checks.probability("probability", probability);
    }

    /**
     * SimCLR's jitter of strength {@code s}: {@code (0.8s, 0.8s, 0.8s, 0.2s)} with probability
     * 0.8. SimCLR's CIFAR-10 recipe uses {@code s = 0.5}.
     */
    public static ColorJitter simClr(double strength) {
        Checks.nonNegative("strength", strength);
        return new ColorJitter(
                0.8 * strength, 0.8 * strength, 0.8 * strength, 0.2 * strength, 0.8);
    }

    @Override
    public void applyInPlace(
            float[] data, int offset, int channels, int height, int width, RandomGenerator random) {
        checkChannels(channels);
        if (!(random.nextDouble() < probability)) {
            return;
        }
        int plane = height * width;
        Planes planes = Planes.load(data, offset, channels, plane);
        jitter(planes, channels, plane, random);
        planes.store(data, offset, channels);
    }

    @Override
    public void applyToPlanes(Planes planes, int channels, int height, int width,
            RandomGenerator random) {
        checkChannels(channels);
        if (random.nextDouble() < probability) {
            jitter(planes, channels, height * width, random);
        }
    }

    private static void checkChannels(int channels) {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException(
                    "ColorJitter needs 1 or 3 channels, found " + channels);
        }
    }

    /**
     * Draws the order and the factors, then jitters the {@code (channels, plane)} image in
     * {@code planes.channel} in place.
     */
    private void jitter(Planes planes, int channels, int plane, RandomGenerator random) {
        int order = drawOrder(random);
        float brightnessFactor = brightness > 0 ? factor(brightness, random) : Float.NaN;
        float contrastFactor = contrast > 0 ? factor(contrast, random) : Float.NaN;
        float saturationFactor = saturation > 0 ? factor(saturation, random) : Float.NaN;
        float hueShift = hue > 0 ? (float) (-hue + 2 * hue * random.nextDouble()) : Float.NaN;
        boolean rgb = channels == 3;
        float[] red = planes.channel[0];
        float[] green = planes.channel[1];
        float[] blue = planes.channel[2];
        for (int position = 0; position < 4; position++) {
            switch (operationAt(order, position)) {
                case BRIGHTNESS:
                    if (brightness > 0) {
                        for (int c = 0; c < channels; c++) {
                            adjustBrightness(planes.channel[c], plane, brightnessFactor);
                        }
                    }
                    break;
                case CONTRAST:
                    if (contrast > 0) {
                        if (rgb) {
                            adjustContrast(red, green, blue, plane, contrastFactor, planes.work);
                        } else {
                            adjustContrast(red, plane, contrastFactor, planes.work);
                        }
                    }
                    break;
                case SATURATION:
                    if (saturation > 0 && rgb) {
                        adjustSaturation(red, green, blue, plane, saturationFactor);
                    }
                    break;
                default:
                    if (hue > 0 && rgb) {
                        adjustHue(red, green, blue, plane, hueShift, planes.work);
                    }
                    break;
            }
        }
    }

    /** A factor uniform in {@code [max(0, 1 - amount), 1 + amount]}. */
    private static float factor(double amount, RandomGenerator random) {
        double low = Math.max(0.0, 1.0 - amount);
        double high = 1.0 + amount;
        return (float) (low + (high - low) * random.nextDouble());
    }

    /**
     * A uniformly random order of the four operations (Fisher-Yates, 3 {@code nextInt} calls),
     * packed 2 bits per position; read it with {@link #operationAt}.
     */
    static int drawOrder(RandomGenerator random) {
        int order = IDENTITY_ORDER;
        for (int i = 3; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int atI = (order >>> (2 * i)) & 3;
            int atJ = (order >>> (2 * j)) & 3;
            order &= ~((3 << (2 * i)) | (3 << (2 * j)));
            order |= (atJ << (2 * i)) | (atI << (2 * j));
        }
        return order;
    }

    /** The operation ({@link #BRIGHTNESS} .. {@link #HUE}) at {@code position} of an order. */
    static int operationAt(int order, int position) {
        return (order >>> (2 * position)) & 3;
    }

    /** {@code x -> clamp(f x)} over the first {@code length} values of {@code plane}. */
    static void adjustBrightness(float[] plane, int length, float factor) {
        for (int i = 0; i < length; i++) {
            plane[i] = Math.min(1f, Math.max(0f, factor * plane[i]));
        }
    }

    /**
     * {@code x -> clamp(f x + (1 - f) m)} on a gray plane, {@code m} its mean.
     *
     * @param work two scratch planes of at least {@code length} values
     */
    static void adjustContrast(float[] gray, int length, float factor, float[][] work) {
        System.arraycopy(gray, 0, work[0], 0, length);
        float mean = destructiveSum(work[0], length, work[1]) / length;
        blend(gray, length, factor, (1f - factor) * mean);
    }

    /**
     * {@code x -> clamp(f x + (1 - f) m)} on an RGB image, {@code m} the mean luma.
     *
     * @param work two scratch planes of at least {@code length} values
     */
    static void adjustContrast(float[] red, float[] green, float[] blue, int length, float factor,
            float[][] work) {
        float[] luma = work[0];
        for (int i = 0; i < length; i++) {
            luma[i] = LUMA_R * red[i] + LUMA_G * green[i] + LUMA_B * blue[i];
        }
        float mean = destructiveSum(luma, length, work[1]) / length;
        float shift = (1f - factor) * mean;
        blend(red, length, factor, shift);
        blend(green, length, factor, shift);
        blend(blue, length, factor, shift);
    }

    /** {@code x -> clamp(f x + shift)}. */
    private static void blend(float[] plane, int length, float factor, float shift) {
        for (int i = 0; i < length; i++) {
            plane[i] = Math.min(1f, Math.max(0f, factor * plane[i] + shift));
        }
    }

    /**
     * Sum of {@code values[0..length)}, overwriting them: pairwise halving (copy the upper half
     * to {@code scratch}, add it to the lower half) so that the additions vectorize, which a
     * running sum cannot.
     */
    static float destructiveSum(float[] values, int length, float[] scratch) {
        float tail = 0f;
        int n = length;
        while (n > 32) {
            if ((n & 1) == 1) {
                tail += values[n - 1];
                n--;
            }
            int half = n >> 1;
            System.arraycopy(values, half, scratch, 0, half);
            for (int i = 0; i < half; i++) {
                values[i] += scratch[i];
            }
            n = half;
        }
        float sum = tail;
        for (int i = 0; i < n; i++) {
            sum += values[i];
        }
        return sum;
    }

    /** {@code x -> clamp(f x + (1 - f) luma)} per pixel of an RGB image. */
    static void adjustSaturation(float[] red, float[] green, float[] blue, int length,
            float factor) {
        float keep = 1f - factor;
        // written so that C2 vectorizes it: each value re-read from its array, none cached
        for (int i = 0; i < length; i++) {
            float gray = keep * (LUMA_R * red[i] + LUMA_G * green[i] + LUMA_B * blue[i]);
            red[i] = Math.min(1f, Math.max(0f, factor * red[i] + gray));
            green[i] = Math.min(1f, Math.max(0f, factor * green[i] + gray));
            blue[i] = Math.min(1f, Math.max(0f, factor * blue[i] + gray));
        }
    }

    /**
     * Rotates each RGB pixel's HSV hue by {@code shift} (a fraction of the circle), keeping
     * saturation and value, as torchvision's {@code adjust_hue} ({@code _rgb2hsv}, {@code (h +
     * shift) mod 1}, {@code _hsv2rgb}), up to float rounding.
     *
     * <p>Branch-free, so that it vectorizes. With {@code M, m} the pixel's max and min, chroma
     * {@code c = M - m} and normalised channels {@code u = (x - m) / c}, the hue in sixths of the
     * circle measured from red is {@code t = sign(u_g - u_b) (1 - u_r + u_g + u_b)} (the distance
     * along the hexagon from the red corner, signed towards green). HSV's inverse is
     * {@code x = m + c clamp(2 - |t' - n_x|, 0, 1)} with {@code t' = t + 6 shift}, distances taken
     * modulo 6 and {@code n = 0, 2, 4} for red, green, blue. The modulo uses the
     * round-to-integer trick {@code (v + 1.5 * 2^23) - 1.5 * 2^23}. Gray pixels ({@code c = 0})
     * are unchanged.
     *
     * @param work three scratch planes of at least {@code length} values
     */
    static void adjustHue(float[] red, float[] green, float[] blue, int length, float shift,
            float[][] work) {
        float shift6 = 6f * shift;
        float[] min = work[0];
        float[] chroma = work[1];
        float[] hue = work[2];
        for (int i = 0; i < length; i++) {
            min[i] = Math.min(red[i], Math.min(green[i], blue[i]));
            chroma[i] = Math.max(red[i], Math.max(green[i], blue[i])) - min[i];
        }
        for (int i = 0; i < length; i++) {
            float inverse = 1f / Math.max(chroma[i], TINY);
            float ur = (red[i] - min[i]) * inverse;
            float ug = (green[i] - min[i]) * inverse;
            float ub = (blue[i] - min[i]) * inverse;
            float towardsGreen = ug - ub + TINY;
            float sign = towardsGreen / Math.abs(towardsGreen);
            hue[i] = sign * (1f - ur + ug + ub) + shift6;
        }
        hsvChannel(red, min, chroma, hue, length, 0f);
        hsvChannel(green, min, chroma, hue, length, -2f);
        hsvChannel(blue, min, chroma, hue, length, 2f);
    }

    /** {@code out = m + c clamp(2 - |(t + offset) mod 6|, 0, 1)}, the modulo centred on 0. */
    private static void hsvChannel(float[] out, float[] min, float[] chroma, float[] hue,
            int length, float offset) {
        for (int i = 0; i < length; i++) {
            float t = hue[i] + offset;
            float distance = Math.abs(t - 6f * ((t * (1f / 6f) + ROUNDING) - ROUNDING));
            out[i] = min[i] + chroma[i] * Math.min(1f, Math.max(0f, 2f - distance));
        }
    }

    @Override
    public String toString() {
        return "ColorJitter(brightness=" + brightness + ", contrast=" + contrast
                + ", saturation=" + saturation + ", hue=" + hue + ", probability=" + probability
                + ")";
    }
}
