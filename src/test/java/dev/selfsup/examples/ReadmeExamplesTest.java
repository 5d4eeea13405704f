package dev.selfsup.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Java code in README.md is the code the tests run: every region between
 * {@code // readme:begin NAME} and {@code // readme:end} in this package's sources appears in the
 * README verbatim (less its indentation), and the README shows no Java block that is not one of
 * them.
 */
class ReadmeExamplesTest {
    private static final Path SOURCES = Path.of("src/test/java/dev/selfsup/examples");
    private static final Pattern REGION = Pattern.compile(
            "// readme:begin ([a-z-]+)\\n(.*?)\\n\\s*// readme:end", Pattern.DOTALL);
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    @Test
    void readmeJavaBlocksAreTheTestedExamples() throws IOException {
        List<String> regions = new ArrayList<>();
        for (String file : List.of("HybridSimClr.java", "CustomRunExample.java")) {
            Matcher m = REGION.matcher(Files.readString(SOURCES.resolve(file), StandardCharsets.UTF_8));
            while (m.find()) {
                regions.add(dedent(m.group(2)));
            }
        }
        assertThat(regions).hasSize(3);
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        StringBuilder shown = new StringBuilder();
        Matcher blocks = JAVA_BLOCK.matcher(readme);
        while (blocks.find()) {
            shown.append(blocks.group(1));
        }
        for (String region : regions) {
            assertThat(shown.toString()).contains(region);
        }
        int regionLines = regions.stream().mapToInt(r -> (int) r.lines().count()).sum();
        assertThat(shown.toString().lines().filter(l -> !l.isBlank()).count())
                .as("README Java lines that are not tested code")
                .isEqualTo(regions.stream().flatMap(String::lines).filter(l -> !l.isBlank()).count());
        assertThat(regionLines).isPositive();
    }

    /** The region with its common leading indentation removed. */
    static String dedent(String region) {
        List<String> lines = region.lines().toList();
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            out.append(line.isBlank() ? "" : line.substring(indent)).append('\n');
        }
        return out.toString();
    }
}
