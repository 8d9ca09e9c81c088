package org.emodir.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.evo.Nsga2;
import org.emodir.evo.Nsga2Config;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;
import org.emodir.program.ProgramMacs;
import org.emodir.program.SubnetProgram;
import org.junit.jupiter.api.Test;

class MaskEvaluationProblemTest {
    private static final int N = 12;
    private final SubnetProgram program = TinyPrograms.classifier(3);
    private final EvaluationData data = TinyPrograms.data(program, 6, 4);

    @Test
    void objectivesAreTheMacRatioAndTheEvaluatorsMse() {
        try (NativeCpuEvaluator evaluator = new NativeCpuEvaluator(program, data, 1)) {
            MaskEvaluationProblem problem = new MaskEvaluationProblem(program, evaluator, 1, 4);
            int rows = 10; // more rows than the problem's capacity: evaluated in three calls
            Population pop = new Population(problem.encoding(), rows, problem.genes());
            for (int r = 0; r < rows; ++r) {
                for (int g = 0; g < problem.genes(); ++g) pop.setBit(r, g, (r + g) % (r % 3 + 2) == 0 ? 0 : 1);
            }
            problem.repair(pop, 0, rows, new org.emodir.evo.Rng(1));
            ObjectiveMatrix out = new ObjectiveMatrix(rows, 2, 0);
            problem.evaluate(pop, 0, rows, out);
            PopulationMasks masks = new PopulationMasks(rows, problem.genes());
            for (int r = 0; r < rows; ++r) {
                for (int g = 0; g < problem.genes(); ++g) masks.set(r, g, pop.bit(r, g) == 1);
            }
            Objectives direct = new Objectives(rows);
            evaluator.evaluate(masks, rows, direct);
            ProgramMacs macs = ProgramMacs.of(program);
            for (int r = 0; r < rows; ++r) {
                int[] kept = {problem.layout().kept(pop, r, 0), problem.layout().kept(pop, r, 1)};
                assertEquals(macs.ratio(kept), out.objective(r, MaskEvaluationProblem.FLOPS_RATIO), "row " + r);
                assertEquals(direct.mse(r), out.objective(r, MaskEvaluationProblem.MSE), "row " + r);
            }
        }
    }

    /** Diverging candidates (NaN MSE) must not stop NSGA-II and must rank behind every finite individual. */
    @Test
    void nanFitnessFromTheEvaluatorIsRankedLastAndTheRunContinues() {
        try (PopulationEvaluator diverging = new DivergingEvaluator(new NativeCpuEvaluator(program, data, 1))) {
            MaskEvaluationProblem problem = new MaskEvaluationProblem(program, diverging, 1, N);
            Nsga2 nsga2 = new Nsga2(problem, Nsga2Config.binaryDefaults(N, 11, problem.genes()));
            assertTrue(nanRankedLast(nsga2, 0) > 0, "the random initial population must contain NaN individuals");
            nsga2.setListener((generation, evaluations, front) -> nanRankedLast(nsga2, generation));
            nsga2.run(15);
            assertEquals(15, nsga2.generation());
            assertTrue(((DivergingEvaluator) diverging).nans > 0, "the wrapper must have produced NaNs");
            for (double[] point : nsga2.firstFrontObjectives()) {
                assertTrue(Double.isFinite(point[MaskEvaluationProblem.MSE]), "NaN individual on the first front");
            }
        }
    }

    /** Asserts every NaN individual of the population ranks behind every finite one; returns how many there are. */
    private static int nanRankedLast(Nsga2 nsga2, int generation) {
        int worstFinite = -1, bestNan = Integer.MAX_VALUE, nans = 0;
        for (int i = 0; i < nsga2.populationSize(); ++i) {
            if (Double.isNaN(nsga2.objectives().objective(i, MaskEvaluationProblem.MSE))) {
                bestNan = Math.min(bestNan, nsga2.rank(i));
                ++nans;
            } else {
                worstFinite = Math.max(worstFinite, nsga2.rank(i));
            }
        }
        assertTrue(
                bestNan > worstFinite,
                "generation " + generation + ": a NaN individual has rank " + bestNan + ", a finite one "
                        + worstFinite);
        return nans;
    }

    /** Reports NaN MSE for every individual that keeps gene 0 off (a stand-in for a diverging fine-tune). */
    private static final class DivergingEvaluator implements PopulationEvaluator {
        private final PopulationEvaluator inner;
        int nans;

        DivergingEvaluator(PopulationEvaluator inner) {
            this.inner = inner;
        }

        @Override
        public int numGenes() {
            return inner.numGenes();
        }

        @Override
        public void evaluate(PopulationMasks masks, int population, Objectives out) {
            inner.evaluate(masks, population, out);
            for (int i = 0; i < population; ++i) {
                if (!masks.kept(i, 0)) {
                    out.set(i, Objectives.MSE, Float.NaN);
                    ++nans;
                }
            }
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
