package org.emodir.engine;

import org.emodir.eval.EvaluatedMaskProblem;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.evo.MaskLayout;
import org.emodir.evo.MaskRepair;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;
import org.emodir.evo.Rng;
import org.emodir.program.ProgramMacs;
import org.emodir.program.SubnetProgram;

/**
 * A {@link PopulationEvaluator} as an NSGA-II {@link org.emodir.evo.BatchProblem}: binary genes are the program's channel
 * masks; objective 0 is the MAC ratio ({@link ProgramMacs}), objective 1 the output MSE against the
 * evaluation data's reference. One evaluator call per generation; a NaN MSE (diverging candidate) is passed
 * through for the engine to rank last. Repair keeps {@code minKeep} channels per layer so that no candidate
 * removes a whole layer.
 */
public final class MaskEvaluationProblem extends EvaluatedMaskProblem {
    public static final int FLOPS_RATIO = 0;
    public static final int MSE = 1;

    private final ProgramMacs macs;
    private final MaskLayout layout;
    private final MaskRepair repair;
    private final int[] kept;

    /** {@code capacity}: the most rows one {@link #evaluate} call passes (NSGA-II: the population size). */
    public MaskEvaluationProblem(SubnetProgram program, PopulationEvaluator evaluator, int minKeep, int capacity) {
        super(matching(program, evaluator), capacity);
        this.macs = ProgramMacs.of(program);
        this.layout = MaskLayout.uniformMinKeep(program.groupSizes(), minKeep);
        this.repair = new MaskRepair(layout);
        this.kept = new int[layout.groups()];
    }

    private static PopulationEvaluator matching(SubnetProgram program, PopulationEvaluator evaluator) {
        if (evaluator.numGenes() != program.numGenes()) {
            throw new IllegalArgumentException(
                    "evaluator has " + evaluator.numGenes() + " genes, program has " + program.numGenes());
        }
        return evaluator;
    }

    public MaskLayout layout() {
        return layout;
    }

    @Override
    protected void score(Population pop, int row, Objectives measured, int i, ObjectiveMatrix out) {
        for (int g = 0; g < kept.length; ++g) kept[g] = layout.kept(pop, row, g);
        out.setObjective(row, FLOPS_RATIO, macs.ratio(kept));
        out.setObjective(row, MSE, measured.mse(i));
    }

    @Override
    public void repair(Population pop, int from, int to, Rng rng) {
        repair.repair(pop, from, to, rng);
    }
}
