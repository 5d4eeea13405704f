package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.testing.Asserts;
import dev.selfsup.testing.ManagedTest;
import dev.selfsup.train.TorchRuntime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NextSentenceHeadTest extends ManagedTest {
    private static final int WIDTH = 6;

    @Test
    void logitsMatchAPlainJavaPoolerOverClsAndTheComparedSegmentMeans() {
        TorchRuntime.setSeed(3);
        int batch = 2;
        int length = 7;
        // row 0: [CLS] a a [SEP] b b [SEP]; row 1: [CLS] a [SEP] b b [SEP] [PAD]
        int[] segments = {0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0};
        float[] mask = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
        float[] hidden = new float[batch * length * WIDTH];
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = (float) random.nextGaussian();
        }
        NextSentenceHead head = new NextSentenceHead(WIDTH);
        Shape rows = new Shape(batch, length);
        head.initialize(manager, DataType.FLOAT32, new Shape(batch, length, WIDTH), rows, rows);
        NDArray logits = head.forward(new ParameterStore(manager, false), new NDList(
                manager.create(hidden, new Shape(batch, length, WIDTH)),
                manager.create(segments, rows), manager.create(mask, rows)), false).head();
        assertThat(logits.getShape()).isEqualTo(new Shape(batch, 2));

        float[][] poolerWeight = matrix(head, "pooler", "weight", WIDTH, 5 * WIDTH);
        float[] poolerBias = matrix(head, "pooler", "bias", 1, WIDTH)[0];
        float[][] classifierWeight = matrix(head, "classifier", "weight", 2, WIDTH);
        float[] classifierBias = matrix(head, "classifier", "bias", 1, 2)[0];
        float[] expected = new float[batch * 2];
        for (int r = 0; r < batch; r++) {
            double[] a = new double[WIDTH];
            double[] b = new double[WIDTH];
            int countA = 0;
            int countB = 0;
            for (int p = 0; p < length; p++) {
                int at = r * length + p;
                if (mask[at] == 0) {
                    continue;
                }
                double[] into = segments[at] == 0 ? a : b;
                for (int j = 0; j < WIDTH; j++) {
                    into[j] += hidden[at * WIDTH + j];
                }
                if (segments[at] == 0) {
                    countA++;
                } else {
                    countB++;
                }
            }
            double[] features = new double[5 * WIDTH];
            for (int j = 0; j < WIDTH; j++) {
                a[j] /= countA;
                b[j] /= countB;
                features[j] = hidden[r * length * WIDTH + j];
                features[WIDTH + j] = a[j];
                features[2 * WIDTH + j] = b[j];
                features[3 * WIDTH + j] = Math.abs(a[j] - b[j]);
                features[4 * WIDTH + j] = a[j] * b[j];
            }
            double[] pooled = new double[WIDTH];
            for (int o = 0; o < WIDTH; o++) {
                double sum = poolerBias[o];
                for (int i = 0; i < 5 * WIDTH; i++) {
                    sum += poolerWeight[o][i] * features[i];
                }
                pooled[o] = Math.tanh(sum);
            }
            for (int c = 0; c < 2; c++) {
                double sum = classifierBias[c];
                for (int o = 0; o < WIDTH; o++) {
                    sum += classifierWeight[c][o] * pooled[o];
                }
                expected[r * 2 + c] = (float) sum;
            }
        }
        Asserts.assertAllClose(logits.toFloatArray(), expected, 1e-4, 1e-5);
    }

    /** A parameter of one of the head's layers as {@code (rows, columns)}. */
    private static float[][] matrix(NextSentenceHead head, String layer, String name, int rows,
            int columns) {
        for (Pair<String, Parameter> p : head.getParameters()) {
            if (p.getKey().endsWith(layer + "_" + name)) { // DJL prefixes a child's index
                float[] flat = p.getValue().getArray().toFloatArray();
                assertThat(flat).hasSize(rows * columns);
                float[][] out = new float[rows][columns];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(flat, r * columns, out[r], 0, columns);
                }
                return out;
            }
        }
        throw new AssertionError("no parameter " + layer + "_" + name + " in "
                + head.getParameters().keys());
    }
}
