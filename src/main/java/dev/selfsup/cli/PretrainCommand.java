package dev.selfsup.cli;

import dev.selfsup.augment.PatchMask;
import dev.selfsup.augment.ViewRecipes;
import dev.selfsup.data.DataSplits;
import dev.selfsup.data.Datasets;
import dev.selfsup.method.Dino;
import dev.selfsup.method.Methods;
import dev.selfsup.train.PretrainConfig;
import dev.selfsup.train.TextPretrainConfig;
import dev.selfsup.train.Pretrainer;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code selfsup pretrain}: self-supervised pre-training with per-epoch metrics and checkpoints. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Pre-train an encoder without labels; writes metrics.jsonl, config.json, "
                + "checkpoints/ and report.html under --out.")
final class PretrainCommand extends DataCommand {
    @Option(names = "--method", defaultValue = "simclr",
            description = "simclr, tutorial, moco, byol, simsiam, barlow-twins, vicreg, nnclr, dino, "
                    + "ibot (ViT backbones only), "
                    + "or an image pretext task: rotation, colorization (colour data only), "
                    + "inpainting, masked-image, autoencoder, denoising-autoencoder, mae (ViT "
                    + "backbones only) (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--backbone", description = "mlp, resnet18, small-resnet, or a Vision "
            + "Transformer: vit-mini (CPU-sized), vit-tiny or vit-small, patch 4 on images of "
            + "side <= 48, else 16 (default: mlp for tutorial, vit-mini for mae and ibot, "
            + "small-resnet otherwise).")
    String backbone;

    @Option(names = "--recipe", description = "View recipe: simclr, tutorial or crop-flip "
            + "(default: the method's; crop-flip for the pretext tasks).")
    String recipe;

    @Option(names = "--min-crop-scale", description = "Smallest crop, as a fraction of the image "
            + "area, of the simclr and crop-flip recipes (default for simclr: 0.2 on small gray "
            + "images, 0.8 on shapes, else 0.08, the paper's; 0.5 for crop-flip).")
    Double minCropScale;

    @Option(names = "--color-jitter", paramLabel = "STRENGTH", description = "Strength s of the "
            + "simclr recipe's colour jitter: brightness, contrast and saturation 0.8s, hue 0.2s, "
            + "applied with probability 0.8 (default: 2.0 on small gray images, else 0.5, the "
            + "paper's CIFAR-10 setting).")
    Double colorJitter;

    @Option(names = "--rotation", paramLabel = "DEGREES", description = "Add a random rotation "
            + "of up to DEGREES either way to the simclr recipe (default: none).")
    Double rotation;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch-size", description = "Samples per step (default: suited to the "
            + "data: 128 for small gray images and shapes, else 256; text 32).")
    Integer batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw or sgd "
            + "(default: ${DEFAULT-VALUE}; text methods: adamw, the only one they take).")
    String optimizer;

    @Option(names = "--lr", description = "Peak learning rate (default: suited to the data for "
            + "adam and adamw: 2e-3 for small gray images, 5e-3 for shapes, else 1e-3; "
            + "0.06 x batch/256 for sgd, 3e-3 for mlm and text-autoencoder, 1e-3 for nsp, mlm+nsp and "
            + "text-contrastive).")
    Double learningRate;

    @Option(names = "--weight-decay", description = "Default: 1e-6 for adam and adamw, 5e-4 "
            + "for sgd, 0.01 for text methods.")
    Double weightDecay;

    @Option(names = "--temperature", description = "NT-Xent temperature (default: 0.2 on "
            + "shapes and small images, else the method's: simclr 0.5, moco 0.2, nnclr 0.1).")
    Double temperature;

    @Option(names = "--queue-size", description = "Keys in MoCo's memory bank, or projections in "
            + "NNCLR's support queue (default: 4096, MoCo v2's CIFAR setting); at least 2 x "
            + "--batch-size.")
    Integer queueSize;

    @Option(names = "--mask-ratio", description = "Share of the image hidden by inpainting (the "
            + "square's area, default 0.25), masked-image (patches, default 0.6), "
            + "denoising-autoencoder (pixels, default 0.25), mae (patches, default 0.75) and "
            + "ibot (the centre of the share of a masked view's patches its student hides, "
            + "default 0.3: drawn from 0.1 to 0.5, half the views masked); in (0, 1).")
    Double maskRatio;

    @Option(names = "--mask-kind", description = "How ibot places the patches its student "
            + "hides: block (BEiT's blockwise masking, iBOT's) or random (patches chosen "
            + "uniformly); default: block.")
    String maskKind;

    @Option(names = "--precision", paramLabel = "P", description = "fp32, or bf16: the "
            + "backbones' forward passes in bfloat16 (libtorch's CPU autocast; weights, "
            + "optimiser, heads and loss stay float32), on CPUs with bf16 instructions; image "
            + "methods only (default: fp32).")
    String precision;

    @Option(names = "--warmup-epochs", description = "Linear warm-up epochs, a fraction allowed "
            + "(default: 1 when epochs > 1, else 0.1 on a vit-* backbone and 0 on the others; "
            + "text methods: a tenth of the steps, but at least 150 and at most a third of the "
            + "run).")
    Double warmupEpochs;

    @Option(names = "--seed", defaultValue = "0", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", description = "libtorch compute threads (default: all cores).")
    Integer threads;

    @Option(names = "--workers", defaultValue = "1", description = "Augmentation threads "
            + "(default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--eval-every", defaultValue = "1", description = "Run the kNN monitor every "
            + "N epochs, and after the last (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "2", description = "Newest checkpoints "
            + "to keep (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<method>).")
    Path out;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from "
            + "its newest complete checkpoint: its config.json decides every setting but "
            + "--epochs (train on to N epochs, on the cosine schedule of an N-epoch run from "
            + "here, the warm-up as long as it was), --threads, --keep-checkpoints, and for "
            + "image runs --workers and --eval-every; any other option is refused.")
    Path resume;

    @Option(names = "--config", paramLabel = "FILE", description = "Settings from a YAML or "
            + "JSON file: the keys of the \"config\" object of a run's config.json, or a whole "
            + "config.json; an option given here wins over the file.")
    Path configFile;

    @Option(names = "--print-config", description = "Print the resolved config as JSON, every "
            + "default filled in, and exit without training.")
    boolean printConfig;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (resume != null && (configFile != null || printConfig)) {
            throw new IllegalArgumentException("--resume takes every setting from the run's "
                    + "config.json; --config and --print-config are for a new run");
        }
        ConfigFile file = configFile != null ? ConfigFile.read(configFile) : ConfigFile.none();
        text.fromFile = file.applyTo(spec);
        try {
            return run();
        } catch (IllegalArgumentException e) {
            throw file.explain(e);
        }
    }

    private Integer run() throws Exception {
        if (out != null) {
            checkDirectory("--out", out);
        }
        // a resumed run is a text run when its config.json says so, whatever --data is
        if (resume != null ? TextPretrainConfig.isTextRun(resume) : textData()) {
            return TextCommands.pretrain(this);
        }
        PretrainConfig config;
        Path runDir;
        DataSplits splits;
        if (resume != null) {
            config = ResumeOptions.resumed(this, PretrainConfig.readFrom(resume));
            if (ResumeOptions.complete(resume, config.epochs())) {
                return 0;
            }
            runDir = resume;
            splits = Datasets.load(config.data(), config.dataOptions());
        } else {
            checkOptions(); // before loading the data: a wrong option fails at once
            splits = Datasets.load(data.data, data.options());
            PretrainConfig.Builder builder = builder(splits);
            config = builder.build();
            runDir = out != null ? out : Path.of("runs", method);
            if (printConfig) {
                System.err.println(builder.describeDefaults());
                return ConfigFile.print(config);
            }
            System.out.println(builder.describeDefaults());
        }
        System.out.printf("%s on %s (%s, %d train / %d test), backbone %s, %d epochs, batch %d%n",
                config.method(), config.data(), splits.shapeDescription(), splits.train().size(),
                splits.test().size(), config.backbone(), config.epochs(), config.batchSize());
        Pretrainer.Result result;
        try (ConsoleProgress progress = new ConsoleProgress(System.out)) {
            result = new Pretrainer(config, splits, progress).run(runDir, resume != null);
        }
        System.out.printf("done in %.1f s: %s (report: %s)%n", result.trainSeconds(),
                result.checkpoint(), runDir.resolve("report.html"));
        return 0;
    }

    /**
     * Refuses a directory option that names a file, or lies under one, before any work starts.
     *
     * @throws IllegalArgumentException naming the option and the file in the way
     */
    static void checkDirectory(String option, Path directory) {
        for (Path at = directory.toAbsolutePath(); at != null; at = at.getParent()) {
            if (Files.exists(at)) {
                if (!Files.isDirectory(at)) {
                    throw new IllegalArgumentException(option + " " + directory + ": " + at
                            + " is a file, not a directory");
                }
                return;
            }
        }
    }

    /** Refuses an unknown method and options that do not apply to it. */
    void checkOptions() {
        if (!Methods.names().contains(method)) {
            throw new IllegalArgumentException("--method must be one of " + Methods.names()
                    + ", found '" + method + "'");
        }
        if (temperature != null && !Methods.usesTemperature(method)) {
            throw new IllegalArgumentException("--temperature does not apply to " + method);
        }
        if (queueSize != null && !Methods.usesQueue(method)) {
            throw new IllegalArgumentException("--queue-size does not apply to " + method);
        }
        String effectiveRecipe = recipe != null ? recipe : Methods.defaultRecipe(method);
        if (colorJitter != null && !ViewRecipes.SIMCLR.equals(effectiveRecipe)) {
            throw new IllegalArgumentException("--color-jitter applies to the simclr recipe, not "
                    + "to " + effectiveRecipe);
        }
        if (maskRatio != null && !Methods.MASKING_TASKS.contains(method)) {
            throw new IllegalArgumentException("--mask-ratio applies to "
                    + String.join(", ", Methods.MASKING_TASKS) + ", not to " + method);
        }
        if (maskKind != null) {
            if (!Dino.IBOT_NAME.equals(method)) {
                throw new IllegalArgumentException("--mask-kind applies to " + Dino.IBOT_NAME
                        + ", not to " + method);
            }
            PatchMask.Kind.byName(maskKind);
        }
    }

    /**
     * The options as a {@link PretrainConfig.Builder} over {@code splits}: the options given
     * (on the command line or in the --config file) set, the rest left to the builder's
     * defaults, which are the CLI's.
     */
    PretrainConfig.Builder builder(DataSplits splits) {
        PretrainConfig.Builder builder = PretrainConfig.builder()
                .setMethod(method)
                .setData(splits)
                .optDataOptions(data.options())
                .optBackbone(backbone)
                .optRecipe(recipe)
                .optRotationDegrees(rotation)
                .optEpochs(epochs)
                .optOptimizer(optimizer)
                .optSeed(seed)
                .optWorkers(workers)
                .optEvalEvery(evalEvery)
                .optKeepCheckpoints(keepCheckpoints)
                .optQueueSize(queueSize);
        if (maskRatio != null) {
            builder.optMaskRatio(maskRatio);
        }
        if (maskKind != null) {
            builder.optMaskKind(maskKind);
        }
        if (precision != null) {
            builder.optPrecision(precision);
        }
        if (text.given("--min-crop-scale")) {
            builder.optMinCropScale(minCropScale);
        }
        if (text.given("--color-jitter")) {
            builder.optColorJitterStrength(colorJitter);
        }
        if (batchSize != null) {
            builder.optBatchSize(batchSize);
        }
        if (learningRate != null) {
            builder.optLearningRate(learningRate);
        }
        if (weightDecay != null) {
            builder.optWeightDecay(weightDecay);
        }
        if (temperature != null) {
            builder.optTemperature(temperature);
        }
        if (warmupEpochs != null) {
            builder.optWarmupEpochs(warmupEpochs);
        }
        if (threads != null) {
            builder.optThreads(threads);
        }
        return builder;
    }
}
