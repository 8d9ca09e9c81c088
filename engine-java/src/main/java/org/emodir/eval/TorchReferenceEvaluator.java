package org.emodir.eval;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.conv.ConvRouter;
import org.emodir.program.SubnetOp;
import org.emodir.program.SubnetProgram;

/**
 * The "framework" baseline: libtorch runs the dense program once per individual and prunes by zeroing
 * the masked channels of each prunable conv's output (so pruned channels still cost their FLOPs). Used as
 * the correctness reference of the native engines and as the speed baseline.
 */
public final class TorchReferenceEvaluator implements PopulationEvaluator {
    private final SubnetProgram program;
    private final EvaluationData data;
    private final ProgramTensors tensors;

    public TorchReferenceEvaluator(SubnetProgram program, EvaluationData data, int threads) {
        if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        this.program = program;
        this.data = data;
        torch.set_num_threads(threads);
        torch.globalContext().setUserEnabledNNPACK(false); // NNPACK rejects this CPU ("Unsupported hardware")
        tensors = ProgramTensors.of(program, data);
    }

    @Override
    public int numGenes() {
        return program.numGenes();
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(numGenes(), masks, population, out);
        float[] outputs = new float[data.batch() * program.outputSize()];
        for (int p = 0; p < population; ++p) {
            forward(masks, p, outputs);
            OutputObjectives.write(outputs, data.batch(), program, tensors.reference(), tensors.labels(), out, p);
        }
    }

    /** The dense-with-zeroed-channels output of individual {@code p}, {@code [batch][outputSize]}. */
    public void forward(PopulationMasks masks, int p, float[] outputs) {
        requireNonEmptyGroups(masks, p);
        try (PointerScope scope = new PointerScope()) {
            Tensor[] slots = new Tensor[8];
            slots[0] = tensors.input();
            for (int i = 0; i < program.ops().size(); ++i) {
                SubnetOp op = program.ops().get(i);
                Tensor x = slots[op.src()];
                slots[op.dst()] = switch (op.kind()) {
                    case CONV -> {
                        Tensor y = ConvRouter.global()
                                .conv2d(
                                        x,
                                        tensors.weights().get(i),
                                        tensors.biases().get(i),
                                        op.stride(),
                                        op.pad());
                        yield op.maskGroup() < 0 ? y : y.mul(channelMask(masks, p, op.maskGroup()));
                    }
                    case RELU -> x.relu();
                    case ADD -> {
                        Tensor s = x;
                        if (op.stride() > 1) {
                            s = s.slice(2, new LongOptional(0), new LongOptional(), op.stride())
                                    .slice(3, new LongOptional(0), new LongOptional(), op.stride());
                        }
                        if (op.pad() > 0) s = torch.constant_pad_nd(s, 0, 0, 0, 0, op.pad(), op.pad());
                        yield slots[op.dst()].add(s);
                    }
                    case MAXPOOL ->
                        torch.max_pool2d(
                                x,
                                new long[] {op.kernel(), op.kernel()},
                                new long[] {op.stride(), op.stride()},
                                new long[] {op.pad(), op.pad()},
                                new long[] {1, 1},
                                false);
                    case HEAD ->
                        torch.linear(
                                x.mean(new long[] {2, 3}, false, new ScalarTypeOptional()),
                                tensors.weights().get(i),
                                new TensorOptional(tensors.biases().get(i)));
                };
            }
            Tensor result = slots[program.ops().get(program.ops().size() - 1).dst()].contiguous();
            new FloatPointer(result.data_ptr()).capacity(outputs.length).get(outputs);
        }
    }

    private void requireNonEmptyGroups(PopulationMasks masks, int p) {
        for (int g = 0; g < program.groupSizes().length; ++g) {
            int off = program.groupOffset(g);
            boolean any = false;
            for (int c = 0; c < program.groupSizes()[g] && !any; ++c) any = masks.kept(p, off + c);
            if (!any) {
                throw new IllegalArgumentException("individual " + p + " keeps no channel of layer '"
                        + program.groupNames().get(g) + "' (mask group " + g + ", " + program.groupSizes()[g]
                        + " channels)");
            }
        }
    }

    private Tensor channelMask(PopulationMasks masks, int p, int group) {
        int c = program.groupSizes()[group], off = program.groupOffset(group);
        float[] m = new float[c];
        for (int i = 0; i < c; ++i) m[i] = masks.kept(p, off + i) ? 1f : 0f;
        return TorchCopies.tensor(m, 1, c, 1, 1);
    }

    @Override
    public void close() {
        tensors.close();
    }
}
