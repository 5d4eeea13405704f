package dev.selfsup.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A command that reads a data set, image or text: the {@link DataOptions} and
 * {@link TextOptions} that pretrain, eval, embed and index share.
 */
@Command
abstract class DataCommand implements Callable<Integer> {
    @Mixin
    DataOptions data = new DataOptions();

    @Mixin
    TextOptions text = new TextOptions();

    /** Whether {@code --data} names text data ({@code text:PATH} or {@code labeled-text:DIR}). */
    boolean textData() {
        return TextOptions.isText(data.data);
    }
}
