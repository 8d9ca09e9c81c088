package org.emodir.report;

import java.util.List;
import java.util.Random;
import org.emodir.scheme.GpirRanker;
import org.emodir.scheme.JointSchemeSolver;
import org.emodir.scheme.NetworkCost;
import org.emodir.scheme.PruningTarget;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/** A complete report built from small synthetic fronts, with a hostile sub-network name. */
final class SampleReports {
    private SampleReports() {}

    static final String HOSTILE_NAME = "layer<2>&\"x\"";

    static RunReport full() {
        Random rnd = new Random(1);
        List<SubnetFront> fronts =
                List.of(front(rnd, 0, "layer1"), front(rnd, 1, HOSTILE_NAME), front(rnd, 2, "layer3"));
        NetworkCost cost = new NetworkCost(3 * 40_000 + 5_000, 3 * 4_000 + 700);
        PruningTarget target = PruningTarget.flops(0.4);
        RunReport r = new RunReport();
        r.model = "resnet56";
        r.dataset = "cifar10";
        r.config.put("generations", 30);
        r.config.put("population", 40);
        r.target = target;
        r.fronts = fronts;
        r.gpirRanking = GpirRanker.rank(fronts, cost);
        r.schemeGreedy = GpirRanker.greedy(fronts, cost, target);
        r.schemeExact = JointSchemeSolver.solve(fronts, cost, target);
        r.applyScheme(r.schemeExact, cost);
        r.tradeoff = TradeoffCurve.sweep(fronts, cost, PruningTarget.Kind.FLOPS, TradeoffCurve.evenTargets(0.1));
        r.top1Dense = 0.832;
        r.top1PrunedFinetuned = 0.85;
        r.searchForwardFlops = 123_456_789_000L;
        r.searchSeconds = 12.5;
        r.hypervolume = r.tradeoff.exactHypervolume(1.0, 1.0);
        r.phaseSeconds.put("search", 12.5);
        r.phaseSeconds.put("finetune <fast>", 3.0);
        r.versions.put("emodir", "0.1.0-SNAPSHOT");
        r.startedAt = "2026-11-25T12:00:00Z";
        r.finishedAt = "2026-11-25T12:30:00Z";
        return r;
    }

    private static SubnetFront front(Random rnd, int subnet, String name) {
        long denseMacs = 40_000;
        long denseParams = 4_000;
        SubnetSolution[] sols = new SubnetSolution[6];
        for (int i = 0; i < sols.length; i++) {
            double keep = 0.9 - 0.15 * i;
            double impairment = (1 - keep) * (0.05 + 0.1 * rnd.nextDouble());
            sols[i] = new SubnetSolution(
                    subnet,
                    i,
                    new byte[] {1, 0, 1, 1},
                    keep,
                    Math.round(denseMacs * keep),
                    Math.round(denseParams * keep),
                    impairment * 0.8,
                    impairment);
        }
        return new SubnetFront(subnet, name, denseMacs, denseParams, List.of(sols));
    }
}
