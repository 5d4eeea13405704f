package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    private static CheckpointState state(int epoch) {
        return new CheckpointState(epoch, epoch * 10L, epoch * 10L, "tutorial", "mlp", 1, 8, 8, null,
                new float[] {0.5f}, new float[] {0.2f}, null);
    }

    private static Method model(NDManager manager) {
        Method method = Methods.build("tutorial", "mlp", 1, 8, 8, Methods.Options.defaults());
        method.model().initialize(manager, 2);
        return method;
    }

    @Test
    void keepsTheNewestAndIgnoresIncompleteOnes(@TempDir Path run) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Method method = model(manager);
            for (int epoch = 1; epoch <= 4; epoch++) {
                Checkpoints.save(run, method.model(), optimizer, state(epoch), 2);
            }
            // an interrupted save: a directory without state.json, and a leftover temp dir
            Files.createDirectories(Checkpoints.folder(run).resolve("epoch-0005"));
            Files.createDirectories(Checkpoints.folder(run).resolve(".epoch-6-123"));
            assertThat(Checkpoints.latest(run)).contains(Checkpoints.folder(run).resolve("epoch-0004"));
            try (var entries = Files.list(Checkpoints.folder(run))) {
                assertThat(entries.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly(".epoch-6-123", "epoch-0003", "epoch-0004", "epoch-0005");
            }
            CheckpointState read = Checkpoints.readState(Checkpoints.resolve(run));
            assertThat(read.epoch()).isEqualTo(4);
            assertThat(read.channelStd()).containsExactly(0.2f);
        }
    }

    @Test
    void refusesNonFiniteWeightsAndWritesNothing(@TempDir Path run) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Method method = model(manager);
            method.model().getParameters().get(0).getValue().getArray().muli(Float.NaN);
            assertThatThrownBy(() -> Checkpoints.save(run, method.model(), optimizer, state(1), 2))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("non-finite");
            assertThat(Checkpoints.latest(run)).isEmpty();
        }
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedByName(@TempDir Path run) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Path saved = Checkpoints.save(run, model(manager).model(), optimizer, state(1), 1);
            Method other = Methods.build("simclr", "mlp", 1, 8, 8, 0.5);
            other.model().initialize(manager, 2);
            assertThatThrownBy(() -> Checkpoints.loadModel(saved, other.model(), manager))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(saved.resolve(Checkpoints.MODEL_FILE).toString())
                    .hasMessageContaining("projection_head");
            Files.write(saved.resolve(Checkpoints.MODEL_FILE), new byte[] {1, 2, 3});
            assertThatThrownBy(() -> Checkpoints.loadModel(saved, model(manager).model(), manager))
                    .isInstanceOf(IOException.class).hasMessageContaining("model.safetensors");
            assertThatThrownBy(() -> Checkpoints.resolve(run.resolve("nothing")))
                    .hasMessageContaining("no complete checkpoint");
        }
    }

    @Test
    void weightsWithNaNAreRefusedAtLoadNamingTheParameter(@TempDir Path run) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Method method = model(manager);
            Path saved = Checkpoints.save(run, method.model(), optimizer, state(1), 1);
            Path file = saved.resolve(Checkpoints.MODEL_FILE);
            SafetensorsFile.Contents contents = SafetensorsFile.read(file, manager);
            String name = method.model().getParameters().get(0).getKey();
            ai.djl.ndarray.NDList arrays = new ai.djl.ndarray.NDList();
            for (var entry : contents.tensors().entrySet()) {
                ai.djl.ndarray.NDArray array = entry.getValue();
                if (entry.getKey().equals(name)) {
                    array = array.mul(Float.NaN);
                    array.setName(name);
                }
                arrays.add(array);
            }
            SafetensorsFile.write(file, arrays, contents.metadata());
            assertThatThrownBy(() -> Checkpoints.loadModel(saved, model(manager).model(), manager))
                    .isInstanceOf(IOException.class).hasMessageContaining(file.toString())
                    .hasMessageContaining(name).hasMessageContaining("NaN");
        }
    }
}
