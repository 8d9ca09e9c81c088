package org.emodir.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.Layers.Basic;
import org.emodir.model.Layers.Block;
import org.emodir.model.Layers.Bottleneck;
import org.emodir.model.Layers.Conv;
import org.emodir.model.Layers.Plain;
import org.emodir.model.Layers.Pool;
import org.emodir.model.conv.ConvRouter;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsException;

/**
 * A {@link NetSpec} executed functionally on libtorch (CPU) with its own parameter tensors, keyed by
 * PyTorch state_dict names. Stage-level entry points let the pipeline run and retrain one stage at a time:
 * {@code forwardFrom(s, forwardUpTo(s, x)) == forward(x)}.
 *
 * <p>Tensors the net owns are retained (JavaCPP reference count) so callers may run forwards inside a
 * {@code PointerScope} without freeing the weights; {@link #close()} releases them.
 */
public final class TorchNet implements AutoCloseable {
    private static final double BN_MOMENTUM = 0.1;
    private static final double BN_EPS = 1e-5;
    private static final long[] DILATION = {1, 1};

    private NetSpec spec;
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    /** BN mode per part: index 0 = stem, 1..numBlocks = blocks (global order), numBlocks+1 = head (no BN, kept for symmetry). */
    private boolean[] partTraining;
    /** BN running-statistics momentum of train-mode forwards; 1 while recalibrating (running stats = batch stats). */
    private double bnMomentum = BN_MOMENTUM;
    /** Where this net's convolutions run; null = the process-wide router. */
    private ConvRouter router;

    private TorchNet(NetSpec spec) {
        TorchRuntime.init();
        this.spec = spec;
        this.partTraining = new boolean[spec.numBlocks() + 2];
    }

    /** Randomly initialised (Kaiming-normal fan-out convs, BN gamma 1 / beta 0, uniform linear). */
    public static TorchNet random(NetSpec spec, long seed) {
        TorchNet net = new TorchNet(spec);
        torch.manual_seed(seed);
        java.util.Set<String> bnWeights = new java.util.HashSet<>();
        for (Conv c : spec.convs()) bnWeights.add(c.bn() + ".weight");
        for (Map.Entry<String, long[]> e : spec.stateShapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            Tensor t;
            if (name.endsWith("running_var") || bnWeights.contains(name)) {
                t = torch.ones(shape);
            } else if (name.endsWith(".bias") || name.endsWith("running_mean")) {
                t = torch.zeros(shape);
            } else if (shape.length == 4) {
                double std = Math.sqrt(2.0 / (shape[0] * shape[2] * shape[3]));
                t = torch.randn(shape).mul(new org.bytedeco.pytorch.Scalar(std));
            } else {
                double bound = 1.0 / Math.sqrt(shape[1]);
                t = torch.rand(shape)
                        .mul(new org.bytedeco.pytorch.Scalar(2 * bound))
                        .sub(new org.bytedeco.pytorch.Scalar(bound));
            }
            net.put(name, t);
        }
        return net;
    }

    /** Net with the given weights; strict: missing, unexpected or mis-shaped keys throw WeightsException. */
    public static TorchNet fromStateDict(NetSpec spec, StateDict weights) {
        TorchNet net = new TorchNet(spec);
        net.load(weights);
        return net;
    }

    /** Replaces all weights (strict, {@code num_batches_tracked} ignored). */
    public void load(StateDict weights) {
        Map<String, long[]> shapes = spec.stateShapes();
        for (String key : weights.names()) {
            if (!shapes.containsKey(key) && !key.endsWith("num_batches_tracked")) {
                throw new WeightsException("unexpected tensor '" + key + "' with shape "
                        + weights.get(key).shapeString() + " for " + spec);
            }
        }
        Map<String, Tensor> fresh = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            NamedTensor t = weights.require(e.getKey(), e.getValue());
            fresh.put(e.getKey(), Tensors.fromFloats(t.data(), e.getValue()));
        }
        releaseAll();
        fresh.forEach(this::put);
    }

    public StateDict toStateDict() {
        StateDict sd = new StateDict();
        tensors.forEach((k, v) -> sd.put(new NamedTensor(k, Tensors.shape(v), Tensors.toFloats(v))));
        return sd;
    }

    private void put(String name, Tensor t) {
        t = t.contiguous();
        t.retainReference();
        if (isTrainable(name)) t.set_requires_grad(true);
        Tensor old = tensors.put(name, t);
        if (old != null) old.releaseReference();
    }

    private static boolean isTrainable(String name) {
        return !name.endsWith("running_mean") && !name.endsWith("running_var");
    }

    public NetSpec spec() {
        return spec;
    }

    /**
     * Runs this net's convolutions through {@code router} instead of the process-wide one (tests force a route
     * this way to compare it with another at the network level).
     */
    public TorchNet convRouter(ConvRouter router) {
        this.router = router;
        return this;
    }

    /** The named tensor (state_dict name); for inspection and tests. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor '" + name + "' in " + spec);
        return t;
    }

    /** Train mode for the whole net: BN uses batch statistics and updates running stats (momentum 0.1). */
    public TorchNet train(boolean on) {
        java.util.Arrays.fill(partTraining, on);
        return this;
    }

    /**
     * Train mode for stage {@code s} only; stem, head and the other stages stay in eval mode, so stage-wise
     * retraining leaves their BN running statistics untouched.
     */
    public TorchNet trainOnlyStage(int s) {
        return trainOnlyBlocks(spec.stageStart(s), spec.stageStart(s + 1));
    }

    /** Train mode for global blocks {@code [from, to)} only; everything else in eval mode. */
    public TorchNet trainOnlyBlocks(int from, int to) {
        checkRange(from, to);
        java.util.Arrays.fill(partTraining, false);
        for (int b = from; b < to; b++) partTraining[b + 1] = true;
        return this;
    }

    /** True if any part is in train mode. */
    public boolean isTraining() {
        for (boolean b : partTraining) if (b) return true;
        return false;
    }

    /** The per-part modes (stem, stages, head), to save and restore around a temporary mode change. */
    public boolean[] modes() {
        return partTraining.clone();
    }

    public TorchNet restoreModes(boolean[] modes) {
        if (modes.length != partTraining.length)
            throw new IllegalArgumentException("mode array of another architecture");
        partTraining = modes.clone();
        return this;
    }

    /** All trainable tensors (conv/linear weights and biases, BN affine), state_dict order. */
    public List<Tensor> parameters() {
        List<Tensor> out = new ArrayList<>();
        tensors.forEach((k, v) -> {
            if (isTrainable(k)) out.add(v);
        });
        return out;
    }

    /** Trainable tensors of stage {@code s} only. */
    public List<Tensor> stageParameters(int s) {
        return blockParameters(spec.stageStart(s), spec.stageStart(s + 1));
    }

    /** Trainable tensors of global blocks {@code [from, to)}. */
    public List<Tensor> blockParameters(int from, int to) {
        checkRange(from, to);
        List<Tensor> out = new ArrayList<>();
        for (Conv c : blockConvs(from, to)) {
            for (String k : List.of(c.name() + ".weight", c.name() + ".bias", c.bn() + ".weight", c.bn() + ".bias")) {
                if (tensors.containsKey(k)) out.add(tensors.get(k));
            }
        }
        return out;
    }

    /**
     * Swaps in stage {@code s} of {@code donor} (same architecture, possibly other prunable widths of that
     * stage); its weights are copied, so the donor may be closed afterwards.
     */
    public void replaceStage(int s, TorchNet donor) {
        replaceBlocks(spec.stageStart(s), spec.stageStart(s + 1), donor);
    }

    /** Swaps in global blocks {@code [from, to)} of {@code donor}, as {@link #replaceStage} does for a stage. */
    public void replaceBlocks(int from, int to, TorchNet donor) {
        checkRange(from, to);
        NetSpec merged = spec.withBlocksFrom(from, to, donor.spec);
        for (Conv c : donor.blockConvs(from, to)) {
            for (String k : donor.tensors.keySet()) {
                if (k.startsWith(c.name() + ".") || k.startsWith(c.bn() + ".")) {
                    put(k, donor.tensors.get(k).detach().clone());
                }
            }
        }
        spec = merged;
    }

    public Tensor forward(Tensor x) {
        return forwardFrom(0, forwardStem(x));
    }

    /** Stem and global blocks {@code 0 .. b-1} (with the poolings of the stages they complete): the input of block {@code b}. */
    public Tensor forwardToBlock(int b, Tensor x) {
        return forwardBlocks(0, b, forwardStem(x));
    }

    /** Global blocks {@code b ..} and the head, from the input of block {@code b}. */
    public Tensor forwardFromBlock(int b, Tensor h) {
        return forwardHead(forwardBlocks(b, spec.numBlocks(), h));
    }

    /** Global blocks {@code [from, to)}; a stage's pooling runs after its last block. */
    public Tensor forwardBlocks(int from, int to, Tensor x) {
        checkRange(from, to);
        Tensor h = x;
        for (int b = from; b < to; b++) {
            h = block(spec.block(b), h, partTraining[b + 1]);
            if (spec.endsStage(b)) {
                Pool p = spec.stage(spec.stageOfBlock(b)).pool();
                if (p != null) h = pool(p, h);
            }
        }
        return h;
    }

    /**
     * {@link #forwardBlocks} for inference without a graph (under a {@code NoGradGuard}), freeing each block's
     * intermediate tensors (convolution, BN and ReLU outputs) as soon as the block is done instead of when the
     * caller's scope closes: a 224-px ResNet-50 batch would otherwise hold about 130 MB of them per image. The result
     * belongs to the caller's innermost {@code PointerScope}, as {@link #forwardBlocks}'s does.
     */
    public Tensor forwardBlocksFreeing(int from, int to, Tensor x) {
        checkRange(from, to);
        Tensor h = x;
        for (int b = from; b < to; b++) {
            Tensor y;
            try (org.bytedeco.javacpp.PointerScope block = new org.bytedeco.javacpp.PointerScope()) {
                y = forwardBlocks(b, b + 1, h);
                y.retainReference();
            }
            if (h != x) h.releaseReference();
            h = y;
        }
        if (h != x) {
            org.bytedeco.javacpp.PointerScope outer = org.bytedeco.javacpp.PointerScope.getInnerScope();
            if (outer != null) {
                outer.attach(h);
                h.releaseReference();
            }
        }
        return h;
    }

    /**
     * {@link #forward} for inference without a graph: the stem's and each block's intermediates are freed as soon as
     * they are consumed ({@link #forwardBlocksFreeing}), so a batch holds about one block's activations at a time
     * instead of the whole network's. The result belongs to the caller's innermost {@code PointerScope}.
     */
    public Tensor forwardFreeing(Tensor x) {
        Tensor stem;
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            stem = forwardStem(x);
            stem.retainReference();
        }
        try {
            return forwardHead(forwardBlocksFreeing(0, spec.numBlocks(), stem));
        } finally {
            stem.releaseReference();
        }
    }

    /**
     * Images per inference forward: 128 at CIFAR's 32x32, fewer for larger images (16 at 224x224), so that one
     * forward's activations stay near the same size whatever the resolution.
     */
    public static int inferenceImages(int height, int width) {
        long pixels = (long) height * width;
        return (int) Math.max(16, Math.min(INFERENCE_IMAGES, INFERENCE_IMAGES * 32L * 32L / pixels));
    }

    private static final int INFERENCE_IMAGES = 128;

    /**
     * Images per training forward/backward: as many as keep the graph's activations within 2 GiB, at ResNet-50's
     * measured ~130 MB per 224-px image (2.6 KB per input pixel): 16 at 224x224, 806 at 32x32 (so CIFAR batches are
     * never split).
     */
    public static int trainingImages(int height, int width) {
        return (int) Math.max(1, TRAINING_ACTIVATION_BYTES / (TRAINING_BYTES_PER_PIXEL * height * width));
    }

    private static final long TRAINING_ACTIVATION_BYTES = 2L << 30;
    private static final long TRAINING_BYTES_PER_PIXEL = 2_600;

    private void checkRange(int from, int to) {
        if (from < 0 || to > spec.numBlocks() || from > to) {
            throw new IndexOutOfBoundsException(
                    "block range [" + from + ", " + to + ") of " + spec + " with " + spec.numBlocks() + " blocks");
        }
    }

    private List<Conv> blockConvs(int from, int to) {
        List<Conv> all = new ArrayList<>();
        for (int b = from; b < to; b++) all.addAll(spec.block(b).convs());
        return all;
    }

    /**
     * Adaptive BatchNorm: replaces the running statistics of every BN in global blocks {@code [from, to)} by the
     * statistics of one train-mode forward of {@code input} (the blocks' input feature, one batch: mean and unbiased
     * variance over it, as PyTorch's {@code momentum=1} gives). A pruned network's BN statistics no longer match its
     * narrower convs; recalibrated, its loss says how well it can be fine-tuned rather than how badly the stale
     * statistics break it (Li et al., EagleEye, ECCV 2020). No parameter changes; modes are restored.
     */
    public void recalibrateBatchNorm(int from, int to, Tensor input) {
        checkRange(from, to);
        boolean[] saved = modes();
        double momentum = bnMomentum;
        // Own scope: the forward's activations are freed here, not by whatever scope the caller holds.
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope();
                org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            trainOnlyBlocks(from, to);
            bnMomentum = 1.0;
            forwardBlocksFreeing(from, to, input);
        } finally {
            bnMomentum = momentum;
            restoreModes(saved);
        }
    }

    /** Stem and stages {@code 0 .. s-1}: the input of stage {@code s}. */
    public Tensor forwardUpTo(int s, Tensor x) {
        Tensor h = forwardStem(x);
        for (int i = 0; i < s; i++) h = forwardStage(i, h);
        return h;
    }

    /** Stages {@code s ..} and the head, from the input of stage {@code s}. */
    public Tensor forwardFrom(int s, Tensor h) {
        for (int i = s; i < spec.numStages(); i++) h = forwardStage(i, h);
        return forwardHead(h);
    }

    /** Logits plus every stage's output, from one forward pass. */
    public record Trace(Tensor logits, List<Tensor> stageOutputs) {}

    public Trace trace(Tensor x) {
        Tensor h = forwardStem(x);
        List<Tensor> outs = new ArrayList<>();
        for (int i = 0; i < spec.numStages(); i++) {
            h = forwardStage(i, h);
            outs.add(h);
        }
        return new Trace(forwardHead(h), outs);
    }

    public Tensor forwardStem(Tensor x) {
        if (x.dim() != 4 || x.size(1) != spec.inChannels()) {
            throw new IllegalArgumentException(spec + " expects NCHW input with " + spec.inChannels()
                    + " channels, got shape " + java.util.Arrays.toString(Tensors.shape(x)));
        }
        Tensor h = x;
        for (Conv c : spec.stem().convs()) h = torch.relu(convBn(c, h, partTraining[0]));
        return spec.stem().pool() == null ? h : pool(spec.stem().pool(), h);
    }

    public Tensor forwardStage(int s, Tensor x) {
        return forwardBlocks(spec.stageStart(s), spec.stageStart(s + 1), x);
    }

    /** Global average pooling, flatten, linear (for the CIFAR VGG the map is already 1x1 at 32x32 input). */
    public Tensor forwardHead(Tensor x) {
        Tensor g = torch.adaptive_avg_pool2d(x, 1, 1);
        Tensor flat = g.reshape(g.size(0), g.size(1));
        var head = spec.head();
        return torch.linear(
                flat, tensors.get(head.name() + ".weight"), new TensorOptional(tensors.get(head.name() + ".bias")));
    }

    private Tensor block(Block b, Tensor x, boolean training) {
        if (b instanceof Plain p) return torch.relu(convBn(p.conv(), x, training));
        if (b instanceof Basic bb) {
            Tensor h = torch.relu(convBn(bb.conv1(), x, training));
            h = convBn(bb.conv2(), h, training);
            return torch.relu(h.add(
                    bb.needsShortcut()
                            ? optionAShortcut(x, bb.conv1().stride(), bb.conv2().out())
                            : x));
        }
        Bottleneck bt = (Bottleneck) b;
        Tensor h = torch.relu(convBn(bt.conv1(), x, training));
        h = torch.relu(convBn(bt.conv2(), h, training));
        h = convBn(bt.conv3(), h, training);
        return torch.relu(h.add(bt.downsample() == null ? x : convBn(bt.downsample(), x, training)));
    }

    /** He et al. option A: spatial subsampling by the stride and zero channel padding split evenly on both sides. */
    private static Tensor optionAShortcut(Tensor x, int stride, int outChannels) {
        Tensor s = x;
        if (stride != 1) {
            s = s.slice(2, new LongOptional(0), new LongOptional(x.size(2)), stride)
                    .slice(3, new LongOptional(0), new LongOptional(x.size(3)), stride);
        }
        long extra = outChannels - x.size(1);
        return extra == 0 ? s : torch.constant_pad_nd(s, 0, 0, 0, 0, extra / 2, extra - extra / 2);
    }

    private Tensor convBn(Conv c, Tensor x, boolean training) {
        Tensor bias = c.bias() ? tensors.get(c.name() + ".bias") : null;
        Tensor y = (router != null ? router : ConvRouter.global())
                .conv2d(x, tensors.get(c.name() + ".weight"), bias, c.stride(), c.pad());
        return torch.batch_norm(
                y,
                new TensorOptional(tensors.get(c.bn() + ".weight")),
                new TensorOptional(tensors.get(c.bn() + ".bias")),
                new TensorOptional(tensors.get(c.bn() + ".running_mean")),
                new TensorOptional(tensors.get(c.bn() + ".running_var")),
                training,
                bnMomentum,
                BN_EPS,
                false);
    }

    private static Tensor pool(Pool p, Tensor x) {
        return torch.max_pool2d(
                x,
                new long[] {p.kernel(), p.kernel()},
                new long[] {p.stride(), p.stride()},
                new long[] {p.pad(), p.pad()},
                DILATION,
                false);
    }

    private void releaseAll() {
        tensors.values().forEach(Tensor::releaseReference);
        tensors.clear();
    }

    @Override
    public void close() {
        releaseAll();
    }
}
