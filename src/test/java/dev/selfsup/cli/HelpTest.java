package dev.selfsup.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command's help renders without a picocli warning (an unescaped % in a description). */
class HelpTest {
    private static void collect(CommandLine command, List<String> path, List<List<String>> out) {
        out.add(path);
        for (var sub : command.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandSpec().userObject() instanceof CommandLine.HelpCommand
                    || !sub.getKey().equals(sub.getValue().getCommandName())) {
                continue; // the help command itself, and aliases
            }
            List<String> next = new ArrayList<>(path);
            next.add(sub.getKey());
            collect(sub.getValue(), next, out);
        }
    }

    @Test
    void everyCommandsHelpPrintsWithoutWarnings() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(new Main()), List.of(), commands);
        assertThat(commands).contains(List.of("pretrain"), List.of("bench", "train"));
        for (List<String> command : commands) {
            List<String> args = new ArrayList<>(command);
            args.add("--help");
            CliTest.Run run = CliTest.run(args.toArray(String[]::new));
            assertThat(run.code()).as(String.join(" ", args)).isZero();
            assertThat(run.out()).as(String.join(" ", args)).startsWith("Usage: selfsup");
            assertThat(run.out() + run.err()).as(String.join(" ", args))
                    .doesNotContain("picocli WARN").doesNotContain("Could not format");
        }
    }
}
