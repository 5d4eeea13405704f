package dev.selfsup.examples;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.selfsup.data.DataSplits;
import dev.selfsup.method.Methods;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.Backbones;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.Pretrainer;
import dev.selfsup.train.ProgressListener;
import java.io.IOException;
import java.nio.file.Path;

/** The README's Java example, as code the tests run (ReadmeExamplesTest keeps the two equal). */
final class CustomRunExample {
    private CustomRunExample() {}

    /** Registers the example's backbone and method under their names. */
    static void register() {
        // readme:begin custom-register
        Backbones.register("tiny-cnn", (channels, height, width) -> new Backbone("tiny-cnn",
                new SequentialBlock()
                        .add(Conv2d.builder().setKernelShape(new Shape(3, 3))
                                .optPadding(new Shape(1, 1)).setFilters(32).build())
                        .add(BatchNorm.builder().build())
                        .add(Activation::relu)
                        .add(Pool.globalAvgPool2dBlock()), // (batch, 32, h, w) -> (batch, 32)
                32, new Shape(channels, height, width)));
        Methods.register("hybrid-simclr", "simclr", (backbone, options) -> new HybridSimClr(backbone));
        // readme:end
    }

    /** Trains the example's method on {@code data} into {@code runDir}. */
    static Pretrainer.Result run(DataSplits data, Path runDir) throws IOException {
        // readme:begin custom-run
        PretrainConfig config = PretrainConfig.builder()
                .setMethod("hybrid-simclr")
                .setData(data)                       // any DataSplits, e.g. Datasets.load("shapes", ...)
                .optBackbone("tiny-cnn")
                .optEpochs(3)
                .build();                            // every other setting: the CLI's default
        System.out.println(config.toJson());
        Pretrainer.Result result = new Pretrainer(config, data, ProgressListener.silent())
                .run(runDir, false);                 // checkpoints, metrics.jsonl, report.html
        // readme:end
        return result;
    }
}
