package org.emodir.eval;

import org.emodir.evo.BatchProblem;
import org.emodir.evo.Encoding;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;

/**
 * A {@link PopulationEvaluator} as a binary, two-objective, unconstrained NSGA-II {@link BatchProblem}: the genes
 * are the evaluator's channel masks. {@link #evaluate} copies the rows into {@link PopulationMasks} (BINARY rows
 * hold exactly 0/1 bytes: the masks' encoding) and makes one evaluator call per {@code capacity} rows; a subclass
 * turns each row's measurement into its objectives ({@link #score}) and repairs the masks.
 * Subclasses: the standalone {@code nativ.MaskEvaluationProblem} and the pipeline's {@code MaskProblem}.
 */
public abstract class EvaluatedMaskProblem implements BatchProblem {
    private final PopulationEvaluator evaluator;
    private final PopulationMasks masks;
    private final Objectives measured;
    private final int genes;

    /** {@code capacity}: the most rows one evaluator call gets (NSGA-II: the population size or twice it). */
    protected EvaluatedMaskProblem(PopulationEvaluator evaluator, int capacity) {
        this.evaluator = evaluator;
        this.genes = evaluator.numGenes();
        this.masks = new PopulationMasks(capacity, genes);
        this.measured = new Objectives(capacity);
    }

    @Override
    public final Encoding encoding() {
        return Encoding.BINARY;
    }

    @Override
    public final int genes() {
        return genes;
    }

    @Override
    public final int numObjectives() {
        return 2;
    }

    @Override
    public final int numConstraints() {
        return 0;
    }

    @Override
    public final void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
        for (int start = from; start < to; start += masks.capacity()) {
            int count = Math.min(masks.capacity(), to - start);
            for (int i = 0; i < count; ++i) {
                masks.buffer().putBytes(i * genes, pop.buffer(), (start + i) * pop.rowStride(), genes);
            }
            evaluator.evaluate(masks, count, measured);
            for (int i = 0; i < count; ++i) score(pop, start + i, measured, i, out);
        }
    }

    /** Sets row {@code row}'s objectives in {@code out}; {@code measured}'s individual {@code i} is that row. */
    protected abstract void score(Population pop, int row, Objectives measured, int i, ObjectiveMatrix out);
}
