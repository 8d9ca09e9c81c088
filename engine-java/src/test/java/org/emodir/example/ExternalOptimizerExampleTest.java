package org.emodir.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.PopulationEvaluators;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;
import org.emodir.program.SubnetProgramBuilder;
import org.junit.jupiter.api.Test;

/**
 * docs/evaluator.md in code: a hand-written (1+lambda) evolutionary algorithm, not NSGA-II, drives the
 * evaluator through the public API only (this package sees nothing package-private): build a program by
 * hand, wrap the batch, fill masks, evaluate, read objectives.
 */
class ExternalOptimizerExampleTest {
    private static final int C = 3, H = 8, W = 8, WIDTH = 12, CLASSES = 5, BATCH = 16;
    private static final int LAMBDA = 8, ITERATIONS = 40;
    private static final double COST_WEIGHT = 0.02; // scalarisation: MSE + weight * fraction of channels kept

    @Test
    void aOnePlusLambdaEaImprovesItsObjectiveThroughTheDocumentedApi() {
        Random r = new Random(5);
        SubnetProgram program = classifier(r);
        float[] input = gaussian(r, BATCH * program.inputSize(), 1);
        float[] reference = denseLogits(program, input);
        EvaluationData data = EvaluationData.of(input, BATCH, reference, null);

        try (PopulationEvaluator evaluator = PopulationEvaluators.best(program, data, 2)) {
            int genes = evaluator.numGenes();
            PopulationMasks masks = new PopulationMasks(LAMBDA, genes);
            Objectives objectives = new Objectives(LAMBDA);

            boolean[] parent = new boolean[genes];
            for (int g = 0; g < genes; ++g) parent[g] = r.nextBoolean();
            keepOnePerLayer(program, parent);
            double parentFitness = fitnessOf(evaluator, masks, objectives, parent);
            double initial = parentFitness;

            for (int it = 0; it < ITERATIONS; ++it) {
                boolean[][] children = new boolean[LAMBDA][];
                for (int c = 0; c < LAMBDA; ++c) {
                    children[c] = parent.clone();
                    for (int g = 0; g < genes; ++g) if (r.nextInt(genes) < 2) children[c][g] = !children[c][g];
                    keepOnePerLayer(program, children[c]);
                    for (int g = 0; g < genes; ++g) masks.set(c, g, children[c][g]);
                }
                evaluator.evaluate(masks, LAMBDA, objectives); // one native call for the whole offspring
                for (int c = 0; c < LAMBDA; ++c) {
                    double f = fitness(objectives.mse(c), children[c]);
                    if (f <= parentFitness) {
                        parentFitness = f;
                        parent = children[c];
                    }
                }
            }
            assertTrue(parentFitness < 0.8 * initial, "the EA must improve: " + initial + " -> " + parentFitness);
            // The evaluator is deterministic: re-evaluating the winner alone gives the recorded fitness.
            assertEquals(parentFitness, fitnessOf(evaluator, masks, objectives, parent));
        }
    }

    private static double fitnessOf(
            PopulationEvaluator evaluator, PopulationMasks masks, Objectives objectives, boolean[] genome) {
        for (int g = 0; g < genome.length; ++g) masks.set(0, g, genome[g]);
        evaluator.evaluate(masks, 1, objectives);
        return fitness(objectives.mse(0), genome);
    }

    private static double fitness(float mse, boolean[] genome) {
        int kept = 0;
        for (boolean k : genome) kept += k ? 1 : 0;
        return mse + COST_WEIGHT * kept / genome.length;
    }

    /** The evaluator rejects a mask that empties a layer: keep the first channel of each group. */
    private static void keepOnePerLayer(SubnetProgram program, boolean[] genome) {
        for (int group = 0; group < program.groupSizes().length; ++group) {
            int start = program.groupOffset(group);
            boolean any = false;
            for (int g = 0; g < program.groupSizes()[group]; ++g) any |= genome[start + g];
            if (!any) genome[start] = true;
        }
    }

    /** conv(3->12) relu conv(12->12, stride 2) relu head(12->5); both convs prunable: 24 genes. */
    private static SubnetProgram classifier(Random r) {
        SubnetProgramBuilder b = new SubnetProgramBuilder(C, H, W);
        var x = b.relu(b.conv(
                "conv1", b.input(), gaussian(r, WIDTH * C * 9, 0.4), gaussian(r, WIDTH, 0.1), WIDTH, 3, 1, 1, true));
        x = b.relu(
                b.conv("conv2", x, gaussian(r, WIDTH * WIDTH * 9, 0.2), gaussian(r, WIDTH, 0.1), WIDTH, 3, 2, 1, true));
        return b.build(b.head("fc", x, gaussian(r, CLASSES * WIDTH, 0.5), gaussian(r, CLASSES, 0.1), CLASSES));
    }

    /** The unpruned program's outputs (all channels kept): the reference the MSE objective compares against. */
    private static float[] denseLogits(SubnetProgram program, float[] input) {
        int floats = BATCH * program.outputSize();
        UnsafeBuffer outputs = EvaluationData.floats(new float[floats]);
        try (NativeCpuEvaluator dense =
                new NativeCpuEvaluator(program, EvaluationData.of(input, BATCH, null, null), 1)) {
            dense.forward(new PopulationMasks(1, program.numGenes()), 1, outputs); // a new mask keeps every channel
        }
        float[] logits = new float[floats];
        for (int i = 0; i < floats; ++i) logits[i] = outputs.getFloat(i * Float.BYTES);
        return logits;
    }

    private static float[] gaussian(Random r, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; ++i) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }
}
