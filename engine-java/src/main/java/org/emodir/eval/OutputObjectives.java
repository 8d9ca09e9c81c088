package org.emodir.eval;

import org.emodir.program.SubnetProgram;

/** Objectives of one individual from its outputs, in double precision (mirrors image_losses.h). */
final class OutputObjectives {
    private OutputObjectives() {}

    /**
     * @param outputs   {@code [batch][program.outputSize()]}
     * @param reference same shape or null (mse = NaN)
     * @param labels    batch labels or null; used only when the program has a head (else ce/top1 = NaN)
     */
    public static void write(
            float[] outputs,
            int batch,
            SubnetProgram program,
            float[] reference,
            int[] labels,
            Objectives out,
            int individual) {
        int n = program.outputSize();
        float mse = Float.NaN, ce = Float.NaN, top1 = Float.NaN;
        if (reference != null) {
            double s = 0;
            for (int i = 0; i < batch * n; ++i) {
                double d = (double) outputs[i] - reference[i];
                s += d * d;
            }
            mse = (float) (s / ((double) batch * n));
        }
        if (labels != null && program.hasHead()) {
            double sum = 0;
            int correct = 0;
            for (int b = 0; b < batch; ++b) {
                int base = b * n, best = 0;
                for (int c = 1; c < n; ++c) if (outputs[base + c] > outputs[base + best]) best = c;
                double mx = outputs[base + best], z = 0;
                for (int c = 0; c < n; ++c) z += Math.exp(outputs[base + c] - mx);
                if (labels[b] < 0 || labels[b] >= n) {
                    throw new IllegalArgumentException(
                            "label " + labels[b] + " of image " + b + " is outside [0, " + n + ")");
                }
                sum += Math.log(z) + mx - outputs[base + labels[b]];
                if (best == labels[b]) correct++;
            }
            ce = (float) (sum / batch);
            top1 = correct;
        }
        out.set(individual, Objectives.MSE, mse);
        out.set(individual, Objectives.CROSS_ENTROPY, ce);
        out.set(individual, Objectives.TOP1, top1);
    }
}
