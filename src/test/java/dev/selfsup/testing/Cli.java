package dev.selfsup.testing;

import dev.selfsup.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs the CLI in this JVM with its standard output and error captured. {@code System.out} and
 * {@code System.err} are global, so runs are serialised on this class: a test in another class
 * that swapped the streams at the same time would steal the output.
 */
public final class Cli {
    /** A finished command: its exit code and what it printed. */
    public record Run(int code, String out, String err) {}

    private Cli() {}

    /** Runs {@code selfsup ARGS} and returns its exit code and output. */
    public static synchronized Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
