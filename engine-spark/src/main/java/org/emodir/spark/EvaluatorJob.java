package org.emodir.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.spark.broadcast.Broadcast;

/**
 * One sub-network's evaluation as the executors see it: a run-unique id (the key of their warm evaluators) and where
 * its {@link JobPayload} lies, a Spark broadcast (small cuts, shipped once per executor) or a file at the same path
 * on every executor (large cuts, memory-mapped where they run, so the OS pages it instead of the JVM heap holding it).
 */
record EvaluatorJob(String id, int threads, Broadcast<byte[]> broadcast, String file) implements Serializable {
    EvaluatorJob {
        if ((broadcast == null) == (file == null)) throw new IllegalArgumentException("one of broadcast and file");
    }

    /** The payload where this runs: a direct copy of the broadcast, or the file mapped read-only. */
    ByteBuffer payload() {
        if (broadcast != null) {
            byte[] b = broadcast.value();
            return ByteBuffer.allocateDirect(b.length).put(b).flip();
        }
        try (FileChannel c = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
            if (c.size() > Integer.MAX_VALUE) {
                throw new IllegalStateException(
                        "job payload " + file + " is over 2 GiB, which one mapping cannot hold");
            }
            return c.map(FileChannel.MapMode.READ_ONLY, 0, c.size());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "executor cannot read the job payload " + file
                            + " (spark.emodir.shared.dir must be the same shared directory on every node)",
                    e);
        }
    }
}
