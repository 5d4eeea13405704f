package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class StagingBufferTest {
    /** The JVM's direct buffers not yet freed. */
    private static long directBuffers() {
        return java.lang.management.ManagementFactory.getPlatformMXBeans(
                java.lang.management.BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow()
                .getCount();
    }

    @Test
    void arraysHoldTheirValuesTypesAndShapes() {
        StagingBuffer staging = new StagingBuffer();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray floats = staging.floats(manager, new float[] {9f, 1.5f, -2f, 3f, 4f}, 1, 4,
                    new Shape(2, 2));
            NDArray ints = staging.ints(manager, new int[] {7, -8, 9}, new Shape(3));
            NDArray longs = staging.longs(manager, new int[] {Integer.MAX_VALUE, -1},
                    new Shape(1, 2));
            assertThat(floats.getShape()).isEqualTo(new Shape(2, 2));
            assertThat(floats.toFloatArray()).containsExactly(1.5f, -2f, 3f, 4f);
            assertThat(ints.getDataType()).isEqualTo(DataType.INT32);
            assertThat(ints.toIntArray()).containsExactly(7, -8, 9);
            assertThat(longs.getDataType()).isEqualTo(DataType.INT64);
            assertThat(longs.toLongArray()).containsExactly(Integer.MAX_VALUE, -1L);
            // the arrays share one buffer without overlapping: the last write left the first intact
            assertThat(floats.toFloatArray()).containsExactly(1.5f, -2f, 3f, 4f);
        }
    }

    @Test
    void growingKeepsTheArraysAlreadyMadeAndResetReusesTheBuffer() {
        StagingBuffer staging = new StagingBuffer();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray small = staging.floats(manager, new float[] {1f, 2f}, new Shape(2));
            float[] large = new float[10_000];
            for (int i = 0; i < large.length; i++) {
                large[i] = i;
            }
            NDArray big = staging.floats(manager, large, new Shape(100, 100)); // outgrows it
            assertThat(small.toFloatArray()).containsExactly(1f, 2f);
            assertThat(big.toFloatArray()).containsExactly(large);
            small.close();
            big.close();

            staging.reset();
            long buffersBefore = directBuffers();
            NDArray again = staging.floats(manager, large, new Shape(10_000));
            long buffersAfter = directBuffers();
            assertThat(again.toFloatArray()).containsExactly(large);
            assertThat(buffersAfter).as("direct buffers made after reset").isEqualTo(buffersBefore);
        }
    }

    @Test
    void sizesThatAreNotMultiplesOfTheAlignmentFitAsTheyGrow() {
        StagingBuffer staging = new StagingBuffer();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int count = 1; count < 300; count += 7) { // 4 to 1,176 bytes, most unaligned
                int[] values = new int[count];
                for (int i = 0; i < count; i++) {
                    values[i] = count * 1000 + i;
                }
                NDArray ints = staging.ints(manager, values, new Shape(count));
                NDArray longs = staging.longs(manager, values, new Shape(count));
                assertThat(ints.toIntArray()).containsExactly(values);
                assertThat(longs.toLongArray()).containsExactly(
                        java.util.Arrays.stream(values).asLongStream().toArray());
            }
        }
    }

    @Test
    void aShapeThatDoesNotHoldTheValuesIsRefused() {
        StagingBuffer staging = new StagingBuffer();
        try (NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> staging.ints(manager, new int[] {1, 2, 3}, new Shape(2, 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("shape (2, 2) holds 4 values, found 3");
        }
    }
}
