package org.emodir.search;

import org.emodir.eval.EvaluatedMaskProblem;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.evo.MaskLayout;
import org.emodir.evo.MaskRepair;
import org.emodir.evo.ObjectiveMatrix;
import org.emodir.evo.Population;
import org.emodir.evo.Rng;
import org.emodir.model.ChannelPruner;
import org.emodir.model.CostModel;
import org.emodir.model.io.StateDict;

/**
 * Channel-mask search over one {@link Subnet}, both objectives minimised: (0) remaining MACs of the
 * sub-network / its dense MACs, exact from {@link CostModel}; (1) impairment measured by the native
 * evaluator on a fixed batch: the output MSE divided by the dense output's mean square
 * ({@link Impairment#NORMALISED_MSE}, sub-networks) or the mean cross-entropy ({@link Impairment#CROSS_ENTROPY},
 * programs ending with the classifier).
 *
 * <p>The initial population is spread over keep densities (row i keeps a fraction i/(N-1) of the channels)
 * so the front covers deep prunings from generation 0; uniform 50% bits would start every individual near
 * half the FLOPs. With {@link #seedWithL1} the even rows keep, per layer, the channels of largest L1 filter
 * norm (the classic magnitude heuristic) and the odd rows random channels, so the search starts from the
 * heuristic's trade-off and improves on it instead of on random masks.
 */
public final class MaskProblem extends EvaluatedMaskProblem {
    public enum Impairment {
        NORMALISED_MSE,
        CROSS_ENTROPY
    }

    private final Subnet subnet;
    private final CostModel cost;
    private final Impairment impairment;
    private final double mseScale;
    private final int images;
    private final long denseMacs;
    private final MaskRepair repair;
    private final byte[] row;
    private StateDict seedWeights;
    private long forwardMacs;
    private long evaluations;

    /**
     * @param mseScale dense reference mean square (NORMALISED_MSE) ; ignored for CROSS_ENTROPY
     * @param images   images each individual is evaluated on (for the forward-FLOPs count)
     * @param capacity most individuals evaluated in one call (2 x population for NSGA-II)
     */
    public MaskProblem(
            Subnet subnet,
            PopulationEvaluator evaluator,
            CostModel cost,
            Impairment impairment,
            double mseScale,
            int images,
            int capacity) {
        super(matching(subnet, evaluator), capacity);
        this.subnet = subnet;
        this.cost = cost;
        this.impairment = impairment;
        this.mseScale = mseScale > 0 ? mseScale : 1.0;
        this.images = images;
        this.denseMacs = cost.blockMacs(subnet.firstBlock(), subnet.endBlock());
        this.repair = new MaskRepair(subnet.layout());
        this.row = new byte[subnet.genes()];
    }

    private static PopulationEvaluator matching(Subnet subnet, PopulationEvaluator evaluator) {
        if (evaluator.numGenes() != subnet.genes()) {
            throw new IllegalArgumentException("sub-network " + subnet.name() + " has " + subnet.genes()
                    + " genes but its program has " + evaluator.numGenes());
        }
        return evaluator;
    }

    /** Seeds half the initial population with L1-norm masks from these (dense) weights. */
    public MaskProblem seedWithL1(StateDict weights) {
        this.seedWeights = weights;
        return this;
    }

    @Override
    protected void score(Population pop, int r, Objectives measured, int i, ObjectiveMatrix out) {
        for (int g = 0; g < row.length; g++) row[g] = (byte) pop.bit(r, g);
        long macs = remainingMacs(row);
        forwardMacs += macs * images;
        out.setObjective(r, 0, (double) macs / denseMacs);
        out.setObjective(
                r, 1, impairment == Impairment.NORMALISED_MSE ? measured.mse(i) / mseScale : measured.crossEntropy(i));
        evaluations++;
    }

    @Override
    public void repair(Population pop, int from, int to, Rng rng) {
        if (from == 0) {
            // Initialisation (offspring live in rows N..2N-1): spread the keep densities.
            int n = to - from;
            for (int r = from; r < to; r++) {
                double keep = n == 1 ? 1.0 : (double) r / (n - 1);
                for (int g = 0; g < pop.genes(); g++) pop.setBit(r, g, rng.nextDouble() < keep ? 1 : 0);
                if (seedWeights != null && r % 2 == 0) seedL1(pop, r, keep);
            }
        }
        repair.repair(pop, from, to, rng);
    }

    private void seedL1(Population pop, int row, double keep) {
        MaskLayout layout = subnet.layout();
        for (int grp = 0; grp < layout.groups(); grp++) {
            int size = layout.size(grp);
            int k = Math.max(layout.minKeep(grp), Math.min(size, (int) Math.round(keep * size)));
            for (int i = 0; i < size; i++) pop.setBit(row, layout.start(grp) + i, 0);
            for (int c : ChannelPruner.l1Selection(seedWeights, subnet.groups().get(grp), k)) {
                pop.setBit(row, layout.start(grp) + c, 1);
            }
        }
    }

    /** Remaining MACs of the sub-network's own layers, its input at full width (blocks of the whole network for the baseline). */
    public long remainingMacs(byte[] mask) {
        return denseMacs - cost.removedMacsInBlocks(subnet.firstBlock(), subnet.endBlock(), subnet.groups(), mask, 0);
    }

    public long remainingParams(byte[] mask) {
        return cost.blockParams(subnet.firstBlock(), subnet.endBlock())
                - cost.removedParamsInBlocks(subnet.firstBlock(), subnet.endBlock(), subnet.groups(), mask, 0);
    }

    public long denseMacs() {
        return denseMacs;
    }

    public long subnetParamsDense() {
        return cost.blockParams(subnet.firstBlock(), subnet.endBlock());
    }

    public Subnet subnet() {
        return subnet;
    }
    /** MACs of every forward pass run so far (individual's remaining MACs x images). */
    public long forwardMacs() {
        return forwardMacs;
    }

    public void addForwardMacs(long macs) {
        forwardMacs += macs;
    }

    public long evaluations() {
        return evaluations;
    }
}
