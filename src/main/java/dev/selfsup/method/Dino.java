package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.PatchMask;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.loss.DinoLoss;
import dev.selfsup.nn.DinoHead;
import dev.selfsup.nn.MaskToken;
import dev.selfsup.nn.MomentumEncoder;
import dev.selfsup.nn.RunningCenter;
import dev.selfsup.nn.VisionTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * DINO, self-distillation with no labels (Caron et al. 2021, https://arxiv.org/abs/2104.14294):
 * a student network (backbone + {@link DinoHead}) learns to match, on every other view (two
 * global views and {@value #DEFAULT_LOCAL_CROPS} small local ones: multi-crop), the output
 * distribution of a teacher that is its momentum (EMA) copy and sees the global views only; the
 * teacher's outputs are centred ({@link RunningCenter}) and sharpened (a low temperature warmed
 * up from 0.04 to 0.07) so that neither one dimension nor the uniform distribution wins
 * ({@link DinoLoss}). Works on
 * ResNet and ViT backbones; on a ViT, the pictures are the class token's attention maps per
 * head, the figure DINO is known for.
 *
 * <p>Collapse shows in {@link #epochDiagnostics}: {@code teacher_entropy} near
 * {@code log(K)} (uniform) or near 0 (one dimension), with {@code student_teacher_kl} near 0.
 */
public final class Dino extends MomentumMethod {
    /** The CLI name. */
    public static final String NAME = "dino";
    /** The CLI name of DINO with iBOT's masked-patch self-distillation. */
    public static final String IBOT_NAME = "ibot";
    /**
     * Centre of the share of a masked global view's patches the iBOT student sees masked: iBOT
     * draws it from 0.1-0.5 ({@link PatchMask#ibot}).
     */
    public static final double DEFAULT_IBOT_MASK_RATIO = PatchMask.IBOT_RATIO;
    /** The paper's teacher momentum at the start of the cosine schedule to 1. */
    public static final double DEFAULT_BASE_MOMENTUM = 0.996;
    /** The teacher temperature at the start of its warm-up. */
    public static final double DEFAULT_WARMUP_TEACHER_TEMPERATURE = 0.04;
    /** The teacher temperature after the warm-up. */
    public static final double DEFAULT_TEACHER_TEMPERATURE = 0.07;
    /**
     * Share of the run the teacher temperature warms up over: the paper's 30 epochs of 100 to
     * 300, as a share so that short runs warm up too.
     */
    public static final double DEFAULT_WARMUP_FRACTION = 0.3;
    /** Local views per sample, lightly's multi-crop default (the paper's ViT runs use 10). */
    public static final int DEFAULT_LOCAL_CROPS = 6;
    /** Local view side as a share of the global one: the paper's 96 of 224. */
    public static final double LOCAL_CROP_SIDE = 96.0 / 224;

    private final DinoLoss loss;
    private final RunningCenter center;
    private final double baseMomentum;
    private final double centerMomentum;
    private final double warmupTeacherTemperature;
    private final double teacherTemperature;
    private final double warmupFraction;
    private final int localCrops;
    private final PatchMask patchMask;
    private final MaskToken maskToken;
    private final RunningCenter patchCenter;
    private double currentTeacherTemperature;
    private double patchKlSum;
    private double entropySum;
    private double klSum;
    private int measuredSteps;

    private Dino(Builder builder, PatchMask patchMask, DinoHead head, DinoHead targetHead) {
        super(patchMask != null ? IBOT_NAME : NAME, builder.backbone, builder.targetBackbone,
                head, targetHead);
        loss = new DinoLoss(builder.studentTemperature);
        center = model().addPart("center", new RunningCenter(head.outputDim()),
                new Shape(1, head.outputDim()));
        this.patchMask = patchMask;
        if (patchMask != null) {
            int dim = builder.backbone.featureDim();
            maskToken = model().addPart("mask_token", new MaskToken(dim), new Shape(1, 1, dim));
            patchCenter = model().addPart("patch_center", new RunningCenter(head.outputDim()),
                    new Shape(1, head.outputDim()));
        } else {
            maskToken = null;
            patchCenter = null;
        }
        baseMomentum = builder.baseMomentum;
        centerMomentum = builder.centerMomentum;
        warmupTeacherTemperature = builder.warmupTeacherTemperature;
        teacherTemperature = builder.teacherTemperature;
        warmupFraction = builder.warmupFraction;
        localCrops = builder.localCrops;
        currentTeacherTemperature = warmupTeacherTemperature;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The teacher temperature at step {@code step} of {@code totalSteps}: linear from the
     * warm-up value to the final one over the first {@code warmupFraction} of the steps (an
     * open-ended run, {@link Long#MAX_VALUE} steps, has no warm-up).
     */
    public double teacherTemperature(long step, long totalSteps) {
        double warmupSteps = warmupFraction * totalSteps;
        if (totalSteps == Long.MAX_VALUE || step >= warmupSteps) {
            return teacherTemperature;
        }
        return warmupTeacherTemperature
                + (teacherTemperature - warmupTeacherTemperature) * step / warmupSteps;
    }

    /** iBOT's mask over the global views' patches; none for DINO. */
    @Override
    public Optional<PatchMask> patchMask() {
        return Optional.ofNullable(patchMask);
    }

    @Override
    public int localViewCount() {
        return localCrops;
    }

    /**
     * {@value #LOCAL_CROP_SIDE} of the global side, in whole patches on a ViT (else multiples of
     * 4), at least two of them: 12 for 28- and 32-pixel images.
     */
    @Override
    public int localViewSize(int globalSide) {
        int unit = backbone().block() instanceof VisionTransformer vit ? vit.config().patch() : 4;
        int size = Math.max(2, (int) Math.round(globalSide * LOCAL_CROP_SIDE / unit)) * unit;
        if (size >= globalSide) {
            throw new IllegalArgumentException("local views of " + size + " pixels would not be "
                    + "smaller than the " + globalSide + "-pixel global ones; use no local crops");
        }
        return size;
    }

    /** The center of the teacher's outputs. */
    public RunningCenter center() {
        return center;
    }

    @Override
    public void beforeStep(long step, long totalSteps) {
        currentTeacherTemperature = teacherTemperature(step, totalSteps);
    }

    @Override
    public NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training) {
        center.stage(null);
        if (patchCenter != null) {
            patchCenter.stage(null);
        }
        Outputs outputs = patchMask != null ? maskedOutputs(parameterStore, batch, training)
                : new Outputs(project(parameterStore, batch, training),
                        targetProject(parameterStore, batch, training), null);
        NDArray student = outputs.student(); // (2N, K)
        NDArray teacher = outputs.teacher(); // (2N, K), detached
        NDArray centre = center.value(); // (1, K), frozen
        // borrow the center for the step, so that what is computed from it is freed with it
        student.getManager().tempAttachAll(centre);
        List<NDArray> teachers = List.of(batch.view(teacher, 0), batch.view(teacher, 1));
        List<NDArray> students = new ArrayList<>(
                List.of(batch.view(student, 0), batch.view(student, 1)));
        if (batch.localImages() != null) {
            // the student alone sees the local views, at their own size
            NDArray local = project(parameterStore, batch.localImages(), training); // (L*N, K)
            for (int v = 0; v < batch.localViewCount(); v++) {
                students.add(batch.view(local, v));
            }
        }
        NDArray value = loss.compute(teachers, students, centre, currentTeacherTemperature);
        NDArray patchLoss = null;
        if (outputs.patches() != null) {
            Patches patches = outputs.patches();
            NDArray patchCentre = patchCenter.value();
            student.getManager().tempAttachAll(patchCentre);
            patchLoss = loss.maskedPatches(patches.teacher(), patches.student(), patches.hidden(),
                    patchCentre, currentTeacherTemperature);
            if (training) {
                long k = patches.teacher().getShape().get(2);
                patchCenter.stage(patches.teacher().reshape(-1, k).mean(new int[] {0}, true));
            }
        }
        if (training) {
            center.stage(teacher.mean(new int[] {0}, true)); // (1, K)
            NDArray probabilities = DinoLoss.teacherProbabilities(teacher, centre,
                    currentTeacherTemperature); // (2N, K)
            double entropy = probabilities.mul(probabilities.add(1e-12f).log()).sum(new int[] {1})
                    .neg().mean().getFloat();
            entropySum += entropy;
            // each teacher view meets every other student view once: the mean cross-entropy
            // minus the teacher's mean entropy is the mean KL(teacher || student)
            klSum += value.getFloat() - entropy;
            if (patchLoss != null) {
                Patches patches = outputs.patches();
                patchKlSum += patchLoss.getFloat() - DinoLoss.maskedPatchEntropy(patches.teacher(),
                        patches.hidden(), patchCenter.value(), currentTeacherTemperature).getFloat();
            }
            measuredSteps++;
        }
        return patchLoss == null ? value : value.add(patchLoss);
    }

    /** The class-token outputs of student and teacher, and iBOT's patch outputs (or null). */
    private record Outputs(NDArray student, NDArray teacher, Patches patches) {}

    /**
     * iBOT's patch outputs: teacher {@code (2N, patches, K)} detached, student likewise, and the
     * student's mask {@code (2N, patches)}.
     */
    private record Patches(NDArray teacher, NDArray student, NDArray hidden) {}

    /**
     * iBOT's forward: the student sees its global views with the patches of the batch's masks
     * ({@link ViewBatch#masks()}, drawn by the loader from {@link #patchMask}) replaced by the
     * mask token; the teacher sees them whole. Both heads map the class token and every patch
     * token.
     *
     * @throws IllegalArgumentException when the batch has no masks of {@code (2N, patches)}
     */
    private Outputs maskedOutputs(ParameterStore parameterStore, ViewBatch batch,
            boolean training) {
        NDArray images = batch.images(); // (2N, C, H, W)
        NDManager step = images.getManager();
        VisionTransformer student = (VisionTransformer) backbone().block();
        Shape expected = new Shape(images.getShape().get(0), student.config().patchCount());
        NDArray hidden = batch.masks(); // (2N, patches), 1 where hidden
        if (hidden == null || !hidden.getShape().equals(expected)) {
            throw new IllegalArgumentException("ibot's batches need the student's patch masks "
                    + expected + " (ViewBatch.masks(), drawn from patchMask() by the loader), "
                    + "found " + (hidden == null ? "none" : hidden.getShape()));
        }
        NDArray token = maskToken.value(parameterStore, images, training); // (1, 1, D)
        NDArray encoded = model().inBackbonePrecision(() -> student.encode(parameterStore,
                student.maskedPatchTokens(parameterStore, images, hidden, token, training),
                training)); // (2N, 1 + P, D)
        TokenOutputs studentOutputs = heads(parameterStore, projectionHead(), encoded, training);
        TokenOutputs teacherOutputs;
        // the teacher's activations are not needed for backward: a scratch manager frees them
        try (NDManager scratch = step.newSubManager()) {
            scratch.tempAttachAll(images);
            VisionTransformer teacher = (VisionTransformer) targetBackbone();
            NDArray teacherEncoded = model().inBackbonePrecision(() -> teacher.encode(
                    parameterStore, teacher.patchTokens(parameterStore, images, training),
                    training));
            TokenOutputs raw = heads(parameterStore, targetProjectionHead(), teacherEncoded,
                    training);
            teacherOutputs = new TokenOutputs(raw.classToken().stopGradient(),
                    raw.patches().stopGradient());
            teacherOutputs.classToken().attach(step);
            teacherOutputs.patches().attach(step);
        }
        return new Outputs(studentOutputs.classToken(), teacherOutputs.classToken(),
                new Patches(teacherOutputs.patches(), studentOutputs.patches(), hidden));
    }

    /** A head's outputs on the class token {@code (rows, K)} and on every patch {@code (rows, P, K)}. */
    private record TokenOutputs(NDArray classToken, NDArray patches) {}

    private static TokenOutputs heads(ParameterStore parameterStore, ai.djl.nn.Block head,
            NDArray encoded, boolean training) {
        long rows = encoded.getShape().get(0);
        long tokens = encoded.getShape().get(1);
        long dim = encoded.getShape().get(2);
        NDArray all = head.forward(parameterStore,
                new NDList(encoded.reshape(rows * tokens, dim)), training).singletonOrThrow(); // (rows * (1 + P), K)
        NDArray byToken = all.reshape(rows, tokens, -1); // (rows, 1 + P, K)
        return new TokenOutputs(byToken.get(new NDIndex(":, 0, :")),
                byToken.get(new NDIndex(":, 1:, :")));
    }

    /** Moves the teacher towards the student, then the center towards this step's mean. */
    @Override
    public void afterStep(long step, long totalSteps) {
        momentumEncoder().update(
                MomentumEncoder.cosineMomentum(baseMomentum, 1.0, step, totalSteps));
        center.updateStaged(centerMomentum);
        if (patchCenter != null) {
            patchCenter.updateStaged(centerMomentum);
        }
    }

    /**
     * {@code teacher_entropy} (nats; the uniform distribution has {@code log K}),
     * {@code student_teacher_kl} (nats) and the {@code teacher_temperature} of the last step,
     * means over the training steps since the last call.
     */
    @Override
    public Map<String, Double> epochDiagnostics() {
        Map<String, Double> diagnostics = new LinkedHashMap<>();
        if (measuredSteps > 0) {
            diagnostics.put("teacher_entropy", entropySum / measuredSteps);
            diagnostics.put("student_teacher_kl", klSum / measuredSteps);
            diagnostics.put("teacher_temperature", currentTeacherTemperature);
            if (patchMask != null) {
                diagnostics.put("masked_patch_kl", patchKlSum / measuredSteps);
            }
        }
        patchKlSum = 0;
        entropySum = 0;
        klSum = 0;
        measuredSteps = 0;
        return diagnostics;
    }

    /**
     * On a ViT backbone: each image, then the class token's attention over the patches in the
     * last layer for every head (brighter: more attention), scaled to each map's maximum.
     * Nothing on other backbones.
     */
    @Override
    public Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        if (!(backbone().block() instanceof VisionTransformer vit)) {
            return Optional.empty();
        }
        return Optional.of(attentionSheet(vit, parameterStore, images, stats, name()));
    }

    /** The attention-map sheet of {@link #pictures}, for any method on a ViT. */
    static PictureSheet attentionSheet(VisionTransformer vit, ParameterStore parameterStore,
            NDArray images, ChannelStats stats, String methodName) {
        VisionTransformer.Config config = vit.config();
        int count = Math.toIntExact(images.getShape().get(0));
        int heads = config.heads();
        int plane = config.imageHeight() * config.imageWidth();
        NDArray maps = vit.attentionMaps(parameterStore, images) // (count, heads, gh, gw)
                .repeat(2, config.patch()).repeat(3, config.patch()) // (count, heads, H, W)
                .reshape(count, heads, plane); // (count, heads, H * W)
        NDArray peaks = maps.max(new int[] {2}, true).add(1e-12f); // (count, heads, 1)
        float[] scaled = maps.div(peaks).toFloatArray();
        PictureSheet.Panel[] originals = Pictures.standardized(images, stats);
        List<List<PictureSheet.Panel>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<PictureSheet.Panel> row = new ArrayList<>();
            row.add(originals[i]);
            for (int h = 0; h < heads; h++) {
                float[] pixels = new float[plane];
                System.arraycopy(scaled, (i * heads + h) * plane, pixels, 0, plane);
                row.add(new PictureSheet.Panel(pixels, 1, config.imageHeight(),
                        config.imageWidth(), ""));
            }
            rows.add(row);
        }
        List<String> columns = new ArrayList<>();
        columns.add("image");
        for (int h = 0; h < heads; h++) {
            columns.add("head " + (h + 1));
        }
        return new PictureSheet(methodName + ": where the class token looks in the last layer, "
                + "per attention head (brighter: more attention; each map scaled to its maximum)",
                columns, rows);
    }

    /** Builds a {@link Dino}; the backbone is required. */
    public static final class Builder extends MomentumMethod.Builder<Builder> {
        private int hiddenDim = DinoHead.DEFAULT_HIDDEN_DIM;
        private int bottleneckDim = DinoHead.DEFAULT_BOTTLENECK_DIM;
        private double baseMomentum = DEFAULT_BASE_MOMENTUM;
        private double centerMomentum = RunningCenter.DEFAULT_MOMENTUM;
        private double studentTemperature = DinoLoss.DEFAULT_STUDENT_TEMPERATURE;
        private double warmupTeacherTemperature = DEFAULT_WARMUP_TEACHER_TEMPERATURE;
        private double teacherTemperature = DEFAULT_TEACHER_TEMPERATURE;
        private double warmupFraction = DEFAULT_WARMUP_FRACTION;
        private int localCrops = DEFAULT_LOCAL_CROPS;
        private Boolean headBatchNorm;
        private PatchMask.Kind maskKind;
        private double maskRatio;
        private PatchMask patchMask;

        Builder() {
            super(DinoHead.DEFAULT_OUTPUT_DIM);
        }

        @Override
        Builder self() {
            return this;
        }

        /** The head's hidden, bottleneck and output widths; default 512, 64, 2048. */
        public Builder optHead(int hiddenDim, int bottleneckDim, int outputDim) {
            this.hiddenDim = hiddenDim;
            this.bottleneckDim = bottleneckDim;
            this.projectionDim = outputDim;
            return this;
        }

        /**
         * A batch norm after each hidden layer of the heads ({@link DinoHead}, the paper's code's
         * {@code use_bn_in_head}); default: on for backbones other than Vision Transformers.
         * Behind {@code small-resnet} it made one epoch of Fashion-MNIST reach kNN 0.770 instead
         * of 0.753, the teacher's entropy falling to 7.22 nats instead of staying near uniform
         * (7.55 of 7.62).
         */
        public Builder optHeadBatchNorm(boolean headBatchNorm) {
            this.headBatchNorm = headBatchNorm;
            return this;
        }

        /** The teacher momentum at the start of its cosine schedule to 1; default 0.996. */
        public Builder optTeacherMomentum(double baseMomentum) {
            this.baseMomentum = baseMomentum;
            return this;
        }

        /** The center's momentum; default 0.9. */
        public Builder optCenterMomentum(double centerMomentum) {
            this.centerMomentum = centerMomentum;
            return this;
        }

        /** Default 0.1. */
        public Builder optStudentTemperature(double studentTemperature) {
            this.studentTemperature = studentTemperature;
            return this;
        }

        /**
         * The teacher temperature's linear warm-up from {@code start} to {@code end} over the
         * first {@code warmupFraction} of the run; default 0.04 to 0.07 over 0.3.
         */
        public Builder optTeacherTemperature(double start, double end, double warmupFraction) {
            this.warmupTeacherTemperature = start;
            this.teacherTemperature = end;
            this.warmupFraction = warmupFraction;
            return this;
        }

        /**
         * Local views per sample (multi-crop), seen by the student only; 0 trains on the two
         * global views alone. Default 6; a backbone that takes one image size only
         * ({@link dev.selfsup.nn.Backbone#takesOtherSizes()} false, e.g. {@code mlp}) needs 0,
         * which is what {@code Methods.create} picks for it.
         */
        public Builder optLocalCrops(int localCrops) {
            this.localCrops = localCrops;
            return this;
        }

        /**
         * iBOT (Zhou et al. 2021, https://arxiv.org/abs/2111.07832): besides DINO's loss on the
         * class token, the student sees some of each global view's patches replaced by a learned
         * mask token and matches, on those patches, the teacher's distributions of the unmasked
         * image (a second center for the patches). The method is then named {@code ibot}; ViT
         * backbones only. Default: none, plain DINO.
         *
         * <p>This form takes iBOT's masking on the backbone's grid ({@link PatchMask#ibot}): half
         * the global views masked, blocks of a share drawn around {@code maskRatio} (iBOT's
         * 0.3: 0.1 to 0.5).
         */
        public Builder optMaskedPatches(double maskRatio) {
            return optMaskedPatches(PatchMask.Kind.BLOCK, maskRatio);
        }

        /** As {@link #optMaskedPatches(double)}, the patches placed as {@code kind} says. */
        public Builder optMaskedPatches(PatchMask.Kind kind, double maskRatio) {
            this.maskKind = Objects.requireNonNull(kind, "kind");
            this.maskRatio = maskRatio;
            this.patchMask = null;
            return this;
        }

        /**
         * As {@link #optMaskedPatches(double)} with a mask of the caller's own, on the backbone's
         * patch grid.
         */
        public Builder optMaskedPatches(PatchMask patchMask) {
            this.patchMask = Objects.requireNonNull(patchMask, "patchMask");
            this.maskKind = null;
            return this;
        }

        /**
         * Builds the method.
         *
         * @throws IllegalArgumentException naming a setting out of its range
         */
        public Dino build() {
            resolveBackbones();
            if (!(baseMomentum >= 0 && baseMomentum <= 1)) {
                throw new IllegalArgumentException("teacher momentum must be in [0, 1], found "
                        + baseMomentum);
            }
            if (!(centerMomentum >= 0 && centerMomentum < 1)) {
                throw new IllegalArgumentException("center momentum must be in [0, 1), found "
                        + centerMomentum);
            }
            if (!(warmupTeacherTemperature > 0 && teacherTemperature > 0)) {
                throw new IllegalArgumentException("teacher temperatures must be > 0, found "
                        + warmupTeacherTemperature + " and " + teacherTemperature);
            }
            boolean masked = maskKind != null || patchMask != null;
            if (masked && !(backbone.block() instanceof VisionTransformer)) {
                throw new IllegalArgumentException("ibot needs a ViT backbone (vit-mini, vit-tiny "
                        + "or vit-small), found '" + backbone.name() + "'");
            }
            PatchMask mask = patchMask;
            if (masked) {
                VisionTransformer.Config vit = ((VisionTransformer) backbone.block()).config();
                if (mask == null) {
                    mask = PatchMask.ibot(maskKind, vit.gridHeight(), vit.gridWidth(), maskRatio);
                } else if (mask.gridHeight() != vit.gridHeight()
                        || mask.gridWidth() != vit.gridWidth()) {
                    throw new IllegalArgumentException("the patch mask's grid must be the "
                            + "backbone's " + vit.gridHeight() + "x" + vit.gridWidth()
                            + ", found " + mask.gridHeight() + "x" + mask.gridWidth());
                }
            }
            if (localCrops < 0) {
                throw new IllegalArgumentException("local crops must be >= 0, found " + localCrops);
            }
            if (localCrops > 0 && !backbone.takesOtherSizes()) {
                throw new IllegalArgumentException("backbone '" + backbone.name() + "' takes "
                        + backbone.inputShape() + " images only, so it cannot see local crops; "
                        + "use optLocalCrops(0), found " + localCrops);
            }
            if (!(warmupFraction >= 0 && warmupFraction <= 1)) {
                throw new IllegalArgumentException("warm-up fraction must be in [0, 1], found "
                        + warmupFraction);
            }
            boolean norm = headBatchNorm != null ? headBatchNorm
                    : !(backbone.block() instanceof VisionTransformer);
            return new Dino(this, mask, new DinoHead(hiddenDim, bottleneckDim, projectionDim, norm),
                    new DinoHead(hiddenDim, bottleneckDim, projectionDim, norm));
        }
    }
}
