package dev.selfsup.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import dev.selfsup.util.AtomicFiles;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints on disk: {@code RUN/checkpoints/epoch-NNNN/} holds {@code model.safetensors} (every
 * parameter, batch-norm running statistics included, by hierarchical name),
 * {@code optimizer.safetensors} and {@code state.json}. A checkpoint is written into a temporary
 * directory and renamed into place only when complete, so an interrupted save leaves no
 * checkpoint under a final name.
 */
public final class Checkpoints {
    /** Weights file name inside a checkpoint directory. */
    public static final String MODEL_FILE = "model.safetensors";
    /** Optimiser state file name. */
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    /** Training state file name. */
    public static final String STATE_FILE = "state.json";

    /** {@code __metadata__} "format" of selfsup's checkpoint files. */
    public static final String FORMAT = "selfsup-checkpoint";
    /** {@code __metadata__} "format_version"; raised when names or layout change. */
    public static final int FORMAT_VERSION = 1;
    /** How tensors are named, as {@code __metadata__} "tensor_names" states it. */
    static final String TENSOR_NAMES = "DJL block paths: each NNname part is the NN-th child "
            + "(1-based, parameterless layers such as relu counted) and its name, joined by '_', "
            + "then the parameter: weight, bias, gamma and beta (batch-norm scale and shift), "
            + "runningMean and runningVar (batch-norm statistics). 01backbone_ is the encoder, "
            + "the other prefixes the method's heads.";

    private static final Pattern EPOCH_DIR = Pattern.compile("epoch-(\\d{4,})");

    private Checkpoints() {}

    /** The checkpoints folder of a run. */
    public static Path folder(Path runDir) {
        return runDir.resolve("checkpoints");
    }

    /**
     * Saves a complete checkpoint for {@code state.epoch()}, then deletes all but the newest
     * {@code keep} checkpoints.
     *
     * @throws IllegalStateException if any weight is NaN or infinite (nothing is written)
     */
    public static Path save(Path runDir, Block model, Optimizer optimizer, CheckpointState state,
            int keep) throws IOException {
        return save(runDir, model, optimizer, state.epoch(), state, Map.of(), keep);
    }

    /**
     * Saves a complete checkpoint whose {@code state.json} is any JSON-mappable record, with extra
     * files (e.g. a tokenizer's vocabulary) written into the same folder before it is renamed into
     * place; then deletes all but the newest {@code keep} checkpoints.
     *
     * @param extraFiles file name to contents
     * @throws IllegalStateException if any weight is NaN or infinite (nothing is written)
     */
    public static Path save(Path runDir, Block model, Optimizer optimizer, int epoch, Object state,
            Map<String, byte[]> extraFiles, int keep) throws IOException {
        PairList<String, Parameter> parameters = model.getParameters();
        for (Pair<String, Parameter> entry : parameters) {
            if (!isFinite(entry.getValue().getArray())) {
                throw new IllegalStateException("refusing to save epoch " + epoch
                        + ": parameter " + entry.getKey() + " has non-finite values");
            }
        }
        Path folder = folder(runDir);
        Files.createDirectories(folder);
        Path target = folder.resolve(String.format("epoch-%04d", epoch));
        Path temporary = Files.createTempDirectory(folder, ".epoch-" + epoch + "-");
        try {
            NDList weights = new NDList();
            for (Pair<String, Parameter> entry : parameters) {
                NDArray array = entry.getValue().getArray();
                array.setName(entry.getKey());
                weights.add(array);
            }
            Map<String, String> metadata = metadata(state);
            SafetensorsFile.write(temporary.resolve(MODEL_FILE), weights, metadata);
            SafetensorsFile.write(temporary.resolve(OPTIMIZER_FILE), optimizer.state(), metadata);
            for (Map.Entry<String, byte[]> extra : extraFiles.entrySet()) {
                Files.write(temporary.resolve(extra.getKey()), extra.getValue());
            }
            Json.write(temporary.resolve(STATE_FILE), state);
            if (Files.exists(target)) {
                AtomicFiles.deleteTree(target);
            }
            AtomicFiles.move(temporary, target);
        } finally {
            if (Files.exists(temporary)) {
                AtomicFiles.deleteTree(temporary);
            }
        }
        prune(folder, keep);
        return target;
    }

    /**
     * The {@code __metadata__} of a checkpoint's safetensors files: enough, with the tensors' own
     * shapes, for a loader in another framework to rebuild the network without selfsup's
     * source. Every value is a string (the format's rule); structured values are JSON.
     */
    static Map<String, String> metadata(Object state) throws IOException {
        Map<String, String> metadata = new java.util.LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("format_version", Integer.toString(FORMAT_VERSION));
        metadata.put("selfsup_version", Provenance.selfsupVersion());
        metadata.put("tensor_names", TENSOR_NAMES);
        if (state instanceof CheckpointState image) {
            metadata.put("modality", "image");
            metadata.put("method", image.method());
            metadata.put("backbone", image.backbone());
            metadata.put("architecture", Json.COMPACT.writeValueAsString(
                    dev.selfsup.nn.Backbones.describe(image.backbone())));
            metadata.put("input_shape", "[" + image.channels() + ", " + image.height() + ", "
                    + image.width() + "]");
            metadata.put("input_standardisation", "x = (pixel / 255 - channel_mean) / channel_std");
            metadata.put("channel_mean", Json.COMPACT.writeValueAsString(image.channelMean()));
            metadata.put("channel_std", Json.COMPACT.writeValueAsString(image.channelStd()));
        } else if (state instanceof TextCheckpointState text) {
            metadata.put("modality", TextCheckpointState.TEXT);
            metadata.put("method", text.method());
            metadata.put("encoder", Json.COMPACT.writeValueAsString(text.encoder()));
        }
        metadata.put("state", Json.COMPACT.writeValueAsString(state));
        return metadata;
    }

    /**
     * Where a run starts from: when resuming, the newest complete checkpoint in {@code runDir}
     * (empty if it has none yet, so the run starts afresh); otherwise nothing, and
     * {@code runDir} must not hold a run already.
     *
     * @throws IllegalArgumentException when not resuming and {@code runDir} holds a run
     */
    public static Optional<Path> startingPoint(Path runDir, boolean resume) throws IOException {
        if (resume) {
            return latest(runDir);
        }
        if (Files.exists(runDir.resolve(Provenance.CONFIG_FILE))) {
            throw new IllegalArgumentException(runDir + " already holds a run ("
                    + Provenance.CONFIG_FILE + "); use --resume " + runDir + " to continue it, "
                    + "or choose another --out");
        }
        return Optional.empty();
    }

    /** The newest complete checkpoint of a run, if any. */
    public static Optional<Path> latest(Path runDir) throws IOException {
        List<Path> all = list(folder(runDir));
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Complete checkpoints of a folder, oldest first. */
    static List<Path> list(Path folder) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder)) {
            for (Path path : stream) {
                Matcher matcher = EPOCH_DIR.matcher(path.getFileName().toString());
                if (matcher.matches() && Files.isRegularFile(path.resolve(STATE_FILE))) {
                    found.add(path);
                }
            }
        }
        found.sort((a, b) -> Integer.compare(epochOf(a), epochOf(b)));
        return found;
    }

    private static int epochOf(Path checkpoint) {
        Matcher matcher = EPOCH_DIR.matcher(checkpoint.getFileName().toString());
        return matcher.matches() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    private static void prune(Path folder, int keep) throws IOException {
        List<Path> all = list(folder);
        for (int i = 0; i < all.size() - keep; i++) {
            AtomicFiles.deleteTree(all.get(i));
        }
    }

    /**
     * Resolves what a user named: a checkpoint directory itself, or a run directory (its newest
     * checkpoint).
     */
    public static Path resolve(Path path) throws IOException {
        if (Files.isRegularFile(path.resolve(STATE_FILE))) {
            return path;
        }
        Optional<Path> newest = latest(path);
        if (newest.isEmpty()) {
            throw new NoSuchFileException(path.toString(), null,
                    "no complete checkpoint (expected a run directory with checkpoints/epoch-NNNN/"
                            + STATE_FILE + ", or a checkpoint directory)");
        }
        return newest.get();
    }

    /** Reads a checkpoint's {@code state.json}. */
    public static CheckpointState readState(Path checkpoint) throws IOException {
        Path file = checkpoint.resolve(STATE_FILE);
        try {
            return Json.MAPPER.readValue(file.toFile(), CheckpointState.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(file + ": not a valid checkpoint state: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Copies saved weights into {@code model}'s parameters, matching them by name and shape.
     *
     * @throws IOException naming the file and the first missing or mismatched parameter
     */
    public static void loadModel(Path checkpoint, Block model, NDManager manager) throws IOException {
        Path file = checkpoint.resolve(MODEL_FILE);
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> saved = readSafetensors(file, scratch);
            for (Pair<String, Parameter> entry : model.getParameters()) {
                NDArray source = saved.get(entry.getKey());
                NDArray target = entry.getValue().getArray();
                if (source == null) {
                    throw new IOException(file + ": has no parameter " + entry.getKey()
                            + " (a checkpoint of another method or backbone?)");
                }
                if (!source.getShape().equals(target.getShape())) {
                    throw new IOException(file + ": parameter " + entry.getKey() + " has shape "
                            + source.getShape() + ", the model expects " + target.getShape());
                }
                if (!isFinite(source)) {
                    throw new IOException(file + ": parameter " + entry.getKey()
                            + " has NaN or infinite values");
                }
                dev.selfsup.nn.Assign.values(target, source);
            }
        }
    }

    /**
     * A NaN or infinite gradient poisons the weights while the loss it came from is finite; the
     * next step's loss shows it, but after an epoch's last step nothing would: checked here,
     * before anything of the epoch is saved.
     *
     * @throws TrainingDivergedException naming the epoch's steps and the first bad parameter
     */
    static void requireFiniteWeights(Block model, int epoch, long firstStep, long lastStep) {
        for (Pair<String, Parameter> entry : model.getParameters()) {
            if (!isFinite(entry.getValue().getArray())) {
                throw new TrainingDivergedException("weights became NaN or infinite ("
                        + entry.getKey() + ") in steps " + (firstStep + 1) + " to " + lastStep
                        + " (epoch " + (epoch + 1) + ") while the loss stayed finite; lower "
                        + "--lr or check the data. No checkpoint of this state was saved.");
            }
        }
    }

    /** Restores the optimiser's state saved with a checkpoint. */
    public static void loadOptimizer(Path checkpoint, Optimizer optimizer, Block model,
            long updateCount, NDManager manager) throws IOException {
        Path file = checkpoint.resolve(OPTIMIZER_FILE);
        try (NDManager scratch = manager.newSubManager()) {
            NDList saved = new NDList(readSafetensors(file, scratch).values());
            try {
                optimizer.loadState(saved, model.getParameters(), updateCount);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage(), e);
            }
        }
    }

    static Map<String, NDArray> readSafetensors(Path file, NDManager manager)
            throws IOException {
        return SafetensorsFile.read(file, manager).tensors();
    }

    static boolean isFinite(NDArray array) {
        try (NDManager scratch = array.getManager().newSubManager()) {
            scratch.tempAttachAll(array);
            return array.isNaN().logicalOr(array.isInfinite()).any().getBoolean() == false;
        }
    }

}
