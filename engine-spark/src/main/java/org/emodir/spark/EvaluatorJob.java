package org.emodir.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.apache.spark.broadcast.Broadcast;

/**
 * One sub-network's evaluation as the executors see it: a run-unique id (the key of their warm evaluators) and where
 * its {@link JobPayload} lies, a Spark broadcast (small cuts, shipped once per executor) or a file at the same path
 * on every executor (large cuts, memory-mapped section by section where they run, so the OS pages it instead of the
 * JVM heap holding it, and a payload of any size is read).
 */
record EvaluatorJob(String id, int threads, Broadcast<byte[]> broadcast, String file) implements Serializable {
    EvaluatorJob {
        if ((broadcast == null) == (file == null)) throw new IllegalArgumentException("one of broadcast and file");
    }

    /** The payload where this runs: decoded from a direct copy of the broadcast, or from the file mapped read-only. */
    JobPayload.Decoded payload() {
        if (broadcast != null) return JobPayload.read(broadcast.value());
        try {
            return JobPayload.read(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "executor cannot read the job payload " + file
                            + " (spark.emodir.shared.dir must be the same shared directory on every node)",
                    e);
        }
    }
}
