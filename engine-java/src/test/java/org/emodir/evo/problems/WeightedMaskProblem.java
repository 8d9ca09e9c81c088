package org.emodir.evo.problems;

import java.util.Arrays;
import org.emodir.evo.BatchProblem;
import org.emodir.evo.Encoding;
import org.emodir.evo.MaskLayout;
import org.emodir.evo.MaskRepair;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;
import org.emodir.evo.Rng;

/**
 * A channel-pruning stand-in with a known optimum: objective 1 is the number of channels kept
 * (the cost), objective 2 the summed importance weight of the removed channels (the damage).
 * Each layer must keep its min-keep channels (enforced by {@link MaskRepair}) and the kept count
 * must stay within a budget (constraint: {@code kept - budget <= 0}, like a FLOPs budget).
 */
public final class WeightedMaskProblem implements BatchProblem {
    private final MaskLayout layout;
    private final double[] weights;
    private final int budget;
    private final MaskRepair repair;

    public WeightedMaskProblem(MaskLayout layout, double[] weights, int budget) {
        if (weights.length != layout.genes()) {
            throw new IllegalArgumentException(weights.length + " weights for a mask of " + layout.genes() + " genes");
        }
        this.layout = layout;
        this.weights = weights.clone();
        this.budget = budget;
        this.repair = new MaskRepair(layout);
    }

    @Override
    public Encoding encoding() {
        return Encoding.BINARY;
    }

    @Override
    public int genes() {
        return layout.genes();
    }

    @Override
    public int numObjectives() {
        return 2;
    }

    @Override
    public int numConstraints() {
        return 1;
    }

    public MaskLayout layout() {
        return layout;
    }

    @Override
    public void evaluate(Population pop, int from, int to, ObjectiveMatrix out) {
        int genes = layout.genes();
        for (int row = from; row < to; row++) {
            int kept = 0;
            double removed = 0;
            for (int g = 0; g < genes; g++) {
                int bit = pop.bit(row, g);
                kept += bit;
                removed += (1 - bit) * weights[g];
            }
            out.setObjective(row, 0, kept);
            out.setObjective(row, 1, removed);
            out.setConstraint(row, 0, kept - budget);
        }
    }

    @Override
    public void repair(Population pop, int from, int to, Rng rng) {
        repair.repair(pop, from, to, rng);
    }

    /**
     * The exact feasible Pareto front, one point per kept count from the sum of min-keeps up to
     * the budget: keeping K channels, the best choice keeps the min-keep heaviest channels of every
     * layer and then the heaviest of the rest (an exchange argument shows nothing beats it).
     */
    public double[][] trueFront() {
        int genes = layout.genes();
        boolean[] mandatory = new boolean[genes];
        int minTotal = 0;
        double mandatoryWeight = 0;
        for (int group = 0; group < layout.groups(); group++) {
            Integer[] idx = new Integer[layout.size(group)];
            for (int k = 0; k < idx.length; k++) {
                idx[k] = layout.start(group) + k;
            }
            Arrays.sort(idx, (a, b) -> Double.compare(weights[b], weights[a]));
            for (int k = 0; k < layout.minKeep(group); k++) {
                mandatory[idx[k]] = true;
                mandatoryWeight += weights[idx[k]];
            }
            minTotal += layout.minKeep(group);
        }
        double[] rest = new double[genes - minTotal];
        double total = 0;
        for (int g = 0, k = 0; g < genes; g++) {
            total += weights[g];
            if (!mandatory[g]) {
                rest[k++] = weights[g];
            }
        }
        Arrays.sort(rest); // ascending: the heaviest are at the end
        int maxKept = Math.min(budget, genes);
        double[][] front = new double[maxKept - minTotal + 1][];
        double keptWeight = mandatoryWeight;
        for (int kept = minTotal; kept <= maxKept; kept++) {
            if (kept > minTotal) {
                keptWeight += rest[rest.length - (kept - minTotal)];
            }
            front[kept - minTotal] = new double[] {kept, total - keptWeight};
        }
        return front;
    }
}
