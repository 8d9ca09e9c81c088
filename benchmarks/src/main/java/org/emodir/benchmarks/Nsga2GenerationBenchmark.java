package org.emodir.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.emodir.evo.Nsga2;
import org.emodir.evo.Nsga2Config;
import org.emodir.evo.problems.Zdt;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.uma.jmetal.algorithm.multiobjective.nsgaii.NSGAII;
import org.uma.jmetal.operator.crossover.impl.SBXCrossover;
import org.uma.jmetal.operator.mutation.impl.PolynomialMutation;
import org.uma.jmetal.operator.selection.SelectionOperator;
import org.uma.jmetal.problem.doubleproblem.impl.AbstractDoubleProblem;
import org.uma.jmetal.solution.doublesolution.DoubleSolution;
import org.uma.jmetal.util.comparator.RankingAndCrowdingDistanceComparator;
import org.uma.jmetal.util.evaluator.impl.SequentialSolutionListEvaluator;
import org.uma.jmetal.util.pseudorandom.JMetalRandom;

/**
 * Time of one NSGA-II generation (tournament selection, SBX + polynomial mutation, evaluation of
 * N offspring, non-dominated sorting, crowding, survival) on 30-variable ZDT1, for the emodir
 * engine and for jMetal 6.6's NSGAII with the same N, operators and parameters. Each invocation
 * advances a persistent run by exactly one generation; see benchmarks/README-nsga2.md.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "-Xmx4g"})
public class Nsga2GenerationBenchmark {
    private static final int GENES = 30;
    private static final double CROSSOVER_PROBABILITY = 0.9;
    private static final double ETA = 20.0;
    private static final long SEED = 1;

    @Param({"100", "1000", "10000"})
    public int n;

    private Nsga2 emodirRun;
    private SteppableNsgaii jmetalRun;

    @Setup(Level.Trial)
    public void setUp() {
        Zdt zdt1 = new Zdt(Zdt.Variant.ZDT1, GENES);
        emodirRun = new Nsga2(
                zdt1,
                new Nsga2Config(
                        n,
                        SEED,
                        new org.emodir.evo.SbxCrossover(CROSSOVER_PROBABILITY, ETA),
                        new org.emodir.evo.PolynomialMutation(1.0 / GENES, ETA)));
        jmetalRun = new SteppableNsgaii(new JmetalZdt1(GENES), n);
        jmetalRun.initialise();
    }

    @Benchmark
    public long emodir() {
        emodirRun.step();
        return emodirRun.evaluations();
    }

    @Benchmark
    public int jmetal() {
        jmetalRun.step();
        return jmetalRun.getPopulation().size();
    }

    /**
     * jMetal's NSGAII with {@code run()}'s loop body exposed: one call of {@link #step} is one
     * iteration of AbstractEvolutionaryAlgorithm.run (selection, reproduction, evaluation,
     * replacement, progress), unchanged.
     */
    static final class SteppableNsgaii extends NSGAII<DoubleSolution> {
        SteppableNsgaii(JmetalZdt1 problem, int populationSize) {
            super(
                    problem,
                    Integer.MAX_VALUE,
                    populationSize,
                    populationSize,
                    populationSize,
                    new SBXCrossover(CROSSOVER_PROBABILITY, ETA),
                    new PolynomialMutation(1.0 / GENES, ETA),
                    new UniformBinaryTournament(),
                    new SequentialSolutionListEvaluator<>());
        }

        void initialise() {
            setPopulation(evaluatePopulation(createInitialPopulation()));
            initProgress();
        }

        void step() {
            List<DoubleSolution> matingPopulation = selection(getPopulation());
            List<DoubleSolution> offspring = reproduction(matingPopulation);
            offspring = evaluatePopulation(offspring);
            setPopulation(replacement(getPopulation(), offspring));
            updateProgress();
        }
    }

    /**
     * jMetal's binary tournament on (rank, crowding) with its own comparator and random source,
     * drawing two distinct solutions directly. The stock {@code BinaryTournamentSelection} of 6.6
     * builds a random permutation of the whole population through {@code LinkedList.get} for every
     * tournament (O(N^2) each, O(N^3) per generation: about 1 s per generation at N=1000 and hours
     * at N=10000), which would measure that defect rather than NSGA-II; see README-nsga2.md.
     */
    static final class UniformBinaryTournament implements SelectionOperator<List<DoubleSolution>, DoubleSolution> {
        private final RankingAndCrowdingDistanceComparator<DoubleSolution> comparator =
                new RankingAndCrowdingDistanceComparator<>();

        @Override
        public DoubleSolution execute(List<DoubleSolution> population) {
            JMetalRandom random = JMetalRandom.getInstance();
            int size = population.size();
            int a = random.nextInt(0, size - 1);
            int b = random.nextInt(0, size - 2);
            if (b >= a) {
                b++;
            }
            DoubleSolution x = population.get(a);
            DoubleSolution y = population.get(b);
            int order = comparator.compare(x, y);
            if (order == 0) {
                return random.nextDouble() < 0.5 ? x : y;
            }
            return order < 0 ? x : y;
        }
    }

    /** ZDT1 in jMetal's solution API, the same formula as {@link Zdt}. */
    static final class JmetalZdt1 extends AbstractDoubleProblem {
        JmetalZdt1(int genes) {
            numberOfObjectives(2);
            numberOfConstraints(0);
            name("ZDT1");
            List<Double> lower = new ArrayList<>();
            List<Double> upper = new ArrayList<>();
            for (int i = 0; i < genes; i++) {
                lower.add(0.0);
                upper.add(1.0);
            }
            variableBounds(lower, upper);
        }

        @Override
        public DoubleSolution evaluate(DoubleSolution solution) {
            List<Double> x = solution.variables();
            double f1 = x.get(0);
            double sum = 0;
            for (int i = 1; i < x.size(); i++) {
                sum += x.get(i);
            }
            double g = 1.0 + 9.0 * sum / (x.size() - 1);
            solution.objectives()[0] = f1;
            solution.objectives()[1] = g * (1.0 - Math.sqrt(f1 / g));
            return solution;
        }
    }
}
