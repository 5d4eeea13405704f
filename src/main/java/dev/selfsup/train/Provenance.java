package dev.selfsup.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.ImageSet;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * What a run's {@code config.json} records besides the config: versions of selfsup, DJL, libtorch,
 * the JVM and the OS, and the dataset's identity (name, sizes, shape and a checksum of its bytes),
 * so that a result can be traced and re-run.
 */
public final class Provenance {
    /** The file, in a run directory, that records the run's config and provenance. */
    public static final String CONFIG_FILE = "config.json";

    private Provenance() {}

    /**
     * Reads the {@code config.json} document of the run in {@code runDir}.
     *
     * @throws NoSuchFileException when there is none (no run to resume)
     * @throws IOException naming the file when it is not JSON or has no {@code "config"} object
     */
    public static JsonNode read(Path runDir) throws IOException {
        Path file = runDir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null,
                    "no run to resume here (config.json is missing)");
        }
        JsonNode document;
        try {
            document = Json.MAPPER.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (document == null || !document.path("config").isObject()) {
            throw new IOException(file + ": has no \"config\" object");
        }
        return document;
    }

    /** Reads the {@code "config"} object of the run in {@code runDir} as a {@code type}. */
    static <T> T readConfig(Path runDir, Class<T> type) throws IOException {
        JsonNode config = read(runDir).get("config");
        try {
            return Json.MAPPER.treeToValue(config, type);
        } catch (JacksonException e) {
            throw new IOException(runDir.resolve(CONFIG_FILE) + ": not a valid run config: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** selfsup's version, from the jar's manifest ("dev" when run from classes). */
    public static String selfsupVersion() {
        String version = Provenance.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    /** The versions of everything that shapes a result. */
    public static Map<String, Object> versions() {
        Map<String, Object> versions = new LinkedHashMap<>();
        versions.put("selfsup", selfsupVersion());
        versions.put("djl", TorchRuntime.djlVersion());
        versions.put("pytorch", TorchRuntime.torchVersion());
        versions.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        versions.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version")
                + " " + System.getProperty("os.arch"));
        versions.put("cpus", Runtime.getRuntime().availableProcessors());
        return versions;
    }

    /** Prefixes of the environment variables that change libtorch's or the allocator's speed. */
    private static final List<String> SPEED_VARIABLES = List.of("OMP_", "MKL_", "OPENBLAS_",
            "DNNL_", "ONEDNN_", "MALLOC_", "GLIBC_TUNABLES", "ATEN_", "TCMALLOC_", "LD_PRELOAD");

    /**
     * What a speed figure depends on besides the versions: the CPU model (from
     * {@code /proc/cpuinfo}, where there is one), the malloc in use ({@link #allocator}), the BLAS
     * ({@link TorchRuntime#blas}) and the
     * environment variables that set threading, BLAS, oneDNN and the allocator, sorted by name.
     */
    public static Map<String, Object> environment() {
        Map<String, Object> environment = new LinkedHashMap<>();
        String cpu = System.getProperty("os.arch");
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException | UncheckedIOException e) {
            // not Linux: the architecture stands in for the model
        }
        environment.put("cpu", cpu);
        environment.put("allocator", allocator());
        environment.put("blas", TorchRuntime.blas());
        Map<String, String> variables = new TreeMap<>();
        System.getenv().forEach((name, value) -> {
            if (SPEED_VARIABLES.stream().anyMatch(name::startsWith)) {
                variables.put(name, value);
            }
        });
        environment.put("variables", variables);
        return environment;
    }

    /**
     * The malloc this process runs on: {@code tcmalloc} or {@code jemalloc} when one is mapped
     * (preloaded, as the launcher does where tcmalloc is installed), else {@code glibc}; or
     * {@code unknown} without {@code /proc}.
     */
    public static String allocator() {
        try {
            return allocator(Files.readAllLines(Path.of("/proc/self/maps")));
        } catch (IOException | UncheckedIOException e) {
            return "unknown";
        }
    }

    /** The malloc named by a process's memory map ({@code /proc/PID/maps} lines). */
    static String allocator(List<String> maps) {
        for (String line : maps) {
            String file = line.substring(line.lastIndexOf('/') + 1);
            if (file.startsWith("libtcmalloc")) {
                return "tcmalloc";
            }
            if (file.startsWith("libjemalloc")) {
                return "jemalloc";
            }
        }
        return "glibc";
    }

    /** The dataset's identity: name, split sizes, shape, classes and CRC32C checksums. */
    public static Map<String, Object> dataset(DataSplits data) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("name", data.name());
        identity.put("shape", data.shapeDescription());
        identity.put("classes", data.train().classNames());
        identity.put("train", split(data.train()));
        identity.put("test", split(data.test()));
        return identity;
    }

    private static Map<String, Object> split(ImageSet set) {
        Map<String, Object> split = new LinkedHashMap<>();
        split.put("identity", set.identity());
        split.put("size", set.size());
        CRC32C crc = new CRC32C();
        crc.update(set.pixels());
        split.put("pixels_crc32c", String.format("%08x", crc.getValue()));
        CRC32C labels = new CRC32C();
        for (int label : set.labels()) {
            labels.update(label);
        }
        split.put("labels_crc32c", String.format("%08x", labels.getValue()));
        return split;
    }

    /** The whole {@code config.json} document of a run. */
    public static Map<String, Object> describe(PretrainConfig config, DataSplits data) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("config", config);
        document.put("dataset", dataset(data));
        document.put("versions", versions());
        document.put("environment", environment());
        document.put("created", java.time.Instant.now().toString());
        return document;
    }
}
