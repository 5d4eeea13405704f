package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.testing.Asserts;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.testing.RandomValues;
import org.junit.jupiter.api.Test;

class VisionTransformerTest {
    private static VisionTransformer.Config config(int channels, int side, int patch, int dim,
            int depth, int heads, boolean learned, VisionTransformer.Pooling pooling) {
        return new VisionTransformer.Config(channels, side, side, patch, dim, depth, heads, learned,
                pooling);
    }

    /** A 1-channel ViT on square images of {@code side}, 1 layer of 2 heads, initialised. */
    private static VisionTransformer initialised(NDManager manager, int side, int patch, int dim,
            boolean learned) {
        VisionTransformer vit = new VisionTransformer(config(1, side, patch, dim, 1, 2, learned,
                VisionTransformer.Pooling.CLASS_TOKEN));
        vit.initialize(manager, DataType.FLOAT32, new Shape(2, 1, side, side));
        return vit;
    }

    @Test
    void patchifyCutsRowMajorPatchesInConvolutionWeightOrderAndUnpatchifyUndoesIt() {
        int batch = 2;
        int channels = 3;
        int height = 8;
        int width = 12;
        int patch = 4;
        float[] pixels = RandomValues.gaussian(batch * channels * height * width, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray images = manager.create(pixels, new Shape(batch, channels, height, width));
            NDArray patches = VisionTransformer.patchify(images, patch);
            int columns = width / patch;
            int count = (height / patch) * columns;
            int volume = channels * patch * patch;
            assertThat(patches.getShape()).isEqualTo(new Shape(batch, count, volume));
            float[] expected = new float[batch * count * volume];
            for (int b = 0; b < batch; b++) {
                for (int n = 0; n < count; n++) {
                    int top = (n / columns) * patch;
                    int left = (n % columns) * patch;
                    for (int c = 0; c < channels; c++) {
                        for (int y = 0; y < patch; y++) {
                            for (int x = 0; x < patch; x++) {
                                expected[(b * count + n) * volume + (c * patch + y) * patch + x] =
                                        pixels[((b * channels + c) * height + top + y) * width
                                                + left + x];
                            }
                        }
                    }
                }
            }
            assertThat(patches.toFloatArray()).containsExactly(expected);
            NDArray back = VisionTransformer.unpatchify(patches, channels, height / patch, columns,
                    patch);
            assertThat(back.toFloatArray()).containsExactly(pixels);
        }
    }

    @Test
    void sineCosinePositionsFollowTheClosedForm() {
        int dim = 16;
        int quarter = dim / 4;
        float[] table = VisionTransformer.sineCosinePositions(dim, 3, 5);
        assertThat(table).hasSize(16 * dim);
        for (int i = 0; i < dim; i++) {
            assertThat(table[i]).isZero(); // the class token's row
        }
        for (int row = 0; row < 3; row++) {
            for (int column = 0; column < 5; column++) {
                int base = (1 + row * 5 + column) * dim;
                // frequency 1 first: sin/cos of the row, then of the column
                assertThat(table[base]).isEqualTo((float) Math.sin(row));
                assertThat(table[base + quarter]).isEqualTo((float) Math.cos(row));
                assertThat(table[base + 2 * quarter]).isEqualTo((float) Math.sin(column));
                assertThat(table[base + 3 * quarter]).isEqualTo((float) Math.cos(column));
                // the slowest frequency, 10000^(-3/4) = 0.001
                assertThat((double) table[base + quarter - 1])
                        .isCloseTo(Math.sin(row * 0.001), org.assertj.core.api.Assertions.within(1e-7));
            }
        }
    }

    @Test
    void outputShapesOverSizesPoolingsAndPositions() {
        TorchRuntime.setSeed(3);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            for (int[] size : new int[][] {{1, 28, 4}, {3, 32, 4}, {3, 16, 8}, {1, 12, 2}}) {
                for (VisionTransformer.Pooling pooling : VisionTransformer.Pooling.values()) {
                    for (boolean learned : new boolean[] {false, true}) {
                        VisionTransformer.Config config = config(size[0], size[1], size[2], 32, 2,
                                4, learned, pooling);
                        VisionTransformer vit = new VisionTransformer(config);
                        vit.initialize(manager, DataType.FLOAT32,
                                new Shape(2, size[0], size[1], size[1]));
                        NDArray images = manager.randomNormal(new Shape(3, size[0], size[1], size[1]));
                        NDArray features = vit.forward(store, new NDList(images), false).head();
                        assertThat(features.getShape()).isEqualTo(new Shape(3, 32));
                        NDArray tokens = vit.patchTokens(store, images, false);
                        assertThat(tokens.getShape())
                                .isEqualTo(new Shape(3, config.patchCount(), 32));
                        // any subset of the patches can be encoded
                        NDArray some = tokens.get(":, :2, :");
                        assertThat(vit.encode(store, some, false).getShape())
                                .isEqualTo(new Shape(3, 3, 32));
                        boolean hasPositions = vit.getParameters().keys().stream()
                                .anyMatch(k -> k.endsWith("position_embedding"));
                        assertThat(hasPositions).isEqualTo(learned);
                    }
                }
            }
        }
    }

    @Test
    void namedSizesPickThePatchByImageSide() {
        assertThat(VisionTransformer.named("vit-mini", 1, 28, 28).patch()).isEqualTo(4);
        assertThat(VisionTransformer.named("vit-mini", 1, 28, 28).patchCount()).isEqualTo(49);
        assertThat(VisionTransformer.named("vit-small", 3, 224, 224).patchCount()).isEqualTo(196);
        assertThat(VisionTransformer.named("vit-tiny", 3, 96, 96).dim()).isEqualTo(192);
        assertThatThrownBy(() -> VisionTransformer.named("vit-mini", 1, 30, 30))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("divide the image size 30x30").hasMessageContaining("found 4");
        assertThatThrownBy(() -> VisionTransformer.named("vit-huge", 1, 28, 28))
                .hasMessageContaining("found 'vit-huge'");
        assertThatThrownBy(() -> config(1, 28, 4, 30, 2, 4, false, VisionTransformer.Pooling.MEAN))
                .hasMessageContaining("multiple of heads");
    }

    @Test
    void refusesImagesOfAnotherShapeNamingBoth() {
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionTransformer vit = initialised(manager, 16, 4, 16, false);
            NDArray wrong = manager.zeros(new Shape(2, 3, 16, 16));
            assertThatThrownBy(() -> vit.forward(new ParameterStore(manager, false),
                    new NDList(wrong), false))
                    .hasMessageContaining("(batch, 1, 16, 16)").hasMessageContaining("(2, 3, 16, 16)");
            NDArray oddSize = manager.zeros(new Shape(2, 1, 18, 18));
            assertThatThrownBy(() -> vit.forward(new ParameterStore(manager, false),
                    new NDList(oddSize), false)).hasMessageContaining("multiples of 4");
        }
    }

    @Test
    void fixedPositionsTakeSmallerImagesInWholePatchesLearnedOnesDoNot() {
        TorchRuntime.setSeed(6);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            VisionTransformer fixed = initialised(manager, 16, 4, 16, false);
            NDArray small = manager.randomNormal(new Shape(3, 1, 8, 12));
            assertThat(fixed.forward(store, new NDList(small), false).head().getShape())
                    .isEqualTo(new Shape(3, 16));
            assertThatThrownBy(() -> fixed.forward(store,
                    new NDList(manager.zeros(new Shape(1, 1, 10, 10))), false))
                    .hasMessageContaining("multiples of 4");
            VisionTransformer learned = initialised(manager, 16, 4, 16, true);
            assertThatThrownBy(() -> learned.forward(store, new NDList(small), false))
                    .hasMessageContaining("(batch, 1, 16, 16)");
        }
    }

    @Test
    void maskedPatchTokensReplaceTheHiddenPatchesByTheMaskToken() {
        TorchRuntime.setSeed(7);
        try (NDManager manager = NDManager.newBaseManager()) {
            ParameterStore store = new ParameterStore(manager, false);
            VisionTransformer vit = initialised(manager, 8, 4, 8, false);
            NDArray images = manager.randomNormal(new Shape(2, 1, 8, 8));
            NDArray token = manager.create(RandomValues.gaussian(8, 3), new Shape(1, 1, 8));
            NDArray none = manager.zeros(new Shape(2, 4));
            assertThat(vit.maskedPatchTokens(store, images, none, token, false).toFloatArray())
                    .containsExactly(vit.patchTokens(store, images, false).toFloatArray());
            NDArray hidden = manager.create(new float[] {0, 1, 0, 0, 1, 1, 0, 0}, new Shape(2, 4));
            NDArray masked = vit.maskedPatchTokens(store, images, hidden, token, false);
            NDArray plain = vit.patchTokens(store, images, false);
            // patch 1 of image 0: the mask token plus the patch's position; no pixel of it left
            NDArray zeros = manager.zeros(new Shape(2, 1, 8, 8));
            NDArray positionsOnly = vit.maskedPatchTokens(store, zeros,
                    manager.ones(new Shape(2, 4)), manager.zeros(new Shape(1, 1, 8)), false);
            float[] expected = token.reshape(8).add(positionsOnly.get("0, 1, :")).toFloatArray();
            Asserts.assertAllClose(masked.get("0, 1, :").toFloatArray(), expected, 1e-6, 1e-6);
            assertThat(masked.get("0, 0, :").toFloatArray())
                    .containsExactly(plain.get("0, 0, :").toFloatArray());
        }
    }

    @Test
    void classTokenAttentionMapsHaveOneMapPerHeadOverThePatchGrid() {
        TorchRuntime.setSeed(4);
        try (NDManager manager = NDManager.newBaseManager()) {
            VisionTransformer vit = new VisionTransformer(
                    config(1, 16, 4, 32, 2, 4, false, VisionTransformer.Pooling.CLASS_TOKEN));
            vit.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 16, 16));
            NDArray images = manager.randomNormal(new Shape(2, 1, 16, 16));
            NDArray maps = vit.attentionMaps(new ParameterStore(manager, false), images);
            assertThat(maps.getShape()).isEqualTo(new Shape(2, 4, 4, 4));
            float[] sums = maps.sum(new int[] {2, 3}).toFloatArray();
            // the class token's attention to the patches: the rest goes to itself
            Asserts.assertAllWithin(sums, 0, 1 + 1e-6);
            Asserts.assertAllWithin(maps.toFloatArray(), 0, 1);
        }
    }

    /** A pre-norm layer against a plain-Java loop of its equations, on width 4, 2 heads. */
    @Test
    void preNormLayerMatchesAPlainJavaReference() {
        int width = 4;
        int heads = 2;
        int length = 3;
        TorchRuntime.setSeed(5);
        try (NDManager manager = NDManager.newBaseManager()) {
            TransformerLayer layer = new TransformerLayer(width, heads, 0f, true);
            layer.initialize(manager, DataType.FLOAT32, new Shape(1, length, width));
            // give every parameter (biases and norms too) distinct values
            long seed = 10;
            for (Pair<String, Parameter> p : layer.getParameters()) {
                NDArray array = p.getValue().getArray();
                array.set(RandomValues.gaussian((int) array.size(), seed++));
            }
            float[] x = RandomValues.gaussian(length * width, 99);
            float[] actual = layer.forward(new ParameterStore(manager, false),
                    new NDList(manager.create(x, new Shape(1, length, width))), false)
                    .head().toFloatArray();
            java.util.Map<String, float[]> w = new java.util.HashMap<>();
            for (Pair<String, Parameter> p : layer.getParameters()) {
                w.put(p.getKey(), p.getValue().getArray().toFloatArray());
            }
            float[] expected = reference(x, w, length, width, heads);
            Asserts.assertAllClose(actual, expected, 1e-4, 1e-5);
        }
    }

    /** {@code x + attn(LN1 x)}, then {@code + W2 gelu(W1 LN2 x)}, written out. */
    private static float[] reference(float[] x, java.util.Map<String, float[]> w, int length,
            int width, int heads) {
        double[][] h = new double[length][width];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < width; i++) {
                h[t][i] = x[t * width + i];
            }
        }
        double[][] n = layerNorm(h, param(w, "attention_norm", "gamma"), param(w, "attention_norm", "beta"));
        double[][] q = linear(n, param(w, "query", "weight"), param(w, "query", "bias"), width);
        double[][] k = linear(n, param(w, "key", "weight"), param(w, "key", "bias"), width);
        double[][] v = linear(n, param(w, "value", "weight"), param(w, "value", "bias"), width);
        int headWidth = width / heads;
        double[][] attended = new double[length][width];
        for (int head = 0; head < heads; head++) {
            int o = head * headWidth;
            for (int i = 0; i < length; i++) {
                double[] scores = new double[length];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < length; j++) {
                    double dot = 0;
                    for (int d = 0; d < headWidth; d++) {
                        dot += q[i][o + d] * k[j][o + d];
                    }
                    scores[j] = dot / Math.sqrt(headWidth);
                    max = Math.max(max, scores[j]);
                }
                double total = 0;
                for (int j = 0; j < length; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    total += scores[j];
                }
                for (int j = 0; j < length; j++) {
                    for (int d = 0; d < headWidth; d++) {
                        attended[i][o + d] += scores[j] / total * v[j][o + d];
                    }
                }
            }
        }
        double[][] projected = linear(attended, param(w, "output", "weight"), param(w, "output", "bias"), width);
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < width; i++) {
                h[t][i] += projected[t][i];
            }
        }
        double[][] n2 = layerNorm(h, param(w, "feed_forward_norm", "gamma"),
                param(w, "feed_forward_norm", "beta"));
        double[][] hidden = linear(n2, param(w, "expand", "weight"), param(w, "expand", "bias"), 4 * width);
        for (double[] row : hidden) {
            for (int i = 0; i < row.length; i++) {
                row[i] = 0.5 * row[i] * (1 + erf(row[i] / Math.sqrt(2)));
            }
        }
        double[][] back = linear(hidden, param(w, "contract", "weight"), param(w, "contract", "bias"), width);
        float[] out = new float[length * width];
        for (int t = 0; t < length; t++) {
            for (int i = 0; i < width; i++) {
                out[t * width + i] = (float) (h[t][i] + back[t][i]);
            }
        }
        return out;
    }

    private static float[] param(java.util.Map<String, float[]> w, String block, String kind) {
        return w.entrySet().stream()
                .filter(e -> e.getKey().matches("\\d*" + block + "_" + kind))
                .map(java.util.Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no " + block + " " + kind + " in " + w.keySet()));
    }

    private static double[][] linear(double[][] in, float[] weight, float[] bias, int out) {
        int inWidth = in[0].length;
        double[][] result = new double[in.length][out];
        for (int t = 0; t < in.length; t++) {
            for (int o = 0; o < out; o++) {
                double sum = bias[o];
                for (int i = 0; i < inWidth; i++) {
                    sum += weight[o * inWidth + i] * in[t][i]; // PyTorch layout (out, in)
                }
                result[t][o] = sum;
            }
        }
        return result;
    }

    private static double[][] layerNorm(double[][] in, float[] gamma, float[] beta) {
        double[][] out = new double[in.length][];
        for (int t = 0; t < in.length; t++) {
            double mean = java.util.Arrays.stream(in[t]).average().orElseThrow();
            double variance = java.util.Arrays.stream(in[t]).map(v -> (v - mean) * (v - mean))
                    .average().orElseThrow();
            out[t] = new double[in[t].length];
            for (int i = 0; i < in[t].length; i++) {
                out[t][i] = (in[t][i] - mean) / Math.sqrt(variance + 1e-5) * gamma[i] + beta[i];
            }
        }
        return out;
    }

    /** erf to about 1e-7 (Abramowitz and Stegun 7.1.26). */
    private static double erf(double z) {
        double t = 1 / (1 + 0.3275911 * Math.abs(z));
        double y = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741
                + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z);
        return z >= 0 ? y : -y;
    }
}
