package org.emodir.nativ;

import org.emodir.program.ProgramMacs;
import org.emodir.program.SubnetProgram;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.evo.BatchProblem;
import org.emodir.evo.Encoding;
import org.emodir.evo.MaskLayout;
import org.emodir.evo.MaskRepair;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;
import org.emodir.evo.Rng;

/**
 * A {@link PopulationEvaluator} as an NSGA-II {@link BatchProblem}: binary genes are the program's channel
 * masks; objective 0 is the MAC ratio ({@link ProgramMacs}), objective 1 the output MSE against the
 * evaluation data's reference. One evaluator call per generation; a NaN MSE (diverging candidate) is passed
 * through for the engine to rank last. Repair keeps {@code minKeep} channels per layer so that no candidate
 * removes a whole layer.
 */
public final class MaskEvaluationProblem implements BatchProblem {
    public static final int FLOPS_RATIO = 0;
    public static final int MSE = 1;

    private final PopulationEvaluator evaluator;
    private final ProgramMacs macs;
    private final MaskLayout layout;
    private final MaskRepair repair;
    private final PopulationMasks masks;
    private final Objectives objectives;
    private final int[] kept;

    /** {@code capacity}: the most rows one {@link #evaluate} call passes (NSGA-II: the population size). */
    public MaskEvaluationProblem(SubnetProgram program, PopulationEvaluator evaluator, int minKeep, int capacity) {
        if (evaluator.numGenes() != program.numGenes()) {
            throw new IllegalArgumentException("evaluator has " + evaluator.numGenes() + " genes, program has "
                    + program.numGenes());
        }
        this.evaluator = evaluator;
        this.macs = ProgramMacs.of(program);
        this.layout = MaskLayout.uniformMinKeep(program.groupSizes(), minKeep);
        this.repair = new MaskRepair(layout);
        this.masks = new PopulationMasks(capacity, program.numGenes());
        this.objectives = new Objectives(capacity);
        this.kept = new int[layout.groups()];
    }

    @Override public Encoding encoding() { return Encoding.BINARY; }
    @Override public int genes() { return layout.genes(); }
    @Override public int numObjectives() { return 2; }
    @Override public int numConstraints() { return 0; }
    public MaskLayout layout() { return layout; }

    @Override
    public void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
        int genes = layout.genes();
        for (int start = from; start < to; start += masks.capacity()) {
            int count = Math.min(masks.capacity(), to - start);
            for (int i = 0; i < count; ++i) {
                // BINARY rows hold exactly 0/1 bytes: the same encoding the masks use.
                masks.buffer().putBytes(i * genes, pop.buffer(), (start + i) * pop.rowStride(), genes);
            }
            evaluator.evaluate(masks, count, objectives);
            for (int i = 0; i < count; ++i) {
                int row = start + i;
                for (int g = 0; g < kept.length; ++g) kept[g] = layout.kept(pop, row, g);
                out.setObjective(row, FLOPS_RATIO, macs.ratio(kept));
                out.setObjective(row, MSE, objectives.mse(i));
            }
        }
    }

    @Override
    public void repair(Population pop, int from, int to, Rng rng) {
        repair.repair(pop, from, to, rng);
    }
}
