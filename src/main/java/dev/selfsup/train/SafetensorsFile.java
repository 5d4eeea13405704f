package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written by
 * selfsup itself so that every file is what any reader expects: an 8-byte little-endian header
 * length, a UTF-8 JSON header padded with spaces so that the data starts on an 8-byte boundary
 * (zero-copy readers such as {@code safetensors.torch.load_file} and {@code torch.frombuffer}
 * need it), tensors in name order with {@code dtype}, {@code shape} and {@code data_offsets}
 * (relative to the data section), a {@code __metadata__} map of strings, and the tensors'
 * little-endian bytes packed back to back, widest element type first, so every tensor starts on
 * a multiple of its element width (libtorch runs on little-endian machines only, so
 * native order is little-endian). Reading checks every header field against the file
 * before allocating anything, so a truncated or forged file is refused with its name and the
 * offending entry.
 */
public final class SafetensorsFile {
    /** The header key that holds free-form string metadata. */
    public static final String METADATA_KEY = "__metadata__";
    /** Headers larger than this are refused as corrupt (the format's own readers use 100 MB). */
    static final long MAX_HEADER_BYTES = 100L << 20;
    private static final int ALIGNMENT = 8;

    private SafetensorsFile() {}

    /**
     * A file's contents.
     *
     * @param metadata the {@code __metadata__} map (empty when the file has none)
     * @param tensors tensors by name, in the file's order
     */
    public record Contents(Map<String, String> metadata, Map<String, NDArray> tensors) {}

    /**
     * Writes named arrays (each {@link NDArray#getName()} set and unique) with {@code metadata}.
     * The caller makes the write atomic (checkpoints are written into a temporary folder).
     *
     * @throws IllegalArgumentException if an array has no name, a duplicate name, or a data type
     *     safetensors cannot hold
     */
    public static void write(Path file, NDList arrays, Map<String, String> metadata)
            throws IOException {
        Map<String, NDArray> byName = new TreeMap<>();
        for (NDArray array : arrays) {
            String name = array.getName();
            if (name == null || name.isEmpty() || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("every tensor needs a name other than "
                        + METADATA_KEY + ", found " + (name == null ? "none" : "'" + name + "'"));
            }
            if (byName.put(name, array) != null) {
                throw new IllegalArgumentException("tensor name '" + name + "' appears twice");
            }
        }
        ObjectNode header = Json.COMPACT.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            new TreeMap<>(metadata).forEach(meta::put);
        }
        for (Map.Entry<String, NDArray> entry : byName.entrySet()) { // the header in name order
            ObjectNode tensor = header.putObject(entry.getKey());
            tensor.put("dtype", code(entry.getValue().getDataType(), entry.getKey()));
            var shape = tensor.putArray("shape");
            for (long dimension : entry.getValue().getShape().getShape()) {
                shape.add(dimension);
            }
        }
        // the data: widest element type first (as the reference writer does), so that with the
        // data section on an 8-byte boundary every tensor starts on a multiple of its own width
        List<NDArray> order = new ArrayList<>(byName.values());
        order.sort((a, b) -> Integer.compare(b.getDataType().getNumOfBytes(),
                a.getDataType().getNumOfBytes()));
        long offset = 0;
        for (NDArray array : order) {
            long bytes = array.size() * array.getDataType().getNumOfBytes();
            ((ObjectNode) header.get(array.getName())).putArray("data_offsets")
                    .add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = Json.COMPACT.writeValueAsBytes(header);
        int padded = (json.length + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(prefix.array());
            for (NDArray array : order) {
                ByteBuffer data = array.toByteBuffer();
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                out.write(bytes);
            }
        }
    }

    /**
     * Reads a file, refusing with an {@link IOException} that names it and the entry at fault
     * when the header length, JSON, a dtype, a shape or a data offset does not fit the file.
     */
    public static Contents read(Path file, NDManager manager) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw corrupt(file, "only " + size + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
                throw corrupt(file, "header length " + Long.toUnsignedString(headerLength)
                        + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            JsonNode header;
            try {
                header = Json.COMPACT.readTree(new String(headerBytes.array(),
                        StandardCharsets.UTF_8));
            } catch (JacksonException e) {
                throw corrupt(file, "header is not valid JSON (" + e.getOriginalMessage() + ")");
            }
            if (header == null || !header.isObject()) {
                throw corrupt(file, "header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            List<long[]> spans = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().equals(METADATA_KEY)) {
                    readMetadata(file, field.getValue(), metadata);
                    continue;
                }
                Entry entry = entry(file, field.getKey(), field.getValue(), dataSize);
                spans.add(new long[] {entry.begin, entry.end});
                ByteBuffer data = manager.allocateDirect((int) (entry.end - entry.begin));
                readFully(channel, data, dataStart + entry.begin, file);
                NDArray array = manager.create(data.flip(), entry.shape, entry.type);
                array.setName(field.getKey());
                tensors.put(field.getKey(), array);
            }
            checkDisjoint(file, spans);
            return new Contents(metadata, tensors);
        }
    }

    private record Entry(DataType type, Shape shape, long begin, long end) {}

    private static Entry entry(Path file, String name, JsonNode node, long dataSize)
            throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, "tensor '" + name + "' is not a JSON object");
        }
        DataType type = type(node.path("dtype").asText(""));
        if (type == null) {
            throw corrupt(file, "tensor '" + name + "' has unsupported dtype "
                    + node.path("dtype"));
        }
        JsonNode shapeNode = node.path("shape");
        JsonNode offsets = node.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()) {
            throw corrupt(file, "tensor '" + name + "' needs a shape array and two data_offsets");
        }
        long[] dimensions = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < dimensions.length; i++) {
            JsonNode dimension = shapeNode.get(i);
            if (!dimension.canConvertToLong() || dimension.asLong() < 0) {
                throw corrupt(file, "tensor '" + name + "' has a bad dimension " + dimension);
            }
            dimensions[i] = dimension.asLong();
            try {
                count = Math.multiplyExact(count, dimensions[i]);
            } catch (ArithmeticException e) {
                throw corrupt(file, "tensor '" + name + "' has an impossible shape " + shapeNode);
            }
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > dataSize) {
            throw corrupt(file, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] lie outside the " + dataSize + " data bytes (truncated file?)");
        }
        if (end - begin != count * type.getNumOfBytes() || end - begin > Integer.MAX_VALUE) {
            throw corrupt(file, "tensor '" + name + "' spans " + (end - begin) + " bytes, its "
                    + type + " shape " + shapeNode + " needs " + count * type.getNumOfBytes());
        }
        return new Entry(type, new Shape(dimensions), begin, end);
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> metadata)
            throws IOException {
        if (!node.isObject()) {
            throw corrupt(file, METADATA_KEY + " is not a JSON object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getValue().isTextual()) {
                throw corrupt(file, METADATA_KEY + "." + field.getKey() + " is not a string");
            }
            metadata.put(field.getKey(), field.getValue().asText());
        }
    }

    private static void checkDisjoint(Path file, List<long[]> spans) throws IOException {
        spans.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int i = 1; i < spans.size(); i++) {
            if (spans.get(i)[0] < spans.get(i - 1)[1]) {
                throw corrupt(file, "tensors overlap at data offset " + spans.get(i)[0]);
            }
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer target, long position, Path file)
            throws IOException {
        long at = position;
        while (target.hasRemaining()) {
            int read = channel.read(target, at);
            if (read < 0) {
                throw corrupt(file, "ends at byte " + at + ", before its data");
            }
            at += read;
        }
    }

    private static IOException corrupt(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what);
    }

    /** The safetensors dtype code of a DJL data type. */
    static String code(DataType type, String name) {
        return switch (type) {
            case FLOAT64 -> "F64";
            case FLOAT32 -> "F32";
            case FLOAT16 -> "F16";
            case BFLOAT16 -> "BF16";
            case INT64 -> "I64";
            case INT32 -> "I32";
            case INT8 -> "I8";
            case UINT8 -> "U8";
            case BOOLEAN -> "BOOL";
            default -> throw new IllegalArgumentException("tensor '" + name + "' has data type "
                    + type + ", which safetensors cannot hold");
        };
    }

    private static DataType type(String code) {
        return switch (code) {
            case "F64" -> DataType.FLOAT64;
            case "F32" -> DataType.FLOAT32;
            case "F16" -> DataType.FLOAT16;
            case "BF16" -> DataType.BFLOAT16;
            case "I64" -> DataType.INT64;
            case "I32" -> DataType.INT32;
            case "I8" -> DataType.INT8;
            case "U8" -> DataType.UINT8;
            case "BOOL" -> DataType.BOOLEAN;
            default -> null;
        };
    }
}
