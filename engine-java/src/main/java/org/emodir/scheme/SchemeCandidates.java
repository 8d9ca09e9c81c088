package org.emodir.scheme;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * The few best joint schemes by predicted impairment, for measuring as whole networks: GPIR's sum of per-sub-network
 * impairments can miss the measured loss badly (impairments do not add), so the applied scheme is chosen among these
 * on images GPIR did not see (issue 15).
 *
 * <p>Candidates: the exact optimum, and for every front option the optimum with that front's choice forced to it. The
 * second best scheme differs from the optimum in some front's choice, and the optimum forced to that choice is at
 * least as good, so the second best is among them; later ranks are approximate, which is all a short list to measure
 * needs.
 */
public final class SchemeCandidates {
    private SchemeCandidates() {}

    /** At most {@code n} distinct feasible schemes, least predicted impairment first; the first is the exact optimum. */
    public static List<JointScheme> best(List<SubnetFront> fronts, NetworkCost cost, PruningTarget target, int n) {
        if (n < 1) throw new IllegalArgumentException("n must be >= 1, got " + n);
        JointScheme optimum = JointSchemeSolver.solve(fronts, cost, target);
        Map<String, JointScheme> distinct = new LinkedHashMap<>();
        distinct.put(key(optimum), optimum);
        for (int i = 0; i < fronts.size() && n > 1; i++) {
            for (SubnetSolution s : fronts.get(i).solutions()) {
                if (!s.isDense() && !s.hasGlobalImpairment()) continue;
                JointScheme j = forced(fronts, i, s, cost, target);
                if (j != null) distinct.putIfAbsent(key(j), j);
            }
        }
        List<JointScheme> sorted = new ArrayList<>(distinct.values());
        sorted.subList(1, sorted.size())
                .sort(java.util.Comparator.comparingDouble(JointScheme::predictedImpairment)
                        .thenComparing(j -> -j.macs()));
        return List.copyOf(sorted.subList(0, Math.min(n, sorted.size())));
    }

    /**
     * The fronts with negative global impairments set to zero: pruning channels does not improve a pretrained network,
     * so a negative measurement is noise, and summing noise would favour schemes for luck.
     */
    public static List<SubnetFront> nonNegative(List<SubnetFront> fronts) {
        List<SubnetFront> out = new ArrayList<>(fronts.size());
        for (SubnetFront f : fronts) {
            List<SubnetSolution> sols = f.solutions().stream()
                    .map(s -> s.hasGlobalImpairment() && s.globalImpairment() < 0 ? s.withGlobalImpairment(0.0) : s)
                    .toList();
            out.add(new SubnetFront(f.subnet(), f.name(), f.denseMacs(), f.denseParams(), sols));
        }
        return out;
    }

    /** The best scheme whose front {@code i} is {@code s}: the other fronts solved for what {@code s} leaves to remove. */
    private static JointScheme forced(
            List<SubnetFront> fronts, int i, SubnetSolution s, NetworkCost cost, PruningTarget target) {
        SubnetFront front = fronts.get(i);
        long left = target.requiredRemoval(cost) - target.removedBy(front, s);
        List<SubnetFront> others = new ArrayList<>(fronts);
        others.remove(i);
        List<SubnetSolution> rest;
        if (left <= 0 || others.isEmpty()) {
            if (left > 0) return null;
            rest = others.stream().map(SubnetFront::dense).toList();
        } else {
            // The rest of the network without front i; a fraction of it whose requiredRemoval is exactly 'left'.
            NetworkCost without =
                    new NetworkCost(cost.totalMacs() - front.denseMacs(), cost.totalParams() - front.denseParams());
            PruningTarget t = exactTarget(target.kind(), left, without);
            if (t == null) return null;
            try {
                rest = JointSchemeSolver.solve(others, without, t).choices();
            } catch (InfeasibleTargetException e) {
                return null; // s cannot be part of a scheme that meets the target
            }
        }
        List<SubnetSolution> choices = new ArrayList<>(rest);
        choices.add(i, s.isDense() ? s.withGlobalImpairment(0.0) : s);
        return JointScheme.of(fronts, choices, cost, JointScheme.Method.EXACT);
    }

    /** A target on {@code cost} whose required removal is exactly {@code removal}, or null if that is all of it. */
    private static PruningTarget exactTarget(PruningTarget.Kind kind, long removal, NetworkCost cost) {
        long total = kind == PruningTarget.Kind.FLOPS ? cost.totalMacs() : cost.totalParams();
        if (removal >= total) return null;
        double f = (double) removal / total;
        for (int step = 0; step < 64; step++) {
            long r = new PruningTarget(kind, f).requiredRemoval(cost);
            if (r == removal) return new PruningTarget(kind, f);
            f = r > removal ? Math.nextDown(f) : Math.nextUp(f);
        }
        throw new IllegalStateException("no fraction of " + total + " requires exactly " + removal);
    }

    private static String key(JointScheme j) {
        StringBuilder b = new StringBuilder();
        for (SubnetSolution s : j.choices())
            b.append(s.subnet()).append(':').append(s.index()).append(',');
        return b.toString();
    }
}
