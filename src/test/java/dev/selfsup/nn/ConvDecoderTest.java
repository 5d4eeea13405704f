package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class ConvDecoderTest {
    private static Shape decode(ConvDecoder decoder, int batch, int featureDim) {
        try (NDManager manager = NDManager.newBaseManager()) {
            decoder.initialize(manager, DataType.FLOAT32, new Shape(batch, featureDim));
            NDArray features = manager.randomNormal(new Shape(batch, featureDim));
            NDArray out = decoder.forward(new ParameterStore(manager, false), new NDList(features),
                    false).singletonOrThrow();
            assertThat(decoder.getOutputShapes(new Shape[] {new Shape(batch, featureDim)})[0])
                    .isEqualTo(out.getShape());
            return out.getShape();
        }
    }

    @Test
    void decodesToTheImageShapeOverSeveralSizes() {
        int[][] sizes = {{3, 32, 32}, {1, 28, 28}, {2, 16, 16}, {3, 31, 31}, {1, 8, 12}};
        for (int[] size : sizes) {
            ConvDecoder decoder = ConvDecoder.forImage(size[0], size[1], size[2]);
            assertThat(decoder.outputShape()).isEqualTo(new Shape(size[0], size[1], size[2]));
            assertThat(decode(decoder, 3, 16)).isEqualTo(new Shape(3, size[0], size[1], size[2]));
        }
        assertThat(decode(new ConvDecoder(4, 24, 40, 8, 8, 8, 4), 2, 5))
                .isEqualTo(new Shape(2, 4, 24, 40));
    }

    @Test
    void badSizesAreRefused() {
        assertThatThrownBy(() -> new ConvDecoder(3, 30, 32, 8, 8, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30x32");
        assertThatThrownBy(() -> new ConvDecoder(3, 32, 32))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage width");
        assertThatThrownBy(() -> new ConvDecoder(0, 32, 32, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("found (0, 32, 32)");
    }
}
