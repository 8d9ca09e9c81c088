package org.emodir.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.emodir.model.Layers.Basic;
import org.emodir.model.Layers.Block;
import org.emodir.model.Layers.Bottleneck;
import org.emodir.model.Layers.Conv;
import org.emodir.model.Layers.Plain;
import org.emodir.model.Layers.Pool;
import org.emodir.model.NetSpec;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.run.AtomicFiles;
import shade.com.google.protobuf.ByteString;

/**
 * A network ({@link NetSpec} + weights, dense or physically pruned) as an ONNX model, built with ONNX's own protobuf
 * schema (ai.onnx.proto, Microsoft's generated classes): opset {@value #OPSET}, one float input {@value #INPUT}
 * {@code [batch, C, H, W]} with a dynamic batch dimension, one output {@value #OUTPUT} {@code [batch, classes]}. The
 * graph is the same computation as {@link org.emodir.model.TorchNet#forward} in eval mode: Conv, BatchNormalization
 * (running statistics), Relu, Add, MaxPool, the option-A shortcut as Slice + Pad, GlobalAveragePool, Flatten, Gemm.
 */
public final class OnnxExporter {
    public static final int OPSET = 17;
    /** ONNX IR version 8 goes with opset 17 (onnx 1.12-1.13). */
    public static final long IR_VERSION = 8;

    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";
    private static final double BN_EPS = 1e-5;

    private final NetSpec spec;
    private final StateDict weights;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("emodir");
    private final Set<String> initialized = new HashSet<>();
    private int counter;

    private OnnxExporter(NetSpec spec, StateDict weights) {
        this.spec = spec;
        this.weights = weights;
    }

    /** The serialised model for input images of {@code height x width}. */
    public static byte[] toBytes(NetSpec spec, StateDict weights, int height, int width) {
        return new OnnxExporter(spec, weights).build(height, width).toByteArray();
    }

    /** Writes the model atomically. */
    public static void write(Path file, NetSpec spec, StateDict weights, int height, int width) throws IOException {
        AtomicFiles.writeBytes(file, toBytes(spec, weights, height, width));
    }

    private ModelProto build(int height, int width) {
        graph.addInput(value(INPUT, "batch", spec.inChannels(), height, width));
        String x = INPUT;
        for (Conv c : spec.stem().convs()) x = relu(convBn(c, x));
        if (spec.stem().pool() != null) x = maxPool(spec.stem().pool(), x);
        for (int b = 0; b < spec.numBlocks(); b++) {
            x = block(spec.block(b), x);
            if (spec.endsStage(b)) {
                Pool p = spec.stage(spec.stageOfBlock(b)).pool();
                if (p != null) x = maxPool(p, x);
            }
        }
        x = node("GlobalAveragePool", List.of(x));
        x = node("Flatten", List.of(x), intAttr("axis", 1));
        var head = spec.head();
        String logits = node(
                "Gemm", List.of(x, init(head.name() + ".weight"), init(head.name() + ".bias")), intAttr("transB", 1));
        graph.addNode(NodeProto.newBuilder()
                .setOpType("Identity")
                .setName("output")
                .addInput(logits)
                .addOutput(OUTPUT));
        graph.addOutput(value(OUTPUT, "batch", head.out()));
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("emodir")
                .setProducerVersion("0.1.0")
                .setDocString(spec.toString())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
    }

    private String block(Block block, String x) {
        if (block instanceof Plain p) return relu(convBn(p.conv(), x));
        if (block instanceof Basic bb) {
            String h = relu(convBn(bb.conv1(), x));
            h = convBn(bb.conv2(), h);
            String shortcut = bb.needsShortcut()
                    ? optionA(
                            x, bb.conv1().stride(), bb.conv1().in(), bb.conv2().out())
                    : x;
            return relu(node("Add", List.of(h, shortcut)));
        }
        Bottleneck bt = (Bottleneck) block;
        String h = relu(convBn(bt.conv1(), x));
        h = relu(convBn(bt.conv2(), h));
        h = convBn(bt.conv3(), h);
        String shortcut = bt.downsample() == null ? x : convBn(bt.downsample(), x);
        return relu(node("Add", List.of(h, shortcut)));
    }

    /** He et al. option A: every stride-th pixel, zero channels split evenly before and after. */
    private String optionA(String x, int stride, int in, int out) {
        String s = x;
        if (stride != 1) {
            s = node(
                    "Slice",
                    List.of(
                            x,
                            constant("starts", 0, 0),
                            constant("ends", Long.MAX_VALUE, Long.MAX_VALUE),
                            constant("axes", 2, 3),
                            constant("steps", stride, stride)));
        }
        int extra = out - in;
        if (extra == 0) return s;
        return node("Pad", List.of(s, constant("pads", 0, extra / 2, 0, 0, 0, extra - extra / 2, 0, 0)));
    }

    private String convBn(Conv c, String x) {
        List<String> in = c.bias()
                ? List.of(x, init(c.name() + ".weight"), init(c.name() + ".bias"))
                : List.of(x, init(c.name() + ".weight"));
        String y = node(
                "Conv",
                in,
                intsAttr("kernel_shape", c.kernel(), c.kernel()),
                intsAttr("strides", c.stride(), c.stride()),
                intsAttr("pads", c.pad(), c.pad(), c.pad(), c.pad()));
        return node(
                "BatchNormalization",
                List.of(
                        y,
                        init(c.bn() + ".weight"),
                        init(c.bn() + ".bias"),
                        init(c.bn() + ".running_mean"),
                        init(c.bn() + ".running_var")),
                AttributeProto.newBuilder()
                        .setName("epsilon")
                        .setType(AttributeProto.AttributeType.FLOAT)
                        .setF((float) BN_EPS)
                        .build());
    }

    private String maxPool(Pool p, String x) {
        return node(
                "MaxPool",
                List.of(x),
                intsAttr("kernel_shape", p.kernel(), p.kernel()),
                intsAttr("strides", p.stride(), p.stride()),
                intsAttr("pads", p.pad(), p.pad(), p.pad(), p.pad()));
    }

    private String relu(String x) {
        return node("Relu", List.of(x));
    }

    private String node(String op, List<String> inputs, AttributeProto... attrs) {
        String out = op.toLowerCase(java.util.Locale.ROOT) + "_" + counter++;
        NodeProto.Builder n = NodeProto.newBuilder()
                .setOpType(op)
                .setName(out)
                .addAllInput(inputs)
                .addOutput(out);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
        return out;
    }

    /** A weight as an initializer, named as in the state_dict; its shape is checked against the spec by the caller. */
    private String init(String name) {
        if (initialized.add(name)) {
            NamedTensor t = weights.get(name);
            if (t == null) throw new IllegalArgumentException("weights lack '" + name + "' needed by " + spec);
            ByteBuffer raw = ByteBuffer.allocate(t.data().length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            raw.asFloatBuffer().put(t.data());
            TensorProto.Builder tp = TensorProto.newBuilder()
                    .setName(name)
                    .setDataType(TensorProto.DataType.FLOAT_VALUE)
                    .setRawData(ByteString.copyFrom(raw.array()));
            for (long d : t.shape()) tp.addDims(d);
            graph.addInitializer(tp);
        }
        return name;
    }

    private String constant(String what, long... values) {
        String name = what + "_" + counter++;
        TensorProto.Builder tp = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) tp.addInt64Data(v);
        graph.addInitializer(tp);
        return name;
    }

    private static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder()
                .setName(name)
                .setType(AttributeProto.AttributeType.INT)
                .setI(v)
                .build();
    }

    private static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    private static ValueInfoProto value(String name, String batch, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE)
                                .setShape(shape)))
                .build();
    }
}
