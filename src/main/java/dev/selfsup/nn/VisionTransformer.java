package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Vision Transformer (Dosovitskiy et al. 2020, https://arxiv.org/abs/2010.11929): the image is
 * cut into {@code patch x patch} squares, each flattened and mapped linearly to the model width;
 * a learned class token is put in front, position embeddings (fixed 2-D sine-cosine as in MAE and
 * MoCo v3, or learned) are added, and pre-norm {@link TransformerLayer}s (the text encoder's
 * layer) with a final layer norm follow. Features are the class token's output or the mean of the
 * patch tokens'.
 *
 * <p>Input {@code (batch, channels, height, width)}; output {@code (batch, dim)}. With fixed
 * positions, images of other sides in whole patches are taken too (multi-crop's local views get
 * the sine-cosine table of their own grid). Pieces for
 * methods that work on tokens (MAE, iBOT): {@link #patchTokens}, {@link #encode},
 * {@link #attentionMaps}.
 */
public final class VisionTransformer extends AbstractBlock {
    /** How the features are read off the tokens. */
    public enum Pooling {
        /** The class token's output, as ViT and DINO. */
        CLASS_TOKEN,
        /** The mean of the patch tokens' outputs, as MAE's linear probe. */
        MEAN
    }

    /**
     * The shape of a ViT.
     *
     * @param channels input channels
     * @param imageHeight input height, a multiple of {@code patch}
     * @param imageWidth input width, a multiple of {@code patch}
     * @param patch side of the square patches
     * @param dim model width, a multiple of {@code heads}
     * @param depth Transformer layers
     * @param heads attention heads
     * @param learnedPositions learned position embeddings instead of fixed sine-cosine ones
     * @param pooling how features are read off the tokens
     */
    public record Config(int channels, int imageHeight, int imageWidth, int patch, int dim,
            int depth, int heads, boolean learnedPositions, Pooling pooling) {
        public Config {
            if (channels <= 0 || imageHeight <= 0 || imageWidth <= 0) {
                throw new IllegalArgumentException("image shape must be positive, found "
                        + channels + "x" + imageHeight + "x" + imageWidth);
            }
            if (patch <= 0 || imageHeight % patch != 0 || imageWidth % patch != 0) {
                throw new IllegalArgumentException("patch size must be > 0 and divide the image "
                        + "size " + imageHeight + "x" + imageWidth + ", found " + patch);
            }
            if (dim <= 0 || heads <= 0 || dim % heads != 0 || depth <= 0) {
                throw new IllegalArgumentException("need dim a positive multiple of heads and "
                        + "depth > 0, found dim " + dim + ", heads " + heads + ", depth " + depth);
            }
            if (!learnedPositions && dim % 4 != 0) {
                throw new IllegalArgumentException("fixed 2-D sine-cosine positions need dim a "
                        + "multiple of 4, found " + dim);
            }
            if (pooling == null) {
                throw new IllegalArgumentException("pooling must be set, found null");
            }
        }

        /** Patches per column. */
        public int gridHeight() {
            return imageHeight / patch;
        }

        /** Patches per row. */
        public int gridWidth() {
            return imageWidth / patch;
        }

        /** Patches per image. */
        public int patchCount() {
            return gridHeight() * gridWidth();
        }

        /** Values in one flattened patch, {@code channels * patch * patch}. */
        public int patchVolume() {
            return channels * patch * patch;
        }
    }

    private final Config config;
    private final Linear patchEmbedding;
    private final Parameter classToken;
    private final Parameter positionEmbedding;
    private final ConstantArray fixedPositions;
    /** Sine-cosine tables of other grids (local views), by (rows, columns). */
    private final java.util.Map<List<Integer>, ConstantArray> otherGrids =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final List<TransformerLayer> layers = new ArrayList<>();
    private final LayerNorm norm;

    public VisionTransformer(Config config) {
        this.config = config;
        NormalInitializer normal = new NormalInitializer(0.02f);
        patchEmbedding = addChildBlock("patch_embedding",
                Linear.builder().setUnits(config.dim()).build());
        classToken = addParameter(Parameter.builder().setName("class_token")
                .setType(Parameter.Type.WEIGHT).optShape(new Shape(1, 1, config.dim()))
                .optInitializer(normal).build());
        if (config.learnedPositions()) {
            positionEmbedding = addParameter(Parameter.builder().setName("position_embedding")
                    .setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(1, config.patchCount() + 1, config.dim()))
                    .optInitializer(normal).build());
            fixedPositions = null;
        } else {
            positionEmbedding = null;
            fixedPositions = new ConstantArray(sineCosinePositions(config.dim(),
                    config.gridHeight(), config.gridWidth()),
                    new Shape(1, config.patchCount() + 1, config.dim()));
        }
        for (int i = 0; i < config.depth(); i++) {
            layers.add(addChildBlock("layer_" + i,
                    new TransformerLayer(config.dim(), config.heads(), 0f, true)));
        }
        norm = addChildBlock("norm", LayerNorm.builder().axis(2).build());
    }

    public Config config() {
        return config;
    }

    /**
     * The ViT sizes the CLI names, for an image of this shape: patch 4 on images of side at most
     * 48 (7x7 patches on 28x28, 8x8 on 32x32), else 16. {@code vit-mini} (dim 128, 4 layers, 4
     * heads) fits 2 CPU cores; {@code vit-tiny} (192, 12, 3) and {@code vit-small} (384, 12, 6)
     * are the standard shapes (Touvron et al. 2020, https://arxiv.org/abs/2012.12877).
     *
     * @throws IllegalArgumentException for another name or a side the patch does not divide
     */
    public static Config named(String name, int channels, int height, int width) {
        int patch = Math.max(height, width) <= 48 ? 4 : 16;
        return switch (name) {
            case "vit-mini" -> new Config(channels, height, width, patch, 128, 4, 4, false,
                    Pooling.CLASS_TOKEN);
            case "vit-tiny" -> new Config(channels, height, width, patch, 192, 12, 3, false,
                    Pooling.CLASS_TOKEN);
            case "vit-small" -> new Config(channels, height, width, patch, 384, 12, 6, false,
                    Pooling.CLASS_TOKEN);
            default -> throw new IllegalArgumentException("ViT size must be vit-mini, vit-tiny or "
                    + "vit-small, found '" + name + "'");
        };
    }

    /**
     * Fixed 2-D sine-cosine position embeddings as in MAE (He et al. 2021,
     * https://arxiv.org/abs/2111.06377): the first half of the {@code dim} values encode the row,
     * the second half the column, each half as {@code sin} then {@code cos} of the position times
     * {@code 1 / 10000^(i / (dim / 4))}, {@code i < dim / 4}. Row-major over the grid, the class
     * token's row (all zeros) first: {@code (1 + gridHeight * gridWidth) * dim} values.
     */
    public static float[] sineCosinePositions(int dim, int gridHeight, int gridWidth) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("dim must be a multiple of 4, found " + dim);
        }
        int quarter = dim / 4;
        float[] table = new float[(1 + gridHeight * gridWidth) * dim];
        for (int row = 0; row < gridHeight; row++) {
            for (int column = 0; column < gridWidth; column++) {
                int base = (1 + row * gridWidth + column) * dim;
                for (int i = 0; i < quarter; i++) {
                    double frequency = 1 / Math.pow(10000, i / (double) quarter);
                    table[base + i] = (float) Math.sin(row * frequency);
                    table[base + quarter + i] = (float) Math.cos(row * frequency);
                    table[base + 2 * quarter + i] = (float) Math.sin(column * frequency);
                    table[base + 3 * quarter + i] = (float) Math.cos(column * frequency);
                }
            }
        }
        return table;
    }

    /**
     * Images cut into flattened patches, row-major over the grid, each patch's values in
     * (channel, row, column) order, the order of a {@code patch x patch} stride-{@code patch}
     * convolution's weight: {@code (batch, C, H, W)} to {@code (batch, patches, C * p * p)}.
     */
    public static NDArray patchify(NDArray images, int patch) {
        Shape shape = images.getShape();
        long batch = shape.get(0);
        long channels = shape.get(1);
        long rows = shape.get(2) / patch;
        long columns = shape.get(3) / patch;
        return images.reshape(batch, channels, rows, patch, columns, patch)
                .transpose(0, 2, 4, 1, 3, 5) // (batch, rows, columns, C, p, p)
                .reshape(batch, rows * columns, channels * patch * patch);
    }

    /** The inverse of {@link #patchify}: {@code (batch, patches, C * p * p)} to images. */
    public static NDArray unpatchify(NDArray patches, int channels, int gridHeight,
            int gridWidth, int patch) {
        long batch = patches.getShape().get(0);
        return patches.reshape(batch, gridHeight, gridWidth, channels, patch, patch)
                .transpose(0, 3, 1, 4, 2, 5) // (batch, C, rows, p, columns, p)
                .reshape(batch, channels, (long) gridHeight * patch, (long) gridWidth * patch);
    }

    /**
     * The embedded patches with their position embeddings, without the class token:
     * {@code (batch, C, H, W)} to {@code (batch, patches, dim)}.
     */
    public NDArray patchTokens(ParameterStore ps, NDArray images, boolean training) {
        NDArray patches = patchify(images, config.patch()); // (batch, patches, C * p * p)
        NDArray tokens = patchEmbedding.forward(ps, new NDList(patches), training).head(); // (batch, patches, dim)
        Shape shape = images.getShape();
        int gridHeight = (int) shape.get(2) / config.patch();
        int gridWidth = (int) shape.get(3) / config.patch();
        if (gridHeight == config.gridHeight() && gridWidth == config.gridWidth()) {
            return tokens.add(positions(ps, tokens, training, ":, 1:, :"));
        }
        // another size (multi-crop's local views): the sine-cosine table of that grid, made once
        ConstantArray table = otherGrids.computeIfAbsent(List.of(gridHeight, gridWidth),
                grid -> new ConstantArray(sineCosinePositions(config.dim(), gridHeight, gridWidth),
                        new Shape(1, 1 + (long) gridHeight * gridWidth, config.dim())));
        return tokens.add(table.in(tokens.getManager()).get(new NDIndex(":, 1:, :")));
    }

    /**
     * As {@link #patchTokens(ParameterStore, NDArray, boolean)}, with the patches where
     * {@code hidden} is 1 replaced by {@code maskToken} before the positions are added (iBOT,
     * BEiT): {@code hidden (batch, patches)}, {@code maskToken (1, 1, dim)}.
     */
    public NDArray maskedPatchTokens(ParameterStore ps, NDArray images, NDArray hidden,
            NDArray maskToken, boolean training) {
        NDArray patches = patchify(images, config.patch()); // (batch, patches, C * p * p)
        NDArray tokens = patchEmbedding.forward(ps, new NDList(patches), training).head(); // (batch, patches, dim)
        NDArray weight = hidden.expandDims(2); // (batch, patches, 1)
        NDArray mixed = tokens.mul(weight.neg().add(1f)).add(weight.mul(maskToken));
        return mixed.add(positions(ps, mixed, training, ":, 1:, :"));
    }

    /**
     * Puts the class token (with its position embedding) in front of {@code tokens}
     * {@code (batch, n, dim)} and runs the layers and the final norm: {@code (batch, 1 + n, dim)}.
     * Any subset of patch tokens may come in (MAE's encoder sees the visible ones only).
     */
    public NDArray encode(ParameterStore ps, NDArray tokens, boolean training) {
        NDArray x = withClassToken(ps, tokens, training);
        for (TransformerLayer layer : layers) {
            x = layer.forward(ps, new NDList(x), training).head();
        }
        return norm.forward(ps, new NDList(x), training).head();
    }

    /**
     * The last layer's attention of the class token over the patches, for each head:
     * {@code (batch, heads, gridHeight, gridWidth)}, each map summing to at most 1 (the rest is
     * the class token's attention to itself). Inference mode.
     */
    public NDArray attentionMaps(ParameterStore ps, NDArray images) {
        NDArray x = withClassToken(ps, patchTokens(ps, images, false), false);
        for (int i = 0; i < layers.size() - 1; i++) {
            x = layers.get(i).forward(ps, new NDList(x), false).head();
        }
        NDArray probabilities = layers.get(layers.size() - 1).attentionProbabilities(ps, x); // (batch, heads, 1 + n, 1 + n)
        long batch = images.getShape().get(0);
        return probabilities.get(new NDIndex(":, :, 0, 1:")) // (batch, heads, n)
                .reshape(batch, config.heads(), config.gridHeight(), config.gridWidth());
    }

    /** Features of encoded tokens {@code (batch, 1 + n, dim)}: {@code (batch, dim)}. */
    public NDArray pool(NDArray encoded) {
        if (config.pooling() == Pooling.CLASS_TOKEN) {
            return encoded.get(new NDIndex(":, 0, :"));
        }
        return encoded.get(new NDIndex(":, 1:, :")).mean(new int[] {1});
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        Shape shape = images.getShape();
        boolean configured = shape.dimension() == 4 && shape.get(2) == config.imageHeight()
                && shape.get(3) == config.imageWidth();
        // other sizes (multi-crop's local views) only with fixed positions, in whole patches
        boolean otherSize = shape.dimension() == 4 && !config.learnedPositions()
                && shape.get(2) % config.patch() == 0 && shape.get(3) % config.patch() == 0;
        if (shape.dimension() != 4 || shape.get(1) != config.channels()
                || !(configured || otherSize)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "this ViT takes (batch, %d, %d, %d) images%s, found %s", config.channels(),
                    config.imageHeight(), config.imageWidth(), config.learnedPositions() ? ""
                            : " or other sides that are multiples of " + config.patch(), shape));
        }
        return new NDList(pool(encode(ps, patchTokens(ps, images, training), training)));
    }

    private NDArray withClassToken(ParameterStore ps, NDArray tokens, boolean training) {
        long batch = tokens.getShape().get(0);
        NDArray token = positions(ps, tokens, training, ":, :1, :") // (1, 1, dim)
                .add(ps.getValue(classToken, tokens.getDevice(), training));
        return token.repeat(0, batch).concat(tokens, 1); // (batch, 1 + n, dim)
    }

    /**
     * The slice {@code index} of the position embeddings {@code (1, 1 + patches, dim)} (the class
     * token's first), in the manager of {@code like}.
     */
    private NDArray positions(ParameterStore ps, NDArray like, boolean training, String index) {
        if (positionEmbedding != null) {
            return Temporaries.inManagerOf(ps.getValue(positionEmbedding, like.getDevice(), training)
                    .get(new NDIndex(index)), like);
        }
        return fixedPositions.in(like.getManager()).get(new NDIndex(index));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), config.dim())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        long batch = inputShapes[0].get(0);
        patchEmbedding.initialize(manager, dataType,
                new Shape(batch, config.patchCount(), config.patchVolume()));
        Shape hidden = new Shape(batch, config.patchCount() + 1, config.dim());
        for (TransformerLayer layer : layers) {
            layer.initialize(manager, dataType, hidden);
        }
        norm.initialize(manager, dataType, hidden);
    }
}
