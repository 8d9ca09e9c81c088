package org.emodir.spark;

import org.apache.spark.api.java.function.Function;

/**
 * What an executor runs per task: the chunk's objectives on the job's warm native evaluator. A pure function of the
 * job and the masks, so a retried task (a lost executor, spark.task.maxFailures) returns the same floats.
 */
final class ChunkTask implements Function<Chunk, float[]> {
    private final EvaluatorJob job;

    ChunkTask(EvaluatorJob job) {
        this.job = job;
    }

    @Override
    public float[] call(Chunk c) {
        return ExecutorEvaluators.evaluate(job, c.masks(), c.count());
    }
}
