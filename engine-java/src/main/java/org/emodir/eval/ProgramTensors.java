package org.emodir.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.emodir.program.SubnetOp;
import org.emodir.program.SubnetProgram;

/**
 * A program and its evaluation batch copied into libtorch once, for the libtorch evaluators: the input as an NCHW
 * tensor, each op's weight and bias tensor (null for ops without weights), the reference output and labels on heap.
 */
record ProgramTensors(Tensor input, List<Tensor> weights, List<Tensor> biases, float[] reference, int[] labels)
        implements AutoCloseable {

    static ProgramTensors of(SubnetProgram program, EvaluationData data) {
        data.requireSizes(program.inputSize(), program.outputSize());
        int[] in = program.inputShape();
        Tensor input = TorchCopies.tensor(
                TorchCopies.floats(data.input(), (long) data.batch() * program.inputSize()),
                data.batch(),
                in[0],
                in[1],
                in[2]);
        List<Tensor> weights = new ArrayList<>();
        List<Tensor> biases = new ArrayList<>();
        float[] w = program.weights();
        for (SubnetOp op : program.ops()) {
            long[] shape = switch (op.kind()) {
                case CONV -> new long[] {op.outC(), op.inC(), op.kernel(), op.kernel()};
                case HEAD -> new long[] {op.outC(), op.inC()};
                default -> null;
            };
            if (shape == null) {
                weights.add(null);
                biases.add(null);
                continue;
            }
            long count = 1;
            for (long d : shape) count *= d;
            weights.add(TorchCopies.tensor(TorchCopies.slice(w, op.weightOffset(), count), shape));
            biases.add(TorchCopies.tensor(TorchCopies.slice(w, op.biasOffset(), op.outC()), op.outC()));
        }
        float[] reference = data.reference() == null
                ? null
                : TorchCopies.floats(data.reference(), (long) data.batch() * program.outputSize());
        int[] labels = data.labels() == null ? null : TorchCopies.labels(data);
        return new ProgramTensors(
                input, Collections.unmodifiableList(weights), Collections.unmodifiableList(biases), reference, labels);
    }

    /** Frees the tensors' native memory now instead of at garbage collection. */
    @Override
    public void close() {
        input.close();
        for (Tensor t : weights) if (t != null) t.close();
        for (Tensor t : biases) if (t != null) t.close();
    }
}
