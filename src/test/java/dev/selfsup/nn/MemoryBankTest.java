package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.testing.Asserts;
import org.junit.jupiter.api.Test;

class MemoryBankTest {
    private static MemoryBank initialised(NDManager manager, int size, int dim) {
        MemoryBank bank = new MemoryBank(size, dim);
        bank.initialize(manager, DataType.FLOAT32, new Shape(2, dim));
        return bank;
    }

    /** Rows of value {@code base + i} (all columns), {@code (n, dim)}. */
    private static NDArray rows(NDManager manager, int base, int n, int dim) {
        float[] values = new float[n * dim];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(values, i * dim, (i + 1) * dim, base + i);
        }
        return manager.create(values, new Shape(n, dim));
    }

    private static float[] firstColumn(MemoryBank bank) {
        float[] all = bank.keys().toFloatArray();
        float[] column = new float[bank.size()];
        for (int i = 0; i < column.length; i++) {
            column[i] = all[i * bank.dim()];
        }
        return column;
    }

    @Test
    void startsAsRandomUnitKeysAtPositionZero() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MemoryBank bank = initialised(manager, 64, 16);
            float[] norms = bank.keys().norm(new int[] {1}).toFloatArray();
            float[] ones = new float[64];
            java.util.Arrays.fill(ones, 1f);
            Asserts.assertAllClose(norms, ones, 1e-5, 1e-5);
            assertThat(bank.position()).isZero();
            assertThat(bank.keys().getShape()).isEqualTo(new Shape(64, 16));
        }
    }

    @Test
    void enqueuesFirstInFirstOutAndWrapsAround() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MemoryBank bank = initialised(manager, 5, 3); // 5 is not a multiple of the batch of 2
            float[] initial = firstColumn(bank);
            bank.enqueue(rows(manager, 100, 2, 3));
            assertThat(bank.position()).isEqualTo(2);
            assertThat(firstColumn(bank)).containsExactly(100, 101, initial[2], initial[3], initial[4]);
            bank.enqueue(rows(manager, 200, 2, 3));
            assertThat(firstColumn(bank)).containsExactly(100, 101, 200, 201, initial[4]);
            bank.enqueue(rows(manager, 300, 2, 3)); // 300 at the end, 301 wraps to row 0
            assertThat(bank.position()).isEqualTo(1);
            assertThat(firstColumn(bank)).containsExactly(301, 101, 200, 201, 300);
            bank.enqueue(rows(manager, 400, 2, 3));
            assertThat(firstColumn(bank)).containsExactly(301, 400, 401, 201, 300);
            bank.enqueue(rows(manager, 500, 5, 3)); // a whole queue at once, from row 3
            assertThat(firstColumn(bank)).containsExactly(502, 503, 504, 500, 501);
            assertThat(bank.position()).isEqualTo(3);
            // every column of a row holds the same value: rows moved whole
            float[] all = bank.keys().toFloatArray();
            for (int i = 0; i < 5; i++) {
                assertThat(all[i * 3 + 2]).isEqualTo(all[i * 3]);
            }
        }
    }

    @Test
    void enqueueLeaksNothingAndDetaches() {
        try (NDManager manager = NDManager.newBaseManager()) {
            MemoryBank bank = initialised(manager, 8, 4);
            int before = manager.getManagedArrays().size();
            try (NDManager step = manager.newSubManager()) {
                NDArray keys = step.randomNormal(new Shape(3, 4));
                keys.setRequiresGradient(true);
                bank.enqueue(keys);
            }
            assertThat(manager.getManagedArrays()).hasSize(before);
            assertThat(bank.keys().hasGradient()).isFalse();
        }
    }

    @Test
    void rejectsBadSizesAndKeys() {
        assertThatThrownBy(() -> new MemoryBank(0, 4)).hasMessageContaining("size=0");
        try (NDManager manager = NDManager.newBaseManager()) {
            MemoryBank bank = initialised(manager, 4, 3);
            assertThatThrownBy(() -> bank.enqueue(manager.ones(new Shape(2, 5))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 5)");
            assertThatThrownBy(() -> bank.enqueue(manager.ones(new Shape(5, 3))))
                    .hasMessageContaining("n <= 4");
        }
    }
}
