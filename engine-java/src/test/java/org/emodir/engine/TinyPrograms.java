package org.emodir.engine;

import java.util.Random;
import org.emodir.eval.EvaluationData;
import org.emodir.program.SubnetProgram;
import org.emodir.program.SubnetProgramBuilder;

/** A small random classifier (two prunable convs and a head) with a batch, for evaluator-level tests. */
final class TinyPrograms {
    static final int IN_C = 3, SIZE = 8, C1 = 8, C2 = 6, CLASSES = 4;

    private TinyPrograms() {}

    static SubnetProgram classifier(long seed) {
        Random r = new Random(seed);
        SubnetProgramBuilder b = new SubnetProgramBuilder(IN_C, SIZE, SIZE);
        var x = b.relu(
                b.conv("conv1", b.input(), gaussian(r, C1 * IN_C * 9, 0.4), gaussian(r, C1, 0.1), C1, 3, 1, 1, true));
        x = b.relu(b.conv("conv2", x, gaussian(r, C2 * C1 * 9, 0.3), gaussian(r, C2, 0.1), C2, 3, 2, 1, true));
        return b.build(b.head("fc", x, gaussian(r, CLASSES * C2, 0.5), gaussian(r, CLASSES, 0.1), CLASSES));
    }

    /** Random inputs, the dense program's own logits as reference (MSE 0 when nothing is pruned), labels. */
    static EvaluationData data(SubnetProgram program, int batch, long seed) {
        Random r = new Random(seed);
        float[] input = gaussian(r, batch * program.inputSize(), 1.0);
        int[] labels = new int[batch];
        for (int i = 0; i < batch; ++i) labels[i] = r.nextInt(CLASSES);
        EvaluationData noReference = EvaluationData.of(input, batch, null, labels);
        float[] logits = new float[batch * program.outputSize()];
        try (NativeCpuEvaluator dense = new NativeCpuEvaluator(program, noReference, 1)) {
            var out = EvaluationData.floats(logits);
            dense.forward(new org.emodir.eval.PopulationMasks(1, program.numGenes()), 1, out);
            for (int i = 0; i < logits.length; ++i) logits[i] = out.getFloat(i * Float.BYTES);
        }
        return EvaluationData.of(input, batch, logits, labels);
    }

    static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; ++i) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }
}
