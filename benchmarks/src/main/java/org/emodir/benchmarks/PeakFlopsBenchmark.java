package org.emodir.benchmarks;

import java.util.concurrent.TimeUnit;
import org.emodir.engine.binding.EmodirNative;
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
 * The machine's fp32 FMA peak, measured where the population benchmarks run so that their useful GFLOP/s are
 * quoted against a peak taken under the same load: {@code emodir_cpu_fma_probe} runs {@code threads} threads of
 * 12 independent 16-lane FMA chains (the widest vector clone this CPU runs). GFLOP/s = {@link #FLOPS_PER_CALL}
 * x threads / (ms per call x 1e6); benchmarks/scripts/population_eval_report.py does the division.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class PeakFlopsBenchmark {
    /** Loop trips per thread and call: 384 FLOPs each, about 2 ms per call at 216 GFLOP/s per thread. */
    static final long ITERATIONS = 1_000_000;

    /** FLOPs one thread does per call. */
    public static final double FLOPS_PER_CALL = ITERATIONS * 12.0 * 16 * 2;

    @Param({"1", "2"})
    public int threads;

    @Setup
    public void load() {
        EmodirNative.load();
    }

    @Benchmark
    public long fma() {
        long flops = EmodirNative.emodir_cpu_fma_probe(threads, ITERATIONS);
        if (flops <= 0) throw new IllegalStateException("emodir_cpu_fma_probe failed: " + flops);
        return flops;
    }
}
