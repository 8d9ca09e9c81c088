package org.emodir.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;
import org.emodir.program.SubnetProgram;

/**
 * A {@link PopulationEvaluator} on Spark: the NSGA-II stays in this (driver) JVM; every {@link #evaluate} cuts the
 * population into one chunk per executor core, executors run the native CPU engine on their chunk
 * ({@link ChunkTask}) and the driver writes the returned objectives back in population order. Objectives are per
 * individual, so they equal the local engine's bit for bit however the population is cut or a task retried.
 */
public final class SparkPopulationEvaluator implements PopulationEvaluator {
    /** Payloads up to this many bytes are broadcast; larger ones go through a file in the shared directory. */
    public static final String BROADCAST_MAX_BYTES = "spark.emodir.broadcast.maxBytes";
    /** A directory at the same path on every node (e.g. NFS) for payloads over {@link #BROADCAST_MAX_BYTES}. */
    public static final String SHARED_DIR = "spark.emodir.shared.dir";

    private static final long DEFAULT_BROADCAST_MAX = 256L << 20;

    private final JavaSparkContext spark;
    private final String name;
    private final int genes;
    private final EvaluatorJob job;
    private final Path file;
    private Function<Chunk, float[]> task;
    private int calls;

    private SparkPopulationEvaluator(JavaSparkContext spark, String name, int genes, EvaluatorJob job, Path file) {
        this.spark = spark;
        this.name = name;
        this.genes = genes;
        this.job = job;
        this.file = file;
        this.task = new ChunkTask(job);
    }

    /**
     * Ships {@code program} and {@code data} to the cluster of {@code spark} (once; executors keep them warm): as a
     * broadcast up to {@value #BROADCAST_MAX_BYTES} bytes (default 256 MiB), else as a file in {@value #SHARED_DIR}.
     */
    public static SparkPopulationEvaluator open(
            JavaSparkContext spark, String name, SubnetProgram program, EvaluationData data, int threads) {
        return open(spark, name, program, List.of(data), threads, Precision.FP32);
    }

    /**
     * Ships {@code program}, the batch as consecutive {@code parts} and the {@code precision} to the cluster of
     * {@code spark} (once; executors keep them warm), streaming the parts once in order into the payload ({@link
     * org.emodir.eval.StreamedParts} work): as a broadcast when the payload is at most {@value #BROADCAST_MAX_BYTES}
     * bytes (default 256 MiB), else as a file in {@value #SHARED_DIR} (of any size). The executors evaluate the same
     * parts at the same precision, so the objectives are those of the local {@code NativeCpuEvaluator} on these parts.
     */
    public static SparkPopulationEvaluator open(
            JavaSparkContext spark,
            String name,
            SubnetProgram program,
            List<EvaluationData> parts,
            int threads,
            Precision precision) {
        long limit = spark.getConf().getSizeAsBytes(BROADCAST_MAX_BYTES, String.valueOf(DEFAULT_BROADCAST_MAX));
        return open(spark, name, program, parts, threads, precision, limit);
    }

    /** As above with payloads over {@code broadcastMax} bytes shipped as a file. */
    static SparkPopulationEvaluator open(
            JavaSparkContext spark,
            String name,
            SubnetProgram program,
            EvaluationData data,
            int threads,
            long broadcastMax) {
        return open(spark, name, program, List.of(data), threads, Precision.FP32, broadcastMax);
    }

    /** As above with payloads over {@code broadcastMax} bytes shipped as a file. */
    static SparkPopulationEvaluator open(
            JavaSparkContext spark,
            String name,
            SubnetProgram program,
            List<EvaluationData> parts,
            int threads,
            Precision precision,
            long broadcastMax) {
        if (threads <= 0) throw new IllegalArgumentException("threads must be positive, got " + threads);
        if (precision == null) throw new IllegalArgumentException("precision is required");
        String id = name + "-" + UUID.randomUUID();
        Path dir = Path.of(spark.getConf().get(SHARED_DIR, System.getProperty("java.io.tmpdir")));
        Path file = dir.resolve("emodir-" + id + ".payload").toAbsolutePath();
        try (SpillTarget out = new SpillTarget(Math.min(broadcastMax, Integer.MAX_VALUE - 64), file)) {
            JobPayload.write(program, precision, parts, out);
            if (!out.spilled()) {
                Broadcast<byte[]> shipped = spark.broadcast(out.bytes());
                return new SparkPopulationEvaluator(
                        spark, name, program.numGenes(), new EvaluatorJob(id, threads, shipped, null), null);
            }
            out.keep();
            return new SparkPopulationEvaluator(
                    spark, name, program.numGenes(), new EvaluatorJob(id, threads, null, file.toString()), file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the job payload of " + name + " to " + file, e);
        }
    }

    /** Wraps the executors' task (tests: fail an attempt); the wrapper must be serialisable. */
    SparkPopulationEvaluator wrapTask(UnaryOperator<Function<Chunk, float[]>> wrap) {
        task = wrap.apply(task);
        return this;
    }

    /** True when the payload went through a file (a large cut) instead of a broadcast. */
    public boolean shippedAsFile() {
        return file != null;
    }

    @Override
    public int numGenes() {
        return genes;
    }

    @Override
    public void evaluate(PopulationMasks masks, int population, Objectives out) {
        PopulationEvaluator.checkArguments(genes, masks, population, out);
        int call = calls++;
        int parts = Math.max(1, Math.min(population, spark.defaultParallelism()));
        List<Chunk> chunks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int start = (int) ((long) population * p / parts);
            int count = (int) ((long) population * (p + 1) / parts) - start;
            byte[] m = new byte[count * genes];
            masks.buffer().getBytes(start * genes, m, 0, m.length);
            chunks.add(new Chunk(call, p, start, count, m));
        }
        spark.setJobDescription(name + " evaluation " + call + " (" + population + " individuals)");
        List<float[]> results = spark.parallelize(chunks, parts).map(task).collect();
        for (int p = 0; p < parts; p++) {
            Chunk c = chunks.get(p);
            float[] o = results.get(p);
            for (int i = 0; i < c.count(); i++) {
                for (int k = 0; k < Objectives.COUNT; k++) out.set(c.start() + i, k, o[i * Objectives.COUNT + k]);
            }
        }
    }

    @Override
    public void close() {
        if (job.broadcast() != null) job.broadcast().destroy();
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
