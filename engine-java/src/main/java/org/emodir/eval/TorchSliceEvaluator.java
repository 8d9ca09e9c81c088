package org.emodir.eval;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.Tensors;
import org.emodir.model.conv.ConvRouter;
import org.emodir.program.SubnetOp;
import org.emodir.program.SubnetProgram;

/**
 * The baseline a PyTorch user writes for a population of channel-pruned sub-networks: per individual,
 * {@code index_select} the kept output channels of every prunable conv (weight rows and bias) and the matching
 * input channels of the layers that read them, then run the smaller dense network. Pruned channels cost
 * nothing inside libtorch's convolutions, unlike {@link TorchReferenceEvaluator}'s 0/1 mask multiply. Tensors
 * of a mask group stay compacted, as in the native engine; a residual add of a compacted tensor into a dense one
 * scatters it ({@code index_add}); a pruned program output is zero-expanded to the dense width.
 * Convolutions go through {@link ConvRouter} (libtorch's oneDNN is wrong on some hosts unless routed).
 */
public final class TorchSliceEvaluator implements PopulationEvaluator {
    private final SubnetProgram program;
    private final EvaluationData data;
    private final ProgramTensors tensors;

    public TorchSliceEvaluator(SubnetProgram program, EvaluationData data, int threads) {
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

    /** Individual {@code p}'s output, {@code [batch][outputSize]} (dense width, pruned channels zero). */
    public void forward(PopulationMasks masks, int p, float[] outputs) {
        try (PointerScope scope = new PointerScope()) {
            Tensor[] kept = keptIndices(masks, p);
            Tensor[] slots = new Tensor[SubnetProgram.MAX_SLOTS];
            int[] slotGroup = new int[SubnetProgram.MAX_SLOTS];
            slots[0] = tensors.input();
            slotGroup[0] = -1;
            for (int i = 0; i < program.ops().size(); ++i) {
                SubnetOp op = program.ops().get(i);
                Tensor x = slots[op.src()];
                int xg = slotGroup[op.src()];
                switch (op.kind()) {
                    case CONV -> {
                        Tensor w = tensors.weights().get(i),
                                b = tensors.biases().get(i);
                        if (op.maskGroup() >= 0) {
                            w = w.index_select(0, kept[op.maskGroup()]);
                            b = b.index_select(0, kept[op.maskGroup()]);
                        }
                        if (xg >= 0) w = w.index_select(1, kept[xg]);
                        slots[op.dst()] = ConvRouter.global().conv2d(x, w.contiguous(), b, op.stride(), op.pad());
                        slotGroup[op.dst()] = op.maskGroup();
                    }
                    case RELU -> {
                        slots[op.dst()] = x.relu();
                        slotGroup[op.dst()] = xg;
                    }
                    case ADD -> slots[op.dst()] = add(slots[op.dst()], slotGroup[op.dst()], x, xg, op, kept);
                    case MAXPOOL -> {
                        slots[op.dst()] = torch.max_pool2d(
                                x,
                                new long[] {op.kernel(), op.kernel()},
                                new long[] {op.stride(), op.stride()},
                                new long[] {op.pad(), op.pad()},
                                new long[] {1, 1},
                                false);
                        slotGroup[op.dst()] = xg;
                    }
                    case HEAD -> {
                        Tensor w = xg >= 0
                                ? tensors.weights().get(i).index_select(1, kept[xg])
                                : tensors.weights().get(i);
                        slots[op.dst()] = torch.linear(
                                x.mean(new long[] {2, 3}, false, new ScalarTypeOptional()),
                                w,
                                new TensorOptional(tensors.biases().get(i)));
                        slotGroup[op.dst()] = -1;
                    }
                }
            }
            int last = program.ops().get(program.ops().size() - 1).dst();
            Tensor result = slots[last];
            if (slotGroup[last] >= 0) { // report the dense width: dropped channels are zero
                long[] shape = result.sizes().vec().get();
                shape[1] = program.outputShape()[0];
                result = torch.zeros(shape).index_copy(1, kept[slotGroup[last]], result);
            }
            result = result.contiguous();
            new FloatPointer(result.data_ptr()).capacity(outputs.length).get(outputs);
        }
    }

    private static Tensor add(Tensor dst, int dstGroup, Tensor src, int srcGroup, SubnetOp op, Tensor[] kept) {
        Tensor s = src;
        if (op.stride() > 1) {
            s = s.slice(2, new LongOptional(0), new LongOptional(), op.stride())
                    .slice(3, new LongOptional(0), new LongOptional(), op.stride());
        }
        if (srcGroup >= 0 && srcGroup != dstGroup) { // compacted shortcut into a dense tensor
            Tensor idx = op.pad() > 0 ? kept[srcGroup].add(new org.bytedeco.pytorch.Scalar(op.pad())) : kept[srcGroup];
            return dst.index_add(1, idx, s);
        }
        if (op.pad() > 0) s = torch.constant_pad_nd(s, 0, 0, 0, 0, op.pad(), op.pad());
        return dst.add(s);
    }

    private Tensor[] keptIndices(PopulationMasks masks, int p) {
        Tensor[] out = new Tensor[program.groupSizes().length];
        for (int g = 0; g < out.length; ++g) {
            int off = program.groupOffset(g), size = program.groupSizes()[g];
            int[] idx = new int[size];
            int n = 0;
            for (int c = 0; c < size; ++c) if (masks.kept(p, off + c)) idx[n++] = c;
            if (n == 0) {
                throw new IllegalArgumentException("individual " + p + " keeps no channel of layer '"
                        + program.groupNames().get(g) + "' (mask group " + g + ", " + size + " channels)");
            }
            out[g] = Tensors.longs(idx, n);
        }
        return out;
    }

    @Override
    public void close() {
        tensors.close();
    }
}
