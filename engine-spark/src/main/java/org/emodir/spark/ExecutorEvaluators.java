package org.emodir.spark;

import java.util.LinkedHashMap;
import java.util.Map;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.NativeLibraries;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;

/**
 * The warm native evaluators of one executor JVM, keyed by job id: the payload is read and the program compiled once
 * per sub-network and executor, not once per task. The last {@value #KEEP} jobs are kept (a run searches its
 * sub-networks one after another, so an older one is done); an evicted evaluator is closed once its running task ends.
 */
final class ExecutorEvaluators {
    static final int KEEP = 2;

    /** A job's evaluator and the payload its parts' views point into; tasks of one job take turns on it. */
    static final class Warm implements AutoCloseable {
        private final NativeCpuEvaluator evaluator;
        private final JobPayload.Decoded payload;
        private boolean closed;

        private Warm(JobPayload.Decoded payload, int threads) {
            this.payload = payload;
            // The driver's parts as they were (the same calls and per-part means): the local objectives bit for bit.
            this.evaluator = new NativeCpuEvaluator(
                    payload.program(), payload.parts(), threads, MemoryBudget.host(), payload.precision());
        }

        /** The objectives of the chunk's individuals, {@code float[count][Objectives.COUNT]} flattened. */
        synchronized float[] evaluate(byte[] masks, int count) {
            if (closed) return null;
            int genes = evaluator.numGenes();
            PopulationMasks m = new PopulationMasks(count, genes);
            m.buffer().putBytes(0, masks, 0, count * genes);
            Objectives out = new Objectives(count);
            evaluator.evaluate(m, count, out);
            float[] o = new float[count * Objectives.COUNT];
            for (int i = 0; i < count; i++) {
                for (int k = 0; k < Objectives.COUNT; k++) o[i * Objectives.COUNT + k] = out.get(i, k);
            }
            return o;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            evaluator.close();
        }
    }

    private static final Map<String, Warm> WARM = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Warm> eldest) {
            if (size() <= KEEP) return false;
            eldest.getValue().close();
            return true;
        }
    };

    private ExecutorEvaluators() {}

    /** Evaluates a chunk on the job's warm evaluator (built on first use), again if it was evicted meanwhile. */
    static float[] evaluate(EvaluatorJob job, byte[] masks, int count) {
        while (true) {
            float[] o = of(job).evaluate(masks, count);
            if (o != null) return o;
        }
    }

    /** The job's warm evaluator on this JVM, built from its payload on first use. */
    private static synchronized Warm of(EvaluatorJob job) {
        Warm w = WARM.get(job.id());
        if (w == null) {
            loadNatives();
            w = new Warm(job.payload(), job.threads());
            WARM.put(job.id(), w);
        }
        return w;
    }

    /** Jobs warm on this JVM (tests). */
    static synchronized int size() {
        return WARM.size();
    }

    private static void loadNatives() {
        try {
            NativeLibraries.load();
        } catch (Throwable t) {
            throw new IllegalStateException(
                    "executor cannot load emodir's native libraries (libtorch and emodir_native for "
                            + System.getProperty("os.name") + "/" + System.getProperty("os.arch")
                            + "; JavaCPP extracts them from the emodir-spark jar, which is built for linux-x86_64): "
                            + t,
                    t);
        }
    }
}
