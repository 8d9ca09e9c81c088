package org.emodir.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.PopulationEvaluators;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.eval.StreamedParts;
import org.emodir.features.FeatureCache;
import org.emodir.features.FeatureStorage;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.program.SubnetProgram;
import org.emodir.run.CheckpointStore;
import org.emodir.search.MaskProblem;
import org.emodir.search.SubnetSearch;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19's acceptance on a real two-executor cluster (local-cluster: a master, a worker and two executor JVMs on
 * this machine): a search of the pretrained ResNet-20's first sub-network on real CIFAR-10 features gives the local
 * engine's front bit for bit, also when an executor JVM dies mid-generation, and a bad master URL fails clearly
 * before touching the search's checkpoint. The batch in several parts (through the shared file) and bf16 evaluation of
 * segmented bf16 features (streamed parts) give the local multi-part evaluator's objectives bit for bit.
 */
class SparkSearchTest {
    static final String CLUSTER = "local-cluster[2,1,1024]";
    static final int POPULATION = 8;
    static final int GENERATIONS = 3;
    static final int THREADS = 1;

    static PretrainedSubnet net;
    static SubnetProgram program;
    static EvaluationData data;
    static String localFront;

    @BeforeAll
    static void setUp() {
        net = PretrainedSubnet.firstImages(24);
        program = net.program();
        data = net.data();
        try (NativeCpuEvaluator local = new NativeCpuEvaluator(program, data, THREADS)) {
            localFront = search(local, null);
        }
        assertTrue(localFront.lines().count() >= 3, "a front of several solutions:\n" + localFront);
    }

    @AfterAll
    static void tearDown() {
        SparkContexts.stop();
    }

    @Test
    void twoExecutorsGiveTheLocalFront(@TempDir Path dir) throws IOException {
        cluster();
        try (PopulationEvaluator ev =
                PopulationEvaluators.remote("spark", CLUSTER, "search-0", program, data, THREADS)) {
            SparkPopulationEvaluator spark = (SparkPopulationEvaluator) ev;
            assertEquals(localFront, search(spark.wrapTask(t -> new Record(t, dir.toString())), null));
        }
        try (var ran = Files.list(dir)) {
            assertEquals(2, ran.count(), "executors that evaluated chunks");
        }
    }

    @Test
    void payloadThroughASharedFileGivesTheSameObjectives() {
        PopulationMasks masks = masks();
        Objectives local = new Objectives(POPULATION), remote = new Objectives(POPULATION);
        try (NativeCpuEvaluator ev = new NativeCpuEvaluator(program, data, THREADS)) {
            ev.evaluate(masks, POPULATION, local);
        }
        try (SparkPopulationEvaluator ev =
                SparkPopulationEvaluator.open(cluster(), "file", program, data, THREADS, 0)) {
            assertTrue(ev.shippedAsFile());
            ev.evaluate(masks, POPULATION, remote);
        }
        assertArrayEquals(floats(local), floats(remote));
    }

    /**
     * Issue 19: the batch in several parts (slices of the calibration features, as a feature cache's segments) goes to
     * the shared file part by part, each section mapped on its own where it runs, and the executors evaluate the same
     * parts: the local multi-part evaluator's objectives bit for bit.
     */
    @Test
    void multiPartPayloadThroughASharedFileGivesTheLocalMultiPartObjectives() {
        List<EvaluationData> parts = slices(data, 10, 10, 4);
        PopulationMasks masks = masks();
        Objectives local = new Objectives(POPULATION), remote = new Objectives(POPULATION);
        try (NativeCpuEvaluator ev =
                new NativeCpuEvaluator(program, parts, THREADS, MemoryBudget.host(), Precision.FP32)) {
            ev.evaluate(masks, POPULATION, local);
        }
        try (SparkPopulationEvaluator ev =
                SparkPopulationEvaluator.open(cluster(), "parts", program, parts, THREADS, Precision.FP32, 0)) {
            assertTrue(ev.shippedAsFile());
            ev.evaluate(masks, POPULATION, remote);
        }
        assertArrayEquals(floats(local), floats(remote));
    }

    /**
     * Issue 19: bf16 evaluation on Spark, from features stored as bf16 in several segments (streamed parts, decoded one
     * at a time into reused buffers while the payload is written), through the SPI as the pipeline calls it: the local
     * bf16 evaluator's objectives bit for bit, and not fp32's (the precision reached the executors).
     */
    @Test
    void bf16FromSegmentedBf16FeaturesOnSparkGivesTheLocalBf16Objectives() {
        FeatureCache bf16 = bf16Features(1 << 20);
        assertTrue(bf16.segments() > 1, "several segments: " + bf16.segments());
        int from = net.subnet().firstBlock(), to = net.subnet().endBlock();
        List<EvaluationData> parts = bf16.evaluationParts(from, to, false);
        assertTrue(parts instanceof StreamedParts, "bf16 storage streams its parts");
        PopulationMasks masks = masks();
        Objectives local = new Objectives(POPULATION), fp32 = new Objectives(POPULATION);
        Objectives remote = new Objectives(POPULATION);
        try (NativeCpuEvaluator ev =
                new NativeCpuEvaluator(program, parts, THREADS, MemoryBudget.host(), Precision.BF16)) {
            ev.evaluate(masks, POPULATION, local);
        }
        try (NativeCpuEvaluator ev =
                new NativeCpuEvaluator(program, parts, THREADS, MemoryBudget.host(), Precision.FP32)) {
            ev.evaluate(masks, POPULATION, fp32);
        }
        cluster();
        try (PopulationEvaluator ev =
                PopulationEvaluators.remote("spark", CLUSTER, "bf16", program, parts, THREADS, Precision.BF16)) {
            assertTrue(!((SparkPopulationEvaluator) ev).shippedAsFile(), "a small payload is broadcast");
            ev.evaluate(masks, POPULATION, remote);
        }
        assertArrayEquals(floats(local), floats(remote));
        assertTrue(!Arrays.equals(floats(fp32), floats(remote)), "the executors evaluated bf16, not fp32");
    }

    @Test
    void aKilledExecutorsChunkIsRetriedAndTheFrontIsTheSame(@TempDir Path dir) {
        Path killed = dir.resolve("killed");
        try (SparkPopulationEvaluator ev = SparkPopulationEvaluator.open(cluster(), "search-0", program, data, THREADS)
                .wrapTask(t -> new HaltOnce(t, killed.toString()))) {
            assertEquals(localFront, search(ev, null));
        }
        assertTrue(Files.exists(killed), "an executor JVM was halted during generation 1");
    }

    @Test
    void aBadMasterFailsClearlyAndLeavesTheCheckpoint(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        try (NativeCpuEvaluator local = new NativeCpuEvaluator(program, data, THREADS)) {
            search(local, store);
        }
        Path file = store.file("search-0-state");
        byte[] before = Files.readAllBytes(file);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PopulationEvaluators.remote("spark", "spork://nowhere:7077", "search-0", program, data, THREADS));
        assertTrue(e.getMessage().contains("cannot start Spark at master 'spork://nowhere:7077'"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void aSearchStoppedLocallyResumesOnSparkToTheSameFront(@TempDir Path dir) throws IOException {
        CheckpointStore store = new CheckpointStore(dir);
        try (NativeCpuEvaluator local = new NativeCpuEvaluator(program, data, THREADS)) {
            assertThrows(
                    Stopped.class,
                    () -> search(local, store, (name, generation) -> {
                        if (generation == 1) throw new Stopped();
                    }));
        }
        assertTrue(Files.exists(store.file("search-0-state")), "generation 1 checkpointed");
        int[] calls = {0};
        try (PopulationEvaluator spark = SparkPopulationEvaluator.open(cluster(), "resume", program, data, THREADS)) {
            PopulationEvaluator counted = new PopulationEvaluator() {
                @Override
                public int numGenes() {
                    return spark.numGenes();
                }

                @Override
                public void evaluate(org.emodir.eval.PopulationMasks masks, int population, Objectives out) {
                    calls[0]++;
                    spark.evaluate(masks, population, out);
                }

                @Override
                public void close() {}
            };
            assertEquals(localFront, search(counted, store));
        }
        assertEquals(GENERATIONS - 1, calls[0], "Spark evaluated only the generations after the checkpoint");
    }

    /** A run killed after a generation's checkpoint. */
    static final class Stopped extends RuntimeException {}

    /** The cluster with both executors registered (one replaces a killed one within seconds). */
    static JavaSparkContext cluster() {
        JavaSparkContext spark = SparkContexts.at(CLUSTER);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (spark.sc().statusTracker().getExecutorInfos().length - 1 < 2) {
            assertTrue(System.nanoTime() < deadline, "two executors registered within 2 minutes");
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return spark;
    }

    /** The front of a short search as text: every solution's mask and both objectives (exact doubles). */
    static String search(PopulationEvaluator ev, CheckpointStore store) {
        return search(ev, store, null);
    }

    static String search(PopulationEvaluator ev, CheckpointStore store, SubnetSearch.AfterGeneration hook) {
        MaskProblem problem = new MaskProblem(
                        net.subnet(),
                        ev,
                        net.cost(),
                        MaskProblem.Impairment.NORMALISED_MSE,
                        net.calib().meanSquare(net.subnet().endBlock()),
                        net.calib().images(),
                        2 * POPULATION)
                .seedWithL1(net.weights());
        try {
            SubnetSearch s = SubnetSearch.of(
                            "search-0",
                            0,
                            problem,
                            org.emodir.evo.Nsga2Config.binaryDefaults(
                                    POPULATION, 31, net.subnet().genes()))
                    .generations(GENERATIONS);
            if (store != null) s.checkpointTo(store);
            s.afterGeneration(hook);
            return s.run().front().solutions().stream()
                    .map(x -> java.util.Arrays.toString(x.mask()) + " " + x.flopsRatio() + " " + x.localImpairment())
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The calibration images as features stored as bf16, in segments of a quarter of {@code limit} bytes. */
    static FeatureCache bf16Features(long limit) {
        String previous = System.getProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
        System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, Long.toString(limit));
        NetSpec spec = NetSpec.dense("resnet20", 10);
        try (TorchNet dense = TorchNet.fromStateDict(spec, net.weights())) {
            return FeatureCache.build(
                    dense,
                    SharedFixtures.cifar("test"),
                    IntStream.range(0, net.calib().images()).toArray(),
                    64,
                    net.calib().cuts(),
                    null,
                    null,
                    FeatureStorage.BF16);
        } finally {
            if (previous == null) System.clearProperty(FeatureCache.MEMORY_LIMIT_PROPERTY);
            else System.setProperty(FeatureCache.MEMORY_LIMIT_PROPERTY, previous);
        }
    }

    /** Consecutive image ranges of {@code d} of the given sizes, as views (nothing copied). */
    static List<EvaluationData> slices(EvaluationData d, int... sizes) {
        int in = program.inputSize() * Float.BYTES, out = program.outputSize() * Float.BYTES;
        List<EvaluationData> parts = new ArrayList<>();
        int first = 0;
        for (int n : sizes) {
            parts.add(new EvaluationData(
                    new UnsafeBuffer(d.input(), first * in, n * in),
                    n,
                    d.reference() == null ? null : new UnsafeBuffer(d.reference(), first * out, n * out),
                    d.labels() == null
                            ? null
                            : new UnsafeBuffer(d.labels(), first * Integer.BYTES, n * Integer.BYTES)));
            first += n;
        }
        assertEquals(d.batch(), first, "the slices cover the batch");
        return parts;
    }

    /** A fixed random population (every group keeps some channels). */
    static PopulationMasks masks() {
        PopulationMasks masks = new PopulationMasks(POPULATION, program.numGenes());
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < POPULATION; i++) {
            for (int g = 0; g < program.numGenes(); g++) masks.set(i, g, g % 16 < 4 || r.nextBoolean());
        }
        return masks;
    }

    static float[] floats(Objectives o) {
        float[] f = new float[POPULATION * Objectives.COUNT];
        for (int i = 0; i < POPULATION; i++) {
            for (int k = 0; k < Objectives.COUNT; k++) f[i * Objectives.COUNT + k] = o.get(i, k);
        }
        return f;
    }

    /** Leaves a file named after each executor that runs a chunk. */
    static final class Record implements Function<Chunk, float[]> {
        private final Function<Chunk, float[]> task;
        private final String dir;

        Record(Function<Chunk, float[]> task, String dir) {
            this.task = task;
            this.dir = dir;
        }

        @Override
        public float[] call(Chunk c) throws Exception {
            Path f = Path.of(dir, "executor-" + SparkEnv.get().executorId());
            if (!Files.exists(f)) Files.createFile(f);
            return task.call(c);
        }
    }

    /** Halts the executor JVM running the first chunk of evaluation call 1, once (the marker file says it happened). */
    static final class HaltOnce implements Function<Chunk, float[]> {
        private final Function<Chunk, float[]> task;
        private final String marker;

        HaltOnce(Function<Chunk, float[]> task, String marker) {
            this.task = task;
            this.marker = marker;
        }

        @Override
        public float[] call(Chunk c) throws Exception {
            if (c.call() == 1 && c.index() == 0 && TaskContext.get().attemptNumber() == 0) {
                Path m = Path.of(marker);
                if (!Files.exists(m)) {
                    Files.createFile(m);
                    Runtime.getRuntime().halt(137);
                }
            }
            return task.call(c);
        }
    }
}
