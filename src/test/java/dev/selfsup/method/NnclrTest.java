package dev.selfsup.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.nn.Backbones;
import dev.selfsup.testing.ManagedTest;
import org.junit.jupiter.api.Test;

class NnclrTest extends ManagedTest {
    @Test
    void nearestPicksTheQueueRowOfHighestCosineWhateverTheScale() {
        NDArray queue = manager.create(new float[] {1, 0, 0, 1, -1, 0}, new Shape(3, 2));
        NDArray z = manager.create(new float[] {5, 1, 0.1f, 3, -2, -0.5f}, new Shape(3, 2));
        float[] picked = Nnclr.nearest(z, queue).toFloatArray();
        assertThat(picked).containsExactly(1, 0, 0, 1, -1, 0);
    }

    @Test
    void aTrainingStepQueuesTheFirstViewsNormalisedProjections() {
        Nnclr nnclr = (Nnclr) Methods.create("nnclr", Backbones.mlp(1, 8, 8),
                new Methods.Options(null, 16, null, null));
        assertThat(nnclr.temperature()).isEqualTo(Nnclr.DEFAULT_TEMPERATURE);
        nnclr.model().initialize(manager, 8);
        NDArray images = manager.randomNormal(new Shape(8, 1, 8, 8)); // 2 views of 4
        ParameterStore store = new ParameterStore(manager, false);
        float loss = nnclr.loss(store, new ViewBatch(images, 4, 2), true).getFloat();
        assertThat(loss).isFinite().isPositive();
        assertThat(nnclr.supportQueue().position()).isZero();
        nnclr.afterStep(0, 10);
        assertThat(nnclr.supportQueue().position()).isEqualTo(4);
        NDArray queued = nnclr.supportQueue().keys().get("0:4");
        assertThat(queued.norm(new int[] {1}).toFloatArray())
                .containsOnly(new float[] {1f, 1f, 1f, 1f}, within(1e-5f));
        // evaluation queues nothing
        nnclr.loss(store, new ViewBatch(images, 4, 2), false);
        assertThatThrownBy(() -> nnclr.afterStep(1, 10)).isInstanceOf(IllegalStateException.class);
    }
}
