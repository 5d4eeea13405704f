package dev.selfsup.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.selfsup.train.Provenance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code selfsup} command line: a thin face over the library. */
@Command(name = "selfsup",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Self-supervised representation learning for the JVM.",
        subcommands = {DemoCommand.class, PretrainCommand.class, EvalCommand.class,
            EmbedCommand.class, IndexCommands.Index.class, IndexCommands.Search.class,
            IndexCommands.Duplicates.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Show library logs and full stack traces.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a command is required: demo, pretrain, eval, embed (see selfsup --help)");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the CLI and returns its exit code (0 ok, 1 failure, 2 usage error). */
    public static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionStrategy(parseResult -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--verbose"));
            setVerbose(verbose);
            return new CommandLine.RunLast().execute(parseResult);
        });
        commandLine.setExecutionExceptionHandler((exception, cmd, parseResult) -> {
            PrintWriter err = cmd.getErr();
            boolean verbose = parseResult.hasMatchedOption("--verbose")
                    || parseResult.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--verbose"));
            if (verbose) {
                exception.printStackTrace(err);
            }
            err.println("selfsup: error: " + describe(exception));
            err.flush();
            return 1;
        });
        commandLine.setParameterExceptionHandler((exception, arguments) -> {
            CommandLine command = exception.getCommandLine();
            PrintWriter err = command.getErr();
            err.println("selfsup: error: " + exception.getMessage());
            String nearest = nearestOption(exception);
            if (nearest != null) {
                err.println("did you mean '" + nearest + "'?");
            } else {
                CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
            }
            err.println("(see " + command.getCommandSpec().qualifiedName() + " --help)");
            err.flush();
            return command.getCommandSpec().exitCodeOnInvalidInput();
        });
        return commandLine.execute(args);
    }

    /** The option nearest the first unknown one, or null when no unknown option was given. */
    static String nearestOption(CommandLine.ParameterException exception) {
        if (!(exception instanceof CommandLine.UnmatchedArgumentException unmatched)) {
            return null;
        }
        return unmatched.getUnmatched().stream().filter(arg -> arg.startsWith("-")).findFirst()
                .map(arg -> NearestName.in(arg.split("=", 2)[0],
                        exception.getCommandLine().getCommandSpec().optionsMap().keySet()))
                .orElse(null);
    }

    /** One line that says what went wrong. */
    static String describe(Throwable exception) {
        Throwable cause = exception;
        if (cause instanceof UncheckedIOException unchecked) {
            cause = unchecked.getCause();
        }
        if (cause instanceof java.nio.file.NoSuchFileException missing) {
            return missing.getFile() + ": "
                    + (missing.getReason() != null ? missing.getReason() : "no such file");
        }
        if (cause instanceof java.nio.file.AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            message = cause.getClass().getSimpleName();
        }
        if (cause instanceof IOException || cause instanceof IllegalArgumentException
                || cause instanceof dev.selfsup.train.TrainingDivergedException) {
            return message;
        }
        return cause.getClass().getSimpleName() + ": " + message;
    }

    static void setVerbose(boolean verbose) {
        Logger djl = (Logger) LoggerFactory.getLogger("ai.djl");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        djl.setLevel(verbose ? Level.INFO : Level.ERROR);
        root.setLevel(verbose ? Level.INFO : Level.WARN);
    }

    /** Prints selfsup's and its engine's versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return Provenance.versions().entrySet().stream()
                    .map(e -> e.getKey() + " " + e.getValue())
                    .toArray(String[]::new);
        }
    }
}
