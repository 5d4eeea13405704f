package dev.selfsup.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.method.Method;
import dev.selfsup.method.Methods;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {
    /** A file in the format's bytes, built by hand: header length, JSON, data. */
    private static byte[] file(String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).put(data).array();
    }

    private static byte[] floats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buffer.putFloat(v);
        }
        return buffer.array();
    }

    /** The header of a file as another reader sees it. */
    private static JsonNode header(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long length = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return Json.COMPACT.readTree(new String(bytes, 8, (int) length, StandardCharsets.UTF_8));
    }

    private static long dataStart(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        return 8 + ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    @Test
    void roundTripsTypesShapesAndMetadataWithEveryTensorAlignedToItsElementWidth(@TempDir Path dir)
            throws IOException {
        Path path = dir.resolve("t.safetensors");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDList arrays = new NDList();
            // odd sizes, so that unpadded data would not stay aligned
            NDArray a = manager.create(new float[] {1.5f, -2f, 3.25f}, new Shape(3));
            a.setName("b_weight");
            NDArray b = manager.create(new long[] {7, -1, 1L << 40, 0, 5, 6}, new Shape(2, 3));
            b.setName("a_count");
            NDArray c = manager.create(new byte[] {1, 2, 3, 4, 5}, new Shape(5));
            c.setName("c_bytes");
            NDArray d = manager.create(new double[] {Math.PI}, new Shape(1, 1));
            d.setName("d_scalar");
            arrays.add(a);
            arrays.add(b);
            arrays.add(c);
            arrays.add(d);
            SafetensorsFile.write(path, arrays, Map.of("method", "simclr", "z", "\"quoted\" \u00e9"));

            long start = dataStart(path);
            assertThat(start % 8).isZero();
            JsonNode header = header(path);
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                names.add(name);
                if (!name.equals(SafetensorsFile.METADATA_KEY)) {
                    long begin = header.get(name).get("data_offsets").get(0).asLong();
                    long width = name.equals("c_bytes") ? 1 : name.equals("b_weight") ? 4 : 8;
                    assertThat((start + begin) % width).as(name).isZero();
                }
            }
            assertThat(names).containsExactly("__metadata__", "a_count", "b_weight", "c_bytes",
                    "d_scalar");
            assertThat(header.get("a_count").get("dtype").asText()).isEqualTo("I64");
            assertThat(header.get("c_bytes").get("dtype").asText()).isEqualTo("I8");

            SafetensorsFile.Contents read = SafetensorsFile.read(path, manager);
            assertThat(read.metadata()).containsEntry("method", "simclr")
                    .containsEntry("z", "\"quoted\" \u00e9");
            assertThat(read.tensors().get("b_weight").toFloatArray()).containsExactly(1.5f, -2f, 3.25f);
            assertThat(read.tensors().get("a_count").getShape()).isEqualTo(new Shape(2, 3));
            assertThat(read.tensors().get("a_count").toLongArray())
                    .containsExactly(7, -1, 1L << 40, 0, 5, 6);
            assertThat(read.tensors().get("c_bytes").toByteArray()).containsExactly(1, 2, 3, 4, 5);
            assertThat(read.tensors().get("d_scalar").getDataType()).isEqualTo(DataType.FLOAT64);
            assertThat(read.tensors().get("d_scalar").toDoubleArray()).containsExactly(Math.PI);
        }
    }

    @Test
    void readsAFileOfAnotherWriterUnpaddedAndWithoutMetadata(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("other.safetensors");
        byte[] data = floats(1f, 2f, 3f, 4f, 5f, 6f);
        // the layout of the reference writer: tensors in any order, offsets into the data
        Files.write(path, file("{\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", data));
        try (NDManager manager = NDManager.newBaseManager()) {
            SafetensorsFile.Contents read = SafetensorsFile.read(path, manager);
            assertThat(read.metadata()).isEmpty();
            assertThat(read.tensors().get("x").toFloatArray()).containsExactly(1f, 2f, 3f, 4f);
            assertThat(read.tensors().get("y").toFloatArray()).containsExactly(5f, 6f);
        }
    }

    @Test
    void refusesEveryKindOfBrokenFileNamingItAndTheEntry(@TempDir Path dir) throws IOException {
        String good = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] valid = file(good, floats(1f, 2f));
        Map<String, byte[]> cases = new java.util.LinkedHashMap<>();
        cases.put("shorter than the 8-byte", new byte[] {1, 2, 3});
        cases.put("header length 4611686018427387904", ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).array());
        cases.put("not valid JSON", file("{\"w\":{\"dtype\":", floats(1f, 2f)));
        cases.put("not a JSON object", file("[1, 2]", floats(1f, 2f)));
        cases.put("lie outside", java.util.Arrays.copyOf(valid, valid.length - 3));
        cases.put("unsupported dtype \"Q7\"", file(good.replace("F32", "Q7"), floats(1f, 2f)));
        cases.put("needs 12", file(good.replace("[2]", "[3]"), floats(1f, 2f)));
        cases.put("bad dimension -2", file(good.replace("[2]", "[-2]"), floats(1f, 2f)));
        cases.put("impossible shape", file(good.replace("[2]",
                "[4294967296,4294967296,4294967296]"), floats(1f, 2f)));
        cases.put("two data_offsets", file(good.replace("[0,8]", "[0]"), floats(1f, 2f)));
        cases.put("overlap", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", floats(1f, 2f)));
        cases.put("__metadata__.k is not a string",
                file("{\"__metadata__\":{\"k\":1}," + good.substring(1), floats(1f, 2f)));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Map.Entry<String, byte[]> broken : cases.entrySet()) {
                Path path = dir.resolve("broken.safetensors");
                Files.write(path, broken.getValue());
                assertThatThrownBy(() -> SafetensorsFile.read(path, manager))
                        .as(broken.getKey())
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining(path.toString())
                        .hasMessageContaining(broken.getKey());
            }
        }
    }

    @Test
    void refusesToWriteUnnamedOrDuplicateTensors(@TempDir Path dir) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray unnamed = manager.ones(new Shape(2));
            assertThatThrownBy(() -> SafetensorsFile.write(dir.resolve("a"), new NDList(unnamed),
                    Map.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("needs a name");
            NDArray x = manager.ones(new Shape(2));
            x.setName("x");
            NDArray y = manager.zeros(new Shape(1));
            y.setName("x");
            assertThatThrownBy(() -> SafetensorsFile.write(dir.resolve("b"), new NDList(x, y),
                    Map.of())).hasMessageContaining("'x' appears twice");
        }
    }

    @Test
    void aCheckpointDescribesItsNetworkInItsMetadata(@TempDir Path run) throws IOException {
        try (NDManager manager = NDManager.newBaseManager();
                Optimizer optimizer = Optimizer.create("adam", manager, 0)) {
            Method method = Methods.build("simclr", "small-resnet", 1, 8, 8, 0.5);
            method.model().initialize(manager, 2);
            CheckpointState state = new CheckpointState(1, 10, 10, "simclr", "small-resnet", 1, 8,
                    8, 0.5, new float[] {0.25f}, new float[] {0.5f}, null);
            Path saved = Checkpoints.save(run, method.model(), optimizer, state, 1);
            for (String file : List.of(Checkpoints.MODEL_FILE, Checkpoints.OPTIMIZER_FILE)) {
                long start = dataStart(saved.resolve(file));
                JsonNode tensors = header(saved.resolve(file));
                for (Iterator<String> it = tensors.fieldNames(); it.hasNext(); ) {
                    String name = it.next();
                    if (!name.equals(SafetensorsFile.METADATA_KEY)) {
                        long begin = tensors.get(name).get("data_offsets").get(0).asLong();
                        assertThat((start + begin) % 8).as(file + " " + name).isZero();
                    }
                }
            }
            JsonNode meta = header(saved.resolve(Checkpoints.MODEL_FILE)).get("__metadata__");
            assertThat(meta.get("format").asText()).isEqualTo(Checkpoints.FORMAT);
            assertThat(meta.get("method").asText()).isEqualTo("simclr");
            assertThat(meta.get("input_shape").asText()).isEqualTo("[1, 8, 8]");
            assertThat(meta.get("channel_std").asText()).isEqualTo("[0.5]");
            JsonNode architecture = Json.COMPACT.readTree(meta.get("architecture").asText());
            assertThat(architecture.get("stage_widths").toString()).isEqualTo("[16,32,64,128]");
            assertThat(architecture.get("batch_norm").get("eps").asDouble()).isEqualTo(1e-5);
            assertThat(Json.COMPACT.readTree(meta.get("state").asText()).get("epoch").asInt())
                    .isEqualTo(1);
            // the names the metadata documents are the names in the file
            JsonNode header = header(saved.resolve(Checkpoints.MODEL_FILE));
            assertThat(header.has("01backbone_01Conv2d_weight")).isTrue();
            assertThat(header.has("01backbone_04ResidualBlock_01residual_02BatchNorm_gamma")).isTrue();

            Method fresh = Methods.build("simclr", "small-resnet", 1, 8, 8, 0.5);
            fresh.model().initialize(manager, 2);
            Checkpoints.loadModel(saved, fresh.model(), manager);
            var expected = method.model().getParameters();
            var actual = fresh.model().getParameters();
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).getValue().getArray().toFloatArray()).as(expected.get(i).getKey())
                        .containsExactly(expected.get(i).getValue().getArray().toFloatArray());
            }
        }
    }
}
