package org.emodir.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.emodir.scheme.GpirRanker;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.JointSchemeSolver;
import org.emodir.scheme.NetworkCost;
import org.emodir.scheme.PruningTarget;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Joint scheme construction on synthetic Pareto fronts (every solution non-dominated, distinct
 * removals: the hard case for the exact solver's dominance pruning).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class JointSchemeBenchmark {
    @Param({"3", "16"})
    int fronts;

    @Param({"100"})
    int solutions;

    @Param({"0.5"})
    double target;

    private List<SubnetFront> paretoFronts;
    private NetworkCost cost;

    @Setup
    public void setup() {
        Random rnd = new Random(42);
        paretoFronts = new ArrayList<>(fronts);
        long macs = 500_000;
        long params = 5_000;
        for (int f = 0; f < fronts; f++) {
            long denseMacs = 1_000_000 + rnd.nextInt(9_000_000);
            long denseParams = 10_000 + rnd.nextInt(90_000);
            List<SubnetSolution> sols = new ArrayList<>(solutions);
            double impairment = 0;
            double sensitivity = 0.2 + rnd.nextDouble();
            for (int i = 0; i < solutions; i++) {
                double keep = 1.0 - 0.95 * (i + 1) / solutions;
                impairment += sensitivity * (1 - keep) * rnd.nextDouble() * 0.1;
                long m = Math.round(denseMacs * keep) - rnd.nextInt(1000);
                sols.add(new SubnetSolution(
                        f,
                        i,
                        new byte[] {1},
                        (double) m / denseMacs,
                        m,
                        Math.round(denseParams * keep),
                        impairment,
                        impairment));
            }
            paretoFronts.add(new SubnetFront(f, "stage" + f, denseMacs, denseParams, sols));
            macs += denseMacs;
            params += denseParams;
        }
        cost = new NetworkCost(macs, params);
    }

    @Benchmark
    public JointScheme exact() {
        return JointSchemeSolver.solve(paretoFronts, cost, PruningTarget.flops(target));
    }

    @Benchmark
    public JointScheme greedy() {
        return GpirRanker.greedy(paretoFronts, cost, PruningTarget.flops(target));
    }
}
