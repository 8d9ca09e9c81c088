package org.emodir.evo;

import java.nio.file.Path;

/**
 * NSGA-II (Deb et al. 2002) over off-heap populations.
 *
 * <p>Gene and objective matrices hold 2N rows: the parents in rows {@code 0..N-1} and, during a
 * generation, the offspring in rows {@code N..2N-1}, so the problem receives all offspring in one
 * {@link BatchProblem#evaluate} call and survival ranks the combined rows in place. The survivors
 * are copied into a second pair of matrices, which then swap roles. All working arrays are
 * allocated in the constructor: a generation allocates nothing.
 *
 * <p>Runs are deterministic: the same problem, configuration and seed give the same populations
 * bit for bit, including across {@link #saveState}/{@link #resume}.
 */
public final class Nsga2 {
    private final BatchProblem problem;
    private final Nsga2Config config;
    private final int n;
    private final int m;
    private final GeneBounds bounds;

    Population genes;
    Population spareGenes;
    ObjectiveMatrix objectives;
    ObjectiveMatrix spareObjectives;
    int[] rank;
    double[] crowding;
    private int[] spareRank;
    private double[] spareCrowding;

    private final Fitness fitness;
    private final NonDominatedSorting sorter;
    private final CrowdingDistance crowdingDistance;
    private final double[] combinedCrowding;
    private final double[] negatedCrowding;
    private final int[] lastFront;
    private final int[] sortScratch;
    private final int[] selected;
    private final int[] mates;

    Rng rng;
    int generation;
    long evaluations;
    private GenerationListener listener = (g, e, f) -> {};

    /** Creates a random initial population (repaired and evaluated: N evaluations). */
    public Nsga2(BatchProblem problem, Nsga2Config config) {
        this(problem, config, true);
    }

    Nsga2(BatchProblem problem, Nsga2Config config, boolean initialise) {
        if (problem.encoding() != config.encoding()) {
            throw new IllegalArgumentException("problem has " + problem.encoding() + " genes but the operators ("
                    + config.crossover().getClass().getSimpleName() + ", "
                    + config.mutation().getClass().getSimpleName() + ") work on " + config.encoding());
        }
        this.problem = problem;
        this.config = config;
        this.n = config.populationSize();
        this.m = problem.numObjectives();
        this.bounds = problem.encoding() == Encoding.REAL ? GeneBounds.of(problem) : null;
        int rows = 2 * n;
        this.genes = new Population(problem.encoding(), rows, problem.genes());
        this.spareGenes = new Population(problem.encoding(), rows, problem.genes());
        this.objectives = new ObjectiveMatrix(rows, m, problem.numConstraints());
        this.spareObjectives = new ObjectiveMatrix(rows, m, problem.numConstraints());
        this.rank = new int[n];
        this.crowding = new double[n];
        this.spareRank = new int[n];
        this.spareCrowding = new double[n];
        this.fitness = new Fitness(rows, m);
        this.sorter = new NonDominatedSorting(rows, m);
        this.crowdingDistance = new CrowdingDistance(rows, m);
        this.combinedCrowding = new double[rows];
        this.negatedCrowding = new double[rows];
        this.lastFront = new int[rows];
        this.sortScratch = new int[rows];
        this.selected = new int[n];
        this.mates = new int[n];
        this.rng = new Rng(config.seed());
        if (initialise) {
            initialise();
        }
    }

    private void initialise() {
        for (int row = 0; row < n; row++) {
            for (int g = 0; g < genes.genes(); g++) {
                if (bounds != null) {
                    double lo = bounds.lower()[g];
                    genes.setReal(row, g, lo + rng.nextDouble() * (bounds.upper()[g] - lo));
                } else {
                    genes.setBit(row, g, (int) (rng.nextLong() >>> 63));
                }
            }
        }
        problem.repair(genes, 0, n, rng);
        problem.evaluate(genes, 0, n, objectives);
        evaluations = n;
        fitness.load(objectives, 0, n);
        sorter.sort(fitness);
        for (int f = 0; f < sorter.fronts(); f++) {
            crowdingDistance.compute(fitness, sorter.orderArray(), sorter.frontStart(f), sorter.frontEnd(f), crowding);
        }
        for (int i = 0; i < n; i++) {
            rank[i] = sorter.rank(i);
        }
    }

    public void setListener(GenerationListener listener) {
        this.listener = listener == null ? (g, e, f) -> {} : listener;
    }

    /** Runs {@code count} more generations. */
    public void run(int count) {
        for (int i = 0; i < count; i++) {
            step();
        }
    }

    /** One generation: tournament, variation, repair, one batch evaluation, sorting, crowding, survival. */
    public void step() {
        for (int i = 0; i < n; i++) {
            mates[i] = tournament();
        }
        config.crossover().apply(genes, mates, n / 2, n, bounds, rng);
        config.mutation().apply(genes, n, 2 * n, bounds, rng);
        problem.repair(genes, n, 2 * n, rng);
        problem.evaluate(genes, n, 2 * n, objectives);
        evaluations += n;
        survive();
        generation++;
        listener.onGeneration(generation, evaluations, firstFrontSize());
    }

    /** Binary tournament: lower rank wins, then larger crowding distance, then the first drawn. */
    private int tournament() {
        int a = rng.nextInt(n);
        int b = rng.nextInt(n);
        if (rank[b] < rank[a] || (rank[b] == rank[a] && crowding[b] > crowding[a])) {
            return b;
        }
        return a;
    }

    private void survive() {
        int rows = 2 * n;
        fitness.load(objectives, 0, rows);
        sorter.sort(fitness);
        int[] order = sorter.orderArray();
        int count = 0;
        for (int f = 0; f < sorter.fronts() && count < n; f++) {
            int start = sorter.frontStart(f);
            int end = sorter.frontEnd(f);
            crowdingDistance.compute(fitness, order, start, end, combinedCrowding);
            if (count + (end - start) <= n) {
                System.arraycopy(order, start, selected, count, end - start);
                count += end - start;
            } else {
                int size = end - start;
                System.arraycopy(order, start, lastFront, 0, size);
                for (int k = 0; k < size; k++) {
                    negatedCrowding[lastFront[k]] = -combinedCrowding[lastFront[k]];
                }
                IndexSort.byColumn(lastFront, 0, size, negatedCrowding, 1, 0, sortScratch);
                System.arraycopy(lastFront, 0, selected, count, n - count);
                count = n;
            }
        }
        for (int k = 0; k < n; k++) {
            int src = selected[k];
            genes.copyRow(src, spareGenes, k);
            objectives.copyRow(src, spareObjectives, k);
            spareRank[k] = sorter.rank(src);
            spareCrowding[k] = combinedCrowding[src];
        }
        Population g = genes;
        genes = spareGenes;
        spareGenes = g;
        ObjectiveMatrix o = objectives;
        objectives = spareObjectives;
        spareObjectives = o;
        int[] r = rank;
        rank = spareRank;
        spareRank = r;
        double[] c = crowding;
        crowding = spareCrowding;
        spareCrowding = c;
    }

    public BatchProblem problem() {
        return problem;
    }

    public Nsga2Config config() {
        return config;
    }

    public int populationSize() {
        return n;
    }

    public int generation() {
        return generation;
    }

    public long evaluations() {
        return evaluations;
    }

    /** Current genes; rows {@code 0..populationSize()-1} are the population (the rest is scratch). */
    public Population population() {
        return genes;
    }

    /** Objectives of the current population, same rows as {@link #population()}. */
    public ObjectiveMatrix objectives() {
        return objectives;
    }

    public int rank(int individual) {
        return rank[individual];
    }

    public double crowding(int individual) {
        return crowding[individual];
    }

    public int firstFrontSize() {
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += rank[i] == 0 ? 1 : 0;
        }
        return count;
    }

    /** Objectives of the rank-0 members, one array per individual (copies; for reports and tests). */
    public double[][] firstFrontObjectives() {
        double[][] front = new double[firstFrontSize()][];
        for (int i = 0, k = 0; i < n; i++) {
            if (rank[i] == 0) {
                front[k] = new double[m];
                for (int d = 0; d < m; d++) {
                    front[k][d] = objectives.objective(i, d);
                }
                k++;
            }
        }
        return front;
    }

    /** Writes the whole run state atomically (temp file, fsync, rename). */
    public void saveState(Path file) {
        Nsga2Checkpoint.save(this, file);
    }

    /** The whole run state as bytes (with a CRC), for callers that store it in their own checkpoint. */
    public byte[] stateBytes() {
        return Nsga2Checkpoint.encode(this, null);
    }

    /** Continues a run from {@link #stateBytes}; {@code source} names where they came from in errors. */
    public static Nsga2 resume(byte[] state, Path source, BatchProblem problem) {
        return Nsga2Checkpoint.decode(state, source, problem);
    }

    /** Continues a run saved by {@link #saveState}; {@code problem} must match the saved shape. */
    public static Nsga2 resume(Path file, BatchProblem problem) {
        return Nsga2Checkpoint.load(file, problem);
    }
}
