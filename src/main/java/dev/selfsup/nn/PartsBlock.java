package dev.selfsup.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The root block of a method: a backbone plus named heads (projection, prediction, ...), so that
 * all trained parameters have one owner and stable, hierarchical names in checkpoints. Its own
 * forward pass is the backbone's: images {@code (batch, C, H, W)} to features
 * {@code (batch, featureDim)}.
 */
public final class PartsBlock extends AbstractBlock {
    private final Backbone backbone;
    private final Map<String, Block> heads = new LinkedHashMap<>();
    private final Map<String, Shape> headInputShapes = new LinkedHashMap<>();
    private boolean bf16;
    private final AtomicLong autocastCalls = new AtomicLong();

    public PartsBlock(Backbone backbone) {
        this.backbone = backbone;
        addChildBlock("backbone", backbone.block());
    }

    /**
     * Adds a head that takes {@code (batch, inputDim)}.
     *
     * @return the head, for the caller to keep
     */
    public <B extends Block> B addHead(String name, B head, long inputDim) {
        return addPart(name, head, new Shape(2, inputDim));
    }

    /**
     * Adds a part that takes inputs shaped like {@code inputShape} (for example a momentum
     * target backbone taking images, or a memory bank), initialised with the rest.
     *
     * @return the part, for the caller to keep
     */
    public <B extends Block> B addPart(String name, B part, Shape inputShape) {
        if (heads.containsKey(name) || "backbone".equals(name)) {
            throw new IllegalArgumentException("part name already used: " + name);
        }
        heads.put(name, part);
        headInputShapes.put(name, inputShape);
        return addChildBlock(name, part);
    }

    public Backbone backbone() {
        return backbone;
    }

    /**
     * Runs the backbone's forward pass under libtorch's bfloat16 autocast ({@link Bf16Autocast}),
     * its features cast back to float32, so that the heads and the loss stay float32; or not.
     * Calls into a backbone that bypass this block's forward pass (a momentum target, MAE's
     * encoder) follow it through {@link #inBackbonePrecision}.
     *
     * @throws IllegalArgumentException where bf16 cannot run here, with the reason
     */
    public void setBf16(boolean bf16) {
        if (bf16) {
            Bf16Autocast.requireAvailable();
        }
        this.bf16 = bf16;
    }

    /** Whether the backbone runs under bfloat16 autocast. */
    public boolean bf16() {
        return bf16;
    }

    /** Initialises every part for batches of {@code batchSize} images. */
    public void initialize(NDManager manager, long batchSize) {
        initialize(manager, DataType.FLOAT32, backbone.batchShape(batchSize));
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs,
            boolean training, PairList<String, Object> params) {
        NDList features = underAutocast(
                () -> backbone.block().forward(parameterStore, inputs, training, params));
        if (!bf16) {
            return features;
        }
        NDList single = new NDList(features.size());
        for (NDArray feature : features) {
            single.add(Bf16Autocast.float32(feature));
        }
        return single;
    }

    /**
     * Runs a method's own call into the backbone, one that bypasses this block's forward pass
     * (MAE's encoder on the visible patches, iBOT's student on its masked tokens), in the
     * backbone's precision: under bfloat16 autocast when {@link #bf16()}, its result brought back
     * to float32 for the heads and the loss.
     *
     * @param backboneCall the call, returning the backbone's output
     */
    public NDArray inBackbonePrecision(Supplier<NDArray> backboneCall) {
        NDArray output = underAutocast(backboneCall);
        return bf16 ? Bf16Autocast.float32(output) : output;
    }

    /**
     * How many backbone calls have run under bfloat16 autocast: through this block's forward pass
     * or {@link #inBackbonePrecision}. A bf16 training step that leaves it unchanged never ran
     * its backbone in bf16 ({@code TrainingStep} refuses such a step).
     */
    public long autocastCalls() {
        return autocastCalls.get();
    }

    /** {@code call}'s result, computed under bfloat16 autocast when {@link #bf16()}. */
    private <T> T underAutocast(Supplier<T> call) {
        if (!bf16) {
            return call.get();
        }
        autocastCalls.incrementAndGet();
        try (Bf16Autocast autocast = Bf16Autocast.on()) {
            return call.get();
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return backbone.block().getOutputShapes(inputShapes);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        backbone.block().initialize(manager, dataType, inputShapes);
        for (Map.Entry<String, Block> head : heads.entrySet()) {
            head.getValue().initialize(manager, dataType, headInputShapes.get(head.getKey()));
        }
    }
}
