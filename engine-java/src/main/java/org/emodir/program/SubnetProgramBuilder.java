package org.emodir.program;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a {@link SubnetProgram} from value handles, checking every shape as it goes (errors name the
 * layer), then assigns tensor slots by liveness so a whole ResNet stage fits the engine's
 * {@value SubnetProgram#MAX_SLOTS} slots.
 *
 * <pre>{@code
 * var b = new SubnetProgramBuilder(16, 32, 32);
 * var x = b.input();
 * var h = b.relu(b.conv("layer1.0.conv1", x, w1, b1, 16, 3, 1, 1, true));
 * var y = b.relu(b.add(b.conv("layer1.0.conv2", h, w2, b2, 16, 3, 1, 1, false), x));
 * SubnetProgram p = b.build(y);
 * }</pre>
 */
public final class SubnetProgramBuilder {

    /** A tensor produced by the program so far; channel counts are dense. */
    public static final class Value {
        final int node;
        final int c, h, w;
        final int group;

        private Value(int node, int c, int h, int w, int group) {
            this.node = node;
            this.c = c;
            this.h = h;
            this.w = w;
            this.group = group;
        }

        public int channels() {
            return c;
        }

        public int height() {
            return h;
        }

        public int width() {
            return w;
        }
    }

    private record Node(
            SubnetOp.Kind kind,
            String name,
            int src,
            int dst,
            int inC,
            int outC,
            int kernel,
            int stride,
            int pad,
            int maskGroup,
            long weightOffset,
            long biasOffset,
            Value in,
            Value out) {}

    private final int[] inputShape;
    private final List<Node> nodes = new ArrayList<>();
    private final List<float[]> weightChunks = new ArrayList<>();
    private long weightCount;
    private final List<String> groupNames = new ArrayList<>();
    private final List<Integer> groupSizes = new ArrayList<>();
    private final Value input;
    private boolean hasHead;

    public SubnetProgramBuilder(int c, int h, int w) {
        if (c <= 0 || h <= 0 || w <= 0) {
            throw new IllegalArgumentException("input shape must be positive, got " + c + "x" + h + "x" + w);
        }
        inputShape = new int[] {c, h, w};
        input = new Value(-1, c, h, w, -1);
    }

    public Value input() {
        return input;
    }

    /**
     * A conv whose bias already holds the folded BatchNorm ({@link BatchNormFolding}); {@code prunable}
     * gives its output channels their own mask group, named after the layer.
     */
    public Value conv(
            String name,
            Value x,
            float[] weight,
            float[] bias,
            int outC,
            int kernel,
            int stride,
            int pad,
            boolean prunable) {
        requireOpen(name);
        if (outC <= 0 || kernel <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("conv '" + name + "': invalid geometry outC=" + outC + " kernel="
                    + kernel + " stride=" + stride + " pad=" + pad);
        }
        long expected = (long) outC * x.c * kernel * kernel;
        if (weight.length != expected) {
            throw new IllegalArgumentException("conv '" + name + "': weight has " + weight.length + " floats, expected "
                    + outC + "x" + x.c + "x" + kernel + "x" + kernel + " = " + expected);
        }
        requireLength(name, "bias", bias, outC);
        int ho = (x.h + 2 * pad - kernel) / stride + 1;
        int wo = (x.w + 2 * pad - kernel) / stride + 1;
        if (ho <= 0 || wo <= 0) {
            throw new IllegalArgumentException(
                    "conv '" + name + "': kernel " + kernel + " exceeds padded input " + x.h + "x" + x.w);
        }
        int group = -1;
        if (prunable) {
            group = groupNames.size();
            groupNames.add(name);
            groupSizes.add(outC);
        }
        long wOff = addWeights(weight), bOff = addWeights(bias);
        return push(new Node(
                SubnetOp.Kind.CONV,
                name,
                x.node,
                -1,
                x.c,
                outC,
                kernel,
                stride,
                pad,
                group,
                wOff,
                bOff,
                x,
                new Value(nodes.size(), outC, ho, wo, group)));
    }

    public Value relu(Value x) {
        requireOpen("relu");
        return push(new Node(
                SubnetOp.Kind.RELU,
                "relu",
                x.node,
                -1,
                x.c,
                x.c,
                0,
                0,
                0,
                -1,
                0,
                0,
                x,
                new Value(nodes.size(), x.c, x.h, x.w, x.group)));
    }

    /**
     * {@code main + shortcut}: identity when shapes match, otherwise the option-A shortcut (spatial
     * subsampling by the size ratio, zero channels padded equally on both sides).
     */
    public Value add(Value main, Value shortcut) {
        requireOpen("add");
        if (main.group >= 0 && main.group != shortcut.group) {
            throw new IllegalArgumentException("add: the main path is pruned by mask group '"
                    + groupNames.get(main.group) + "'; residual sums need a dense main path");
        }
        int step = -1;
        for (int s = 1; s <= 8 && step < 0; ++s) {
            if ((shortcut.h + s - 1) / s == main.h && (shortcut.w + s - 1) / s == main.w) step = s;
        }
        int extra = main.c - shortcut.c;
        if (step < 0 || extra < 0 || extra % 2 != 0 || (main.group >= 0 && (step != 1 || extra != 0))) {
            throw new IllegalArgumentException("add: shortcut " + shape(shortcut) + " cannot be added to " + shape(main)
                    + " (identity or option A: subsample and pad channels equally)");
        }
        return push(new Node(
                SubnetOp.Kind.ADD,
                "add",
                shortcut.node,
                main.node,
                shortcut.c,
                main.c,
                0,
                step,
                extra / 2,
                -1,
                0,
                0,
                shortcut,
                new Value(nodes.size(), main.c, main.h, main.w, main.group)));
    }

    public Value maxPool(String name, Value x, int kernel, int stride, int pad) {
        requireOpen(name);
        int ho = (x.h + 2 * pad - kernel) / stride + 1;
        int wo = (x.w + 2 * pad - kernel) / stride + 1;
        if (kernel <= 0 || stride <= 0 || pad < 0 || 2 * pad > kernel || ho <= 0 || wo <= 0) {
            throw new IllegalArgumentException("maxpool '" + name + "': invalid window " + kernel + "/" + stride + "/"
                    + pad + " for input " + shape(x));
        }
        return push(new Node(
                SubnetOp.Kind.MAXPOOL,
                name,
                x.node,
                -1,
                x.c,
                x.c,
                kernel,
                stride,
                pad,
                -1,
                0,
                0,
                x,
                new Value(nodes.size(), x.c, ho, wo, x.group)));
    }

    /** Global average pooling then a linear layer {@code weight[classes][channels]}; must be the last op. */
    public Value head(String name, Value x, float[] weight, float[] bias, int classes) {
        requireOpen(name);
        requireLength(name, "weight", weight, (long) classes * x.c);
        requireLength(name, "bias", bias, classes);
        long wOff = addWeights(weight), bOff = addWeights(bias);
        hasHead = true;
        return push(new Node(
                SubnetOp.Kind.HEAD,
                name,
                x.node,
                -1,
                x.c,
                classes,
                0,
                0,
                0,
                -1,
                wOff,
                bOff,
                x,
                new Value(nodes.size(), classes, 1, 1, -1)));
    }

    /**
     * Finishes the program; {@code output} must be the last value built. It may be channel-pruned (a VGG
     * sub-network ends with a prunable conv): the engine then reports it as the dense-width tensor with the
     * dropped channels zero, what physical pruning followed by zero-filling gives, and the MSE objective compares
     * that tensor with the dense reference over the full dense size (dropped channels contribute {@code ref^2}).
     */
    public SubnetProgram build(Value output) {
        if (nodes.isEmpty() || output.node != nodes.size() - 1) {
            throw new IllegalArgumentException(
                    "the output must be the last value built (program has " + nodes.size() + " ops)");
        }
        int[] slots = assignSlots(output.node);
        List<SubnetOp> ops = new ArrayList<>();
        for (int i = 0; i < nodes.size(); ++i) {
            Node n = nodes.get(i);
            int src = slotOf(slots, n.src);
            int dst = n.kind == SubnetOp.Kind.ADD ? slotOf(slots, n.dst) : slots[i];
            ops.add(new SubnetOp(
                    n.kind,
                    n.name,
                    dst,
                    src,
                    n.inC,
                    n.outC,
                    n.kernel,
                    n.stride,
                    n.pad,
                    n.maskGroup,
                    n.in.group,
                    n.weightOffset,
                    n.biasOffset,
                    new int[] {n.in.c, n.in.h, n.in.w},
                    new int[] {n.out.c, n.out.h, n.out.w}));
        }
        float[] weights = new float[Math.toIntExact(weightCount)];
        int at = 0;
        for (float[] chunk : weightChunks) {
            System.arraycopy(chunk, 0, weights, at, chunk.length);
            at += chunk.length;
        }
        return new SubnetProgram(
                List.copyOf(ops),
                weights,
                inputShape.clone(),
                new int[] {output.c, output.h, output.w},
                List.copyOf(groupNames),
                groupSizes.stream().mapToInt(Integer::intValue).toArray(),
                hasHead);
    }

    // Greedy register allocation: a value's slot is free once its last reader ran; add/relu reuse in place.
    private int[] assignSlots(int outputNode) {
        int n = nodes.size();
        int[] lastUse = new int[n + 1]; // index n is the input
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < n; ++i) {
            Node node = nodes.get(i);
            lastUse[idx(node.src, n)] = i;
            if (node.kind == SubnetOp.Kind.ADD) lastUse[idx(node.dst, n)] = Math.max(lastUse[idx(node.dst, n)], i);
        }
        lastUse[outputNode] = Integer.MAX_VALUE;
        int[] slots = new int[n];
        int inputSlot = 0;
        for (int i = 0; i < n; ++i) {
            Node node = nodes.get(i);
            if (node.kind == SubnetOp.Kind.ADD) {
                if (lastUse[idx(node.dst, n)] > i) {
                    throw new IllegalStateException("add at op " + i + " writes into a value that is read again later");
                }
                slots[i] = slotOf(slots, node.dst);
                continue;
            }
            if (node.kind == SubnetOp.Kind.RELU && lastUse[idx(node.src, n)] == i) {
                slots[i] = slotOf(slots, node.src);
                continue;
            }
            boolean[] busy = new boolean[SubnetProgram.MAX_SLOTS];
            if (lastUse[n] >= i) busy[inputSlot] = true;
            for (int j = 0; j < i; ++j) {
                if (lastUse[j] >= i) busy[slots[j]] = true;
            }
            int free = 0;
            while (free < busy.length && busy[free]) free++;
            if (free == busy.length) {
                throw new IllegalStateException(
                        "op '" + node.name + "' needs more than " + SubnetProgram.MAX_SLOTS + " live tensors");
            }
            slots[i] = free;
        }
        return slots;
    }

    private static int idx(int node, int n) {
        return node < 0 ? n : node;
    }

    private static int slotOf(int[] slots, int node) {
        return node < 0 ? 0 : slots[node];
    }

    private Value push(Node node) {
        nodes.add(node);
        return node.out;
    }

    private long addWeights(float[] w) {
        long off = weightCount;
        weightChunks.add(w.clone());
        weightCount += w.length;
        return off;
    }

    private void requireOpen(String name) {
        if (hasHead) throw new IllegalStateException("'" + name + "' added after the head; the head must be last");
    }

    private static void requireLength(String layer, String what, float[] a, long expected) {
        if (a.length != expected) {
            throw new IllegalArgumentException(
                    "'" + layer + "': " + what + " has " + a.length + " floats, expected " + expected);
        }
    }

    private static String shape(Value v) {
        return "[" + v.c + "x" + v.h + "x" + v.w + "]";
    }
}
