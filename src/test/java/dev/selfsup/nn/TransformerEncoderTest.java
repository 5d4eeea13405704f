package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.testing.Asserts;
import dev.selfsup.train.TorchRuntime;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TransformerEncoderTest {
    private static NDList inputs(NDManager manager, int[] tokens, int batch, int length) {
        float[] mask = new float[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            mask[i] = tokens[i] == 0 ? 0 : 1;
        }
        Shape shape = new Shape(batch, length);
        return new NDList(manager.create(tokens, shape), manager.create(new int[tokens.length], shape),
                manager.create(mask, shape));
    }

    @Test
    void outputShapesOverSeveralSizes() {
        for (int[] size : new int[][] {{32, 1, 2, 16}, {48, 2, 3, 64}}) {
            TorchRuntime.setSeed(1);
            try (NDManager manager = NDManager.newBaseManager()) {
                TextEncoderConfig config = new TextEncoderConfig(50, size[0], size[1], size[2], size[3], 0f);
                TextModel model = new TextModel(config, true, true, true, true);
                model.initialize(manager, 2);
                for (int length : new int[] {5, size[3]}) {
                    int[] tokens = new int[3 * length];
                    Arrays.fill(tokens, 7);
                    NDArray out = model.forward(new ParameterStore(manager, false),
                            inputs(manager, tokens, 3, length), false).head();
                    assertThat(out.getShape()).isEqualTo(new Shape(3, length, size[0]));
                }
            }
        }
    }

    @Test
    void paddingDoesNotChangeTheRealPositions() {
        TorchRuntime.setSeed(2);
        try (NDManager manager = NDManager.newBaseManager()) {
            TextModel model = new TextModel(new TextEncoderConfig(30, 32, 2, 4, 16, 0f), false, false, false, false);
            model.initialize(manager, 1);
            ParameterStore store = new ParameterStore(manager, false);
            int[] real = {2, 9, 11, 12, 3};
            float[] alone = model.forward(store, inputs(manager, real, 1, 5), false).head().toFloatArray();
            int[] padded = {2, 9, 11, 12, 3, 0, 0, 0};
            float[] withPadding = model.forward(store, inputs(manager, padded, 1, 8), false).head()
                    .get("0, :5, :").toFloatArray();
            Asserts.assertAllClose(withPadding, alone, 1e-4, 1e-5);
            // mean pooling ignores the padding too
            NDList in = inputs(manager, padded, 1, 8);
            NDArray hidden = model.forward(store, in, false).head();
            float[] pooled = TransformerEncoder.pool(hidden, in.get(2), false).toFloatArray();
            float[] expected = new float[32];
            for (int p = 0; p < 5; p++) {
                for (int j = 0; j < 32; j++) {
                    expected[j] += alone[p * 32 + j] / 5;
                }
            }
            Asserts.assertAllClose(pooled, expected, 1e-4, 1e-5);
            float[] cls = TransformerEncoder.pool(hidden, in.get(2), true).toFloatArray();
            Asserts.assertAllClose(cls, Arrays.copyOf(alone, 32), 1e-4, 1e-5);
        }
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> new TextEncoderConfig(100, 30, 2, 4, 64, 0.1f))
                .hasMessage("width must be a positive multiple of heads, found width 30 and heads 4");
        assertThatThrownBy(() -> new TextEncoderConfig(100, 32, 0, 4, 64, 0.1f))
                .hasMessage("layers must be in [1, 48], found 0");
        assertThatThrownBy(() -> new TextEncoderConfig(100, 32, 2, 4, 4, 0.1f))
                .hasMessage("maximum length must be in [8, 4096], found 4");
        assertThatThrownBy(() -> new TextEncoderConfig(100, 32, 2, 4, 64, 1f))
                .hasMessage("dropout must be in [0, 1), found 1.0");
    }

    @Test
    void aSequenceLongerThanThePositionTableIsRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TextModel model = new TextModel(new TextEncoderConfig(30, 16, 1, 2, 8, 0f), false, false, false, false);
            model.initialize(manager, 1);
            int[] tokens = new int[9];
            Arrays.fill(tokens, 5);
            assertThatThrownBy(() -> model.forward(new ParameterStore(manager, false),
                    inputs(manager, tokens, 1, 9), false))
                    .hasMessage("sequence length must be <= 8, found 9");
        }
    }
}
