package dev.selfsup.train;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a resumed run may change, and the trace each change leaves in its {@code config.json}.
 *
 * <p>A run resumes with the settings of its {@code config.json}, but for these:
 * <ul>
 *   <li>{@code epochs}, the horizon: the run continues up to the new number of epochs (at least
 *       the epochs it has trained). From the resume point on, the learning rate (and any other
 *       schedule over the run, such as BYOL's target momentum) follows the schedule of a run of
 *       the new length, step for step, while the warm-up keeps its length in steps. The change
 *       is appended to the document's {@value #EXTENDED} list as
 *       {@code {"from_epochs", "to_epochs", "at_step", "time"}};</li>
 *   <li>{@link #RUN_SETTINGS}: how the run is carried out, not what it learns (libtorch threads,
 *       augmentation workers, how often the kNN monitor runs, checkpoints kept). Each change is
 *       appended to the {@value #CHANGED} list as {@code {"setting", "from", "to", "at_step",
 *       "time"}}. Other threads may change the last bits of the results.</li>
 * </ul>
 * Any other difference is refused: it would change what the run learns half-way through.
 * The new config is written into {@code config.json} (atomically) before training goes on, so a
 * resumed run that is interrupted again resumes with it.
 */
public final class Resumption {
    /** Settings ({@code config.json} names) that a resumed run may change besides epochs. */
    public static final Set<String> RUN_SETTINGS = Set.of("threads", "workers", "eval_every",
            "keep_checkpoints");
    /** {@code config.json}'s list of the run's changes of epochs. */
    public static final String EXTENDED = "extended";
    /** {@code config.json}'s list of the run's other changes on resume. */
    public static final String CHANGED = "changed";

    private Resumption() {}

    /** One setting's values in the run's {@code config.json} and in the config it resumes with. */
    record Change(JsonNode from, JsonNode to) {}

    /**
     * The epochs the run in {@code runDir} has trained: its newest complete checkpoint's, or 0
     * when it has none.
     */
    public static int epochsTrained(Path runDir) throws IOException {
        Optional<Path> newest = Checkpoints.latest(runDir);
        if (newest.isEmpty()) {
            return 0;
        }
        Path state = newest.get().resolve(Checkpoints.STATE_FILE);
        JsonNode epoch;
        try {
            epoch = Json.MAPPER.readTree(Files.readString(state)).path("epoch");
        } catch (JacksonException e) {
            throw new IOException(state + ": not a valid checkpoint state: "
                    + e.getOriginalMessage(), e);
        }
        if (!epoch.canConvertToInt() || epoch.asInt() < 1) {
            throw new IOException(state + ": no epoch count (\"epoch\": a number >= 1)");
        }
        return epoch.asInt();
    }

    /** What to tell a user who resumes a run that has already trained all its epochs. */
    public static String completeMessage(Path runDir, int epochs) {
        return runDir + " is already complete: " + epochs + " of " + epochs + " epochs trained; "
                + "resume it with --epochs N (N > " + epochs + ") to train it further";
    }

    /**
     * The differences between the config a run was saved with and the one it is resumed with,
     * by {@code config.json} name.
     *
     * @throws IllegalArgumentException when a setting that may not change differs, naming it
     *     and both values, or when fewer epochs than the run has trained are asked for
     */
    static Map<String, Change> changes(Path runDir, Object saved, Object resumed,
            int epochsTrained) {
        ObjectNode before = Json.MAPPER.valueToTree(saved);
        ObjectNode after = Json.MAPPER.valueToTree(resumed);
        Map<String, Change> changes = new LinkedHashMap<>();
        for (Iterator<String> names = before.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode from = before.get(name);
            JsonNode to = after.path(name);
            if (from.equals(to)) {
                continue;
            }
            if (!name.equals("epochs") && !RUN_SETTINGS.contains(name)) {
                throw new IllegalArgumentException(name.replace('_', ' ') + " cannot change on "
                        + "resume: the run in " + runDir + " has " + show(from) + ", found "
                        + show(to));
            }
            changes.put(name, new Change(from, to));
        }
        int epochs = after.path("epochs").asInt();
        if (epochs < epochsTrained) {
            throw new IllegalArgumentException("epochs must be at least the " + epochsTrained
                    + " the run in " + runDir + " has trained, found " + epochs);
        }
        return changes;
    }

    /**
     * Writes {@code config} into the run's {@code config.json} in place of its config, and
     * appends {@code changes} to the document's {@value #EXTENDED} and {@value #CHANGED} lists;
     * nothing when there are no changes.
     *
     * @param step the step the run resumes from
     */
    static void record(Path runDir, Object config, Map<String, Change> changes, long step)
            throws IOException {
        if (changes.isEmpty()) {
            return;
        }
        ObjectNode document = (ObjectNode) Provenance.read(runDir);
        document.set("config", Json.MAPPER.valueToTree(config));
        String time = java.time.Instant.now().toString();
        for (Map.Entry<String, Change> change : changes.entrySet()) {
            ObjectNode entry;
            if (change.getKey().equals("epochs")) {
                entry = array(document, EXTENDED).addObject();
                entry.set("from_epochs", change.getValue().from());
                entry.set("to_epochs", change.getValue().to());
            } else {
                entry = array(document, CHANGED).addObject();
                entry.put("setting", change.getKey());
                entry.set("from", change.getValue().from());
                entry.set("to", change.getValue().to());
            }
            entry.put("at_step", step);
            entry.put("time", time);
        }
        Json.write(runDir.resolve(Provenance.CONFIG_FILE), document);
    }

    private static String show(JsonNode value) {
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static ArrayNode array(ObjectNode document, String name) {
        JsonNode existing = document.get(name);
        return existing instanceof ArrayNode list ? list : document.putArray(name);
    }
}
