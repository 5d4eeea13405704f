package dev.selfsup.augment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;

/**
 * Draws which patches of a Vision Transformer's {@code gridHeight x gridWidth} grid a
 * masked-image model hides from its student, one image at a time, from the generator it is given
 * (the loader passes one derived from (seed, epoch, sample, view), so a mask repeats exactly
 * whatever the thread count or resume point).
 *
 * <p>iBOT's recipe (Zhou et al. 2021, https://arxiv.org/abs/2111.07832, section 4 and its released
 * {@code --pred_ratio 0 0.3 --pred_ratio_var 0 0.2}): an image is masked with probability
 * {@code maskedProbability} (0.5; the others keep every patch); a masked image draws a ratio
 * {@code r} uniformly from {@code [minRatio, maxRatio]} (0.1 to 0.5) and hides
 * {@code round(r * patches)} patches (at least 1, at most all but 1), placed by {@link #kind}:
 * <ul>
 *   <li>{@link Kind#BLOCK}: BEiT's blockwise masking (Bao et al. 2021,
 *       https://arxiv.org/abs/2106.08254, algorithm 1), iBOT's default: rectangles of area
 *       {@code s} uniform in {@code [min(minBlockPatches, left), left]} ({@code left}: patches
 *       still to hide) and aspect ratio {@code a} log-uniform in {@code [0.3, 1/0.3]},
 *       {@code round(sqrt(s a))} rows by {@code round(sqrt(s / a))} columns at a uniformly random
 *       place, are added while each one adds between 1 and {@code left} new patches; after
 *       {@value #BLOCK_ATTEMPTS} tries in a row that add none the mask stays a little short, as
 *       in both papers' code.</li>
 *   <li>{@link Kind#RANDOM}: that many patches chosen uniformly (iBOT's {@code pred_shape rand}).</li>
 * </ul>
 *
 * @param kind how the hidden patches are placed
 * @param gridHeight patch rows
 * @param gridWidth patch columns
 * @param minRatio smallest share of a masked image's patches hidden, in (0, 1)
 * @param maxRatio largest share, in {@code [minRatio, 1)}
 * @param maskedProbability chance that an image is masked at all, in (0, 1]
 */
public record PatchMask(Kind kind, int gridHeight, int gridWidth, double minRatio,
        double maxRatio, double maskedProbability) {
    /** iBOT's centre of the hidden share. */
    public static final double IBOT_RATIO = 0.3;
    /** iBOT's half-width of the hidden share's range around its centre. */
    public static final double IBOT_RATIO_SPREAD = 0.2;
    /** iBOT's chance that a view is masked at all. */
    public static final double IBOT_MASKED_PROBABILITY = 0.5;
    /** BEiT's and iBOT's narrowest block side ratio (and 1/0.3 the widest). */
    public static final double MIN_ASPECT = 0.3;
    /** Tries at a block that adds patches before a mask stays short, BEiT's and iBOT's 10. */
    public static final int BLOCK_ATTEMPTS = 10;

    /** How the hidden patches are placed. */
    public enum Kind {
        /** Rectangular blocks (BEiT, iBOT's default). */
        BLOCK,
        /** Patches chosen uniformly at random. */
        RANDOM;

        /** The kinds by their names, as the CLI and {@code config.json} write them. */
        public static final List<String> NAMES =
                Arrays.stream(values()).map(Kind::toString).toList();

        /** The lower-case name. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * The kind called {@code name} ({@link #NAMES}).
         *
         * @throws IllegalArgumentException for any other name
         */
        public static Kind byName(String name) {
            int index = NAMES.indexOf(name);
            if (index < 0) {
                throw new IllegalArgumentException("mask kind must be one of " + NAMES
                        + ", found '" + name + "'");
            }
            return values()[index];
        }
    }

    public PatchMask {
        if (kind == null) {
            throw new IllegalArgumentException("mask kind must be one of " + Kind.NAMES
                    + ", found null");
        }
        if (gridHeight <= 0 || gridWidth <= 0 || (long) gridHeight * gridWidth < 2) {
            throw new IllegalArgumentException("the patch grid must have at least 2 patches, to "
                    + "hide some and keep some, found " + gridHeight + "x" + gridWidth);
        }
        if (!(minRatio > 0 && minRatio <= maxRatio && maxRatio < 1)) {
            throw new IllegalArgumentException("mask ratios must satisfy 0 < min <= max < 1, "
                    + "found " + minRatio + " and " + maxRatio);
        }
        if (!(maskedProbability > 0 && maskedProbability <= 1)) {
            throw new IllegalArgumentException("masked-image probability must be in (0, 1], "
                    + "found " + maskedProbability);
        }
    }

    /**
     * iBOT's masking on a grid, its ratio range centred on {@code ratio}: iBOT's
     * {@code ratio ± 0.2} (0.1 to 0.5 around its 0.3), narrowed near 0 and 1 so that neither end
     * comes closer to them than a third of the centre's distance, and half of the views masked.
     *
     * @param ratio the centre, in (0, 1)
     */
    public static PatchMask ibot(Kind kind, int gridHeight, int gridWidth, double ratio) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), found " + ratio);
        }
        double spread = Math.min(IBOT_RATIO_SPREAD, Math.min(ratio, 1 - ratio) * 2 / 3);
        return new PatchMask(kind, gridHeight, gridWidth, ratio - spread, ratio + spread,
                IBOT_MASKED_PROBABILITY);
    }

    /** Patches in the grid. */
    public int patches() {
        return gridHeight * gridWidth;
    }

    /**
     * The smallest block {@link Kind#BLOCK} draws while more patches than that are left to hide:
     * iBOT's {@code (min(gridHeight, gridWidth) / 3)^2} (integer division), at least 1: 4 on 7x7
     * and 8x8 grids, 16 on ImageNet's 14x14 (BEiT's setting there).
     */
    public int minBlockPatches() {
        int side = Math.min(gridHeight, gridWidth) / 3;
        return Math.max(1, side * side);
    }

    /** The patches a masked image hides at ratio {@code ratio}: at least 1, all but 1 at most. */
    public int hiddenCount(double ratio) {
        return (int) Math.max(1, Math.min(patches() - 1, Math.round(ratio * patches())));
    }

    /**
     * Draws one image's mask into {@code out[offset, offset + patches())}, row-major over the
     * grid: 1 where a patch is hidden, 0 where it is seen (every value is written).
     *
     * @return the patches hidden (0 for an image left unmasked)
     */
    public int draw(RandomGenerator random, float[] out, int offset) {
        Arrays.fill(out, offset, offset + patches(), 0f);
        if (random.nextDouble() >= maskedProbability) {
            return 0;
        }
        double ratio = minRatio + (maxRatio - minRatio) * random.nextDouble();
        int target = hiddenCount(ratio);
        return kind == Kind.BLOCK ? placeBlocks(random, target, out, offset)
                : placeUniformly(random, target, out, offset);
    }

    /**
     * Draws {@code rows} masks, row {@code r} from {@code randomOfRow.apply(r)}.
     *
     * @return {@code (rows, patches)} floats, 1 where a patch is hidden
     */
    public float[] draw(int rows, IntFunction<? extends RandomGenerator> randomOfRow) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows must be >= 0, found " + rows);
        }
        float[] masks = new float[Math.multiplyExact(rows, patches())];
        for (int r = 0; r < rows; r++) {
            draw(randomOfRow.apply(r), masks, r * patches());
        }
        return masks;
    }

    private int placeBlocks(RandomGenerator random, int target, float[] out, int offset) {
        double logAspect = Math.log(1 / MIN_ASPECT);
        int hidden = 0;
        while (hidden < target) {
            int left = target - hidden;
            int added = 0;
            for (int attempt = 0; attempt < BLOCK_ATTEMPTS && added == 0; attempt++) {
                double low = Math.min(minBlockPatches(), left);
                double area = low + (left - low) * random.nextDouble();
                double aspect = Math.exp(logAspect * (2 * random.nextDouble() - 1));
                int height = (int) Math.max(1, Math.round(Math.sqrt(area * aspect)));
                int width = (int) Math.max(1, Math.round(Math.sqrt(area / aspect)));
                if (height > gridHeight || width > gridWidth) {
                    continue;
                }
                int top = random.nextInt(gridHeight - height + 1);
                int leftColumn = random.nextInt(gridWidth - width + 1);
                int fresh = 0;
                for (int i = top; i < top + height; i++) {
                    for (int j = leftColumn; j < leftColumn + width; j++) {
                        fresh += out[offset + i * gridWidth + j] == 0f ? 1 : 0;
                    }
                }
                if (fresh > 0 && fresh <= left) {
                    for (int i = top; i < top + height; i++) {
                        Arrays.fill(out, offset + i * gridWidth + leftColumn,
                                offset + i * gridWidth + leftColumn + width, 1f);
                    }
                    added = fresh;
                }
            }
            if (added == 0) {
                break;
            }
            hidden += added;
        }
        return hidden;
    }

    private int placeUniformly(RandomGenerator random, int target, float[] out, int offset) {
        int[] order = new int[patches()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // partial Fisher-Yates: the first `target` entries become a uniform random subset
        for (int i = 0; i < target; i++) {
            int j = i + random.nextInt(order.length - i);
            int chosen = order[j];
            order[j] = order[i];
            order[i] = chosen;
            out[offset + chosen] = 1f;
        }
        return target;
    }
}
