package org.emodir.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.function.Function;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.junit.jupiter.api.Test;

/**
 * Generation time of one sub-network search (default: ResNet-20 stage 1 at quick preset sizes, 256 calibration images,
 * 32 offspring per generation) with the local native engine and on local-cluster Spark with 1 and 2 single-core
 * executors, plus Spark's own per-generation cost (the same chunks with a task that skips the evaluation: scheduling,
 * shipping masks and objectives). Run on demand only:
 * {@code mvn -pl engine-spark test -Dtest=SparkGenerationBench -Demodir.spark.bench=true}, optionally
 * {@code -Demodir.spark.bench.model=resnet56 -Demodir.spark.bench.subnet=0 -Demodir.spark.bench.images=128
 * -Demodir.spark.bench.population=32}; writes target/spark-bench.txt.
 */
class SparkGenerationBench {
    static final String MODEL = System.getProperty("emodir.spark.bench.model", "resnet20");
    static final int SUBNET = Integer.getInteger("emodir.spark.bench.subnet", 0);
    static final int IMAGES = Integer.getInteger("emodir.spark.bench.images", 256);
    static final int POPULATION = Integer.getInteger("emodir.spark.bench.population", 32);
    static final int WARMUP = 2;
    static final int RUNS = 5;

    @Test
    void generationTimes() throws IOException {
        assumeTrue(Boolean.getBoolean("emodir.spark.bench"), "-Demodir.spark.bench=true runs it");
        PretrainedSubnet net = PretrainedSubnet.of(MODEL, SUBNET, IMAGES);
        PopulationMasks masks = masks(net.program().numGenes());
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%s sub-network %d (%s), %d calibration images, %d individuals per generation, median of %d",
                MODEL, SUBNET, net.subnet().name(), IMAGES, POPULATION, RUNS));
        float[] reference;
        double local1, local2;
        try (NativeCpuEvaluator ev = new NativeCpuEvaluator(net.program(), net.data(), 1)) {
            local1 = seconds(ev, masks);
            reference = objectives(ev, masks);
        }
        try (NativeCpuEvaluator ev = new NativeCpuEvaluator(net.program(), net.data(), 2)) {
            local2 = seconds(ev, masks);
        }
        lines.add(String.format("local, 1 thread      %.4f s/generation", local1));
        lines.add(String.format("local, 2 threads     %.4f s/generation", local2));
        for (int executors = 1; executors <= 2; executors++) {
            SparkContexts.stop();
            var spark = SparkContexts.at("local-cluster[" + executors + ",1,1024]");
            while (spark.sc().statusTracker().getExecutorInfos().length - 1 < executors) sleep();
            double full, empty;
            try (SparkPopulationEvaluator ev =
                    SparkPopulationEvaluator.open(spark, "bench", net.program(), net.data(), 1)) {
                full = seconds(ev, masks);
                assertArrayEquals(reference, objectives(ev, masks));
                empty = seconds(ev.wrapTask(t -> new Skip()), masks);
            }
            lines.add(String.format(
                    "spark, %d executor%s  %.4f s/generation (Spark's own share %.4f s = %.0f%% of local 1-thread"
                            + " evaluation; model T(N) = %.4f/N + %.4f s: %.4f s)",
                    executors,
                    executors == 1 ? " " : "s",
                    full,
                    empty,
                    100 * empty / local1,
                    local1,
                    empty,
                    local1 / executors + empty));
        }
        SparkContexts.stop();
        lines.forEach(System.out::println);
        Files.write(Path.of("target", "spark-bench.txt"), lines);
    }

    /** Median seconds of one evaluation of the population after a warm-up (executors compile and cache the job). */
    static double seconds(PopulationEvaluator ev, PopulationMasks masks) {
        Objectives out = new Objectives(POPULATION);
        for (int i = 0; i < WARMUP; i++) ev.evaluate(masks, POPULATION, out);
        double[] t = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            ev.evaluate(masks, POPULATION, out);
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[RUNS / 2];
    }

    static float[] objectives(PopulationEvaluator ev, PopulationMasks masks) {
        Objectives out = new Objectives(POPULATION);
        ev.evaluate(masks, POPULATION, out);
        float[] f = new float[POPULATION * Objectives.COUNT];
        for (int i = 0; i < POPULATION; i++) {
            for (int k = 0; k < Objectives.COUNT; k++) f[i * Objectives.COUNT + k] = out.get(i, k);
        }
        return f;
    }

    /** Keep densities spread over the population, as a search's initial population (at least 4 per group of 16). */
    static PopulationMasks masks(int genes) {
        PopulationMasks m = new PopulationMasks(POPULATION, genes);
        Random r = new Random(1);
        for (int i = 0; i < POPULATION; i++) {
            double keep = (i + 1.0) / POPULATION;
            for (int g = 0; g < genes; g++) m.set(i, g, g % 16 < 4 || r.nextDouble() < keep);
        }
        return m;
    }

    static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Returns zeros without evaluating: what a generation costs Spark itself. */
    static final class Skip implements Function<Chunk, float[]> {
        @Override
        public float[] call(Chunk c) {
            return new float[c.count() * Objectives.COUNT];
        }
    }
}
