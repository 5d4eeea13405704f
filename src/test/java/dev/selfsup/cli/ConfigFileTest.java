package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.data.Datasets;
import dev.selfsup.data.text.TextFiles;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.util.Json;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** The keys a config file takes are those of config.json, each standing for a pretrain option. */
class ConfigFileTest {
    /** The keys a config is written to config.json with, data_options' as data_options.NAME. */
    private static Set<String> jsonKeys(Object config) {
        JsonNode node = Json.MAPPER.valueToTree(config);
        Set<String> keys = new TreeSet<>();
        node.properties().forEach(entry -> {
            if (entry.getValue().isObject()) {
                entry.getValue().properties().forEach(o -> keys.add(entry.getKey() + "." + o.getKey()));
            } else {
                keys.add(entry.getKey());
            }
        });
        return keys;
    }

    @Test
    void everyKeyOfConfigJsonStandsForAnOptionOfPretrain() {
        PretrainConfig image = new PretrainConfig("simclr", "mlp", "shapes",
                Datasets.Options.defaults(), "simclr", null, null, 1, 2, "adam", 1e-3, 0, null, 0,
                0, 1, 1, 1, 1);
        TextPretrainConfig text = new TextPretrainConfig("mlm", "text:corpus", 100, 16, 1, 2, 24,
                0.1f, 1, 16, 1e-3, 0.01, null, 0, 1, null, null, 16, 1,
                TextFiles.Utf8Errors.STRICT, 1000);
        assertThat(ConfigFile.IMAGE_KEYS.keySet()).containsExactlyInAnyOrderElementsOf(jsonKeys(image));
        assertThat(ConfigFile.TEXT_KEYS.keySet()).containsExactlyInAnyOrderElementsOf(jsonKeys(text));
        CommandSpec pretrain = new CommandLine(new PretrainCommand()).getCommandSpec();
        Stream.concat(ConfigFile.IMAGE_KEYS.values().stream(), ConfigFile.TEXT_KEYS.values().stream())
                .forEach(option -> assertThat(pretrain.findOption(option)).as(option).isNotNull());
    }

    @Test
    void theNearestKeyIsTheFewestEditsAway() {
        assertThat(NearestName.editDistance("kitten", "sitting")).isEqualTo(3);
        assertThat(NearestName.editDistance("", "abc")).isEqualTo(3);
        assertThat(NearestName.editDistance("same", "same")).isZero();
        assertThat(NearestName.in("temprature", ConfigFile.IMAGE_KEYS.keySet()))
                .isEqualTo("temperature");
        assertThat(NearestName.in("batchsize", ConfigFile.IMAGE_KEYS.keySet()))
                .isEqualTo("batch_size");
        assertThat(NearestName.in("Epoch", ConfigFile.TEXT_KEYS.keySet())).isEqualTo("epochs");
        assertThat(NearestName.in("data_options.trainsize", ConfigFile.IMAGE_KEYS.keySet()))
                .isEqualTo("data_options.trainSize");
    }
}
