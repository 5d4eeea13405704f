package dev.selfsup.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.testing.RandomValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddingIndexTest {
    private static final int DIM = 16;

    private static List<EmbeddingIndex.Entry> entries(int count) {
        List<EmbeddingIndex.Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            entries.add(new EmbeddingIndex.Entry("train/" + i, i % 3, null,
                    RandomValues.gaussian(DIM, i)));
        }
        return entries;
    }

    private static EmbeddingIndex.Info info() {
        return new EmbeddingIndex.Info("runs/x", "shapes", "train", Map.of("modality", "image"));
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    @Test
    void searchFindsTheNearestByCosineAndAgreesWithExactSearch(@TempDir Path dir) throws IOException {
        List<EmbeddingIndex.Entry> entries = entries(600);
        Path path = dir.resolve("index");
        EmbeddingIndex.write(path, info(), entries);
        try (EmbeddingIndex index = EmbeddingIndex.open(path)) {
            assertThat(index.size()).isEqualTo(600);
            assertThat(index.dim()).isEqualTo(DIM);
            assertThat(index.info()).isEqualTo(info());
            float[] query = RandomValues.gaussian(DIM, 9999);
            List<EmbeddingIndex.Hit> exact = index.exactSearch(query, 10);
            // exact search against a plain loop over the entries
            List<EmbeddingIndex.Entry> sorted = new ArrayList<>(entries);
            sorted.sort((a, b) -> Double.compare(cosine(query, b.vector()), cosine(query, a.vector())));
            for (int i = 0; i < 10; i++) {
                assertThat(exact.get(i).id()).isEqualTo(sorted.get(i).id());
                assertThat(exact.get(i).cosine())
                        .isCloseTo(cosine(query, sorted.get(i).vector()), within(1e-5));
                assertThat(exact.get(i).label()).isEqualTo(sorted.get(i).label());
            }
            List<EmbeddingIndex.Hit> graph = index.search(query, 10);
            assertThat(graph.get(0).id()).isEqualTo(exact.get(0).id());
            assertThat(graph.get(0).cosine()).isCloseTo(exact.get(0).cosine(), within(1e-5));
            assertThat(index.recall(10, 100, 1)).isGreaterThan(0.95);
            // an item finds itself first
            EmbeddingIndex.Hit self = index.search(index.vector("train/42"), 1).get(0);
            assertThat(self.id()).isEqualTo("train/42");
            assertThat(self.cosine()).isCloseTo(1.0, within(1e-5));
        }
    }

    @Test
    void nearDuplicatesAreThePlantedPairs(@TempDir Path dir) throws IOException {
        List<EmbeddingIndex.Entry> entries = entries(300);
        float[] twin = entries.get(7).vector().clone();
        twin[0] += 0.01f;
        entries.add(new EmbeddingIndex.Entry("copy/7", 1, null, twin));
        float[] scaled = entries.get(100).vector().clone();
        for (int i = 0; i < DIM; i++) {
            scaled[i] *= 3; // the same direction: cosine 1
        }
        entries.add(new EmbeddingIndex.Entry("copy/100", 1, null, scaled));
        Path path = dir.resolve("index");
        EmbeddingIndex.write(path, info(), entries);
        try (EmbeddingIndex index = EmbeddingIndex.open(path)) {
            List<EmbeddingIndex.Pair> pairs = index.nearDuplicates(0.99, 5);
            assertThat(pairs).extracting(p -> p.first() + " " + p.second())
                    .containsExactlyInAnyOrder("train/7 copy/7", "train/100 copy/100");
            assertThat(pairs.get(0).cosine()).isGreaterThanOrEqualTo(pairs.get(1).cosine());
        }
    }

    @Test
    void textsAreStoredWithTheirItems(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("index");
        EmbeddingIndex.write(path, info(), List.of(
                new EmbeddingIndex.Entry("test/0", -1, "a cat", new float[] {1, 0}),
                new EmbeddingIndex.Entry("test/1", -1, "a dog", new float[] {0.9f, 0.1f}),
                new EmbeddingIndex.Entry("test/2", -1, "taxes", new float[] {0, 1})));
        try (EmbeddingIndex index = EmbeddingIndex.open(path)) {
            List<EmbeddingIndex.Hit> hits = index.exactSearch(new float[] {1, 0.05f}, 2);
            assertThat(hits).extracting(EmbeddingIndex.Hit::text).containsExactly("a cat", "a dog");
            assertThat(hits.get(0).label()).isEqualTo(-1);
        }
    }

    @Test
    void badInputsAreRefusedAndLeaveNothingHalfWritten(@TempDir Path dir) throws IOException {
        Path path = dir.resolve("index");
        List<EmbeddingIndex.Entry> withZero = new ArrayList<>(entries(5));
        withZero.add(new EmbeddingIndex.Entry("train/zero", 0, null, new float[DIM]));
        assertThatThrownBy(() -> EmbeddingIndex.write(path, info(), withZero))
                .hasMessageContaining("train/zero").hasMessageContaining("all zero");
        assertThat(path).doesNotExist();
        try (var listing = Files.list(dir)) {
            assertThat(listing).isEmpty(); // the partial folder is gone too
        }
        List<EmbeddingIndex.Entry> mixed = new ArrayList<>(entries(2));
        mixed.add(new EmbeddingIndex.Entry("train/short", 0, null, new float[] {1, 2}));
        assertThatThrownBy(() -> EmbeddingIndex.write(path, info(), mixed))
                .hasMessageContaining("'train/short' has 2");
        List<EmbeddingIndex.Entry> twice = new ArrayList<>(entries(2));
        twice.add(entries(1).get(0));
        assertThatThrownBy(() -> EmbeddingIndex.write(path, info(), twice))
                .hasMessageContaining("'train/0' twice");

        EmbeddingIndex.write(path, info(), entries(20));
        assertThatThrownBy(() -> EmbeddingIndex.write(path, info(), entries(20)))
                .hasMessageContaining("already holds files");
        try (EmbeddingIndex index = EmbeddingIndex.open(path)) {
            assertThatThrownBy(() -> index.search(new float[3], 5))
                    .hasMessageContaining("must have 16 values").hasMessageContaining("found 3");
            assertThatThrownBy(() -> index.vector("test/5")).hasMessageContaining("no item 'test/5'");
        }
        Path notIndex = Files.createDirectories(dir.resolve("plain"));
        Files.writeString(notIndex.resolve("notes.txt"), "hello");
        assertThatThrownBy(() -> EmbeddingIndex.open(notIndex))
                .hasMessageContaining("not a selfsup index");
        assertThatThrownBy(() -> EmbeddingIndex.open(dir.resolve("missing")))
                .hasMessageContaining("no such index folder");
    }
}
