package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.emodir.gpir.TorchHeldOut;
import org.emodir.model.PrunedModel;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.JointSchemeSolver;
import org.emodir.scheme.SchemeCandidates;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.emodir.train.CrossNetworkTrainer;

/**
 * The paper's order (issue 15, {@code --bridge-top-k K}): cross-network constraint training makes the pruned
 * sub-networks work on each other's features before GPIR ranks them. The exact scheme on the untrained fronts is the
 * anchor; it is constraint-trained sub-network by sub-network as the recipe would. Then, per sub-network in forward
 * order, the {@code K} front solutions nearest the anchor's choice in MACs (the anchor's among them, already trained
 * with the anchor scheme) are each constraint-trained on the features the trained anchors before it produce, and each one's global impairment is
 * measured as GPIR's (only that sub-network replaced, held-out images, the dense network's held-out CE as the
 * reference). The bridged fronts hold keep-all and these trained candidates; the joint scheme is chosen on them. The
 * applied scheme is then trained by the recipe from the dense weights, like every baseline.
 */
final class BridgePhase {
    /**
     * One trained candidate: its front index, MACs, untrained and bridged global impairment; {@code anchor} when it is
     * the anchor scheme's own choice (trained with the anchor, not again).
     */
    record Candidate(
            int subnet, int index, long macs, double untrainedImpairment, double bridgedImpairment, boolean anchor) {}

    /** The bridged fronts, the candidates' measurements, and the training steps spent. */
    record Bridged(List<SubnetFront> fronts, List<Candidate> candidates, long trainingSteps) {}

    private BridgePhase() {}

    /** {@code measured} unchanged when bridging is off. */
    static List<SubnetFront> fronts(GpirPhase.Measured measured, Bridged bridged) {
        return bridged == null ? measured.fronts() : bridged.fronts();
    }

    static Bridged run(RunInputs in, Features f, GpirPhase.Measured measured, FineTuneRecipe recipe, PhaseLog phases)
            throws IOException {
        int k = in.cfg().bridgeTopK();
        if (k == 0) return null;
        return phases.run(
                "bridge",
                k + " candidates per sub-network constraint-trained before the ranking",
                Bridged.class,
                () -> bridge(in, f, SchemeCandidates.nonNegative(measured.fronts()), recipe, k));
    }

    private static Bridged bridge(RunInputs in, Features f, List<SubnetFront> fronts, FineTuneRecipe recipe, int k) {
        JointScheme anchor =
                JointSchemeSolver.solve(fronts, in.networkCost(), in.cfg().target());
        byte[][] anchorMasks = NetworkMasks.perGroup(in, NetworkMasks.of(in, anchor.choices()));
        PrunedModel anchors =
                PrunedModel.fromMasks(in.spec(), in.weights(), in.spec().prunableGroups(), anchorMasks);
        phases(recipe).message("bridge: training the anchor scheme's sub-networks in order");
        StateDict trainedAnchors = new CrossNetworkTrainer()
                .train(in.dense(), anchors, in.train(), recipe.constraints(anchorMasks), phases(recipe)::message);
        long steps = (long) in.cfg().constraintSteps() * in.subnets().size();
        List<SubnetFront> bridged = new ArrayList<>();
        List<Candidate> rows = new ArrayList<>();
        try (TorchNet anchorNet = new PrunedModel(anchors.spec(), trainedAnchors).toTorchNet()) {
            for (Subnet sn : in.subnets()) {
                SubnetFront front = fronts.get(sn.index());
                double denseCe = TorchHeldOut.lossAndTop1(in.dense(), f.heldOut(), sn.firstBlock())[0];
                List<SubnetSolution> trained = new ArrayList<>();
                SubnetSolution own = anchor.choices().get(sn.index());
                for (SubnetSolution c : nearest(front, own, k)) {
                    // The anchor's own choice was trained just so with the anchor scheme: measure that, don't retrain.
                    boolean isOwn = c.index() == own.index();
                    double ce = isOwn
                            ? measureAlone(in, f, fronts, anchorNet, sn, c)
                            : trainAndMeasure(in, f, recipe, fronts, anchor, anchorNet, sn, c);
                    trained.add(c.withGlobalImpairment(ce - denseCe));
                    rows.add(new Candidate(sn.index(), c.index(), c.macs(), c.globalImpairment(), ce - denseCe, isOwn));
                    if (!isOwn) steps += in.cfg().constraintSteps();
                    phases(recipe)
                            .message(String.format(
                                    "bridge %s: candidate %d (%d MACs) impairment untrained %.4f, bridged %.4f",
                                    sn.name(), c.index(), c.macs(), c.globalImpairment(), ce - denseCe));
                }
                bridged.add(
                        new SubnetFront(front.subnet(), front.name(), front.denseMacs(), front.denseParams(), trained));
            }
        }
        return new Bridged(List.copyOf(bridged), List.copyOf(rows), steps);
    }

    /** The {@code k} pruned solutions of {@code front} nearest {@code anchor} in MACs (the anchor first if pruned). */
    static List<SubnetSolution> nearest(SubnetFront front, SubnetSolution anchor, int k) {
        return front.measured().stream()
                .filter(s -> !s.isDense())
                .sorted(Comparator.<SubnetSolution>comparingLong(s -> Math.abs(s.macs() - anchor.macs()))
                        .thenComparingInt(SubnetSolution::index))
                .limit(k)
                .toList();
    }

    /**
     * Trains {@code candidate} in place of the anchor's choice for {@code sn}, fed by the trained anchors before it;
     * returns the held-out CE of the dense network with only {@code sn} replaced by the trained candidate.
     */
    private static double trainAndMeasure(
            RunInputs in,
            Features f,
            FineTuneRecipe recipe,
            List<SubnetFront> fronts,
            JointScheme anchor,
            TorchNet anchorNet,
            Subnet sn,
            SubnetSolution candidate) {
        List<SubnetSolution> choices = new ArrayList<>(anchor.choices());
        choices.set(sn.index(), candidate);
        byte[][] masks = NetworkMasks.perGroup(in, NetworkMasks.of(in, choices));
        try (PointerScope scope = new PointerScope();
                TorchNet student = PrunedModel.fromMasks(
                                in.spec(), in.weights(), in.spec().prunableGroups(), masks)
                        .toTorchNet()) {
            if (sn.firstBlock() > 0) student.replaceBlocks(0, sn.firstBlock(), anchorNet);
            CrossNetworkTrainer.Config cc = recipe.constraints(masks)
                    .subnets(List.of(new int[] {sn.firstBlock(), sn.endBlock()}))
                    .progressEvery(0);
            StateDict weights = new CrossNetworkTrainer()
                    .train(in.dense(), new PrunedModel(student.spec(), student.toStateDict()), in.train(), cc, s -> {});
            try (TorchNet trained = new PrunedModel(student.spec(), weights).toTorchNet()) {
                return measureAlone(in, f, fronts, trained, sn, candidate);
            }
        }
    }

    /**
     * GPIR's measure of a trained candidate: the held-out CE of the network with only {@code sn} pruned (to {@code
     * candidate}, its blocks taken from {@code trained}) and every other sub-network keep-all.
     */
    private static double measureAlone(
            RunInputs in, Features f, List<SubnetFront> fronts, TorchNet trained, Subnet sn, SubnetSolution candidate) {
        List<SubnetSolution> alone = new ArrayList<>();
        for (SubnetFront fr : fronts) alone.add(fr.subnet() == sn.index() ? candidate : fr.dense());
        byte[][] aloneMasks = NetworkMasks.perGroup(in, NetworkMasks.of(in, alone));
        try (PointerScope scope = new PointerScope();
                TorchNet measured = PrunedModel.fromMasks(
                                in.spec(), in.weights(), in.spec().prunableGroups(), aloneMasks)
                        .toTorchNet()) {
            measured.replaceBlocks(sn.firstBlock(), sn.endBlock(), trained);
            return TorchHeldOut.lossAndTop1(measured, f.heldOut(), sn.firstBlock())[0];
        }
    }

    private static org.emodir.run.ProgressListener phases(FineTuneRecipe recipe) {
        return recipe.phases().progress();
    }
}
