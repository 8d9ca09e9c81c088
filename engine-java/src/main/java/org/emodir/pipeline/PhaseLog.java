package org.emodir.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.emodir.report.ReportJson;
import org.emodir.run.CheckpointStore;
import org.emodir.run.ProgressListener;

/**
 * Runs each phase of a job at most once per run directory: a finished phase's result is stored as JSON
 * (with its wall time) in the {@link CheckpointStore}, atomically, and a resumed job reads it back
 * instead of running the phase again.
 */
final class PhaseLog {
    /** A phase body; may throw checked exceptions. */
    interface Body<T> {
        T run() throws Exception;
    }

    private static final ObjectMapper JSON = ReportJson.mapper();
    private final CheckpointStore store;
    private final ProgressListener progress;
    private final Map<String, Double> seconds = new LinkedHashMap<>();

    PhaseLog(CheckpointStore store, ProgressListener progress) {
        this.store = store;
        this.progress = progress;
    }

    CheckpointStore store() {
        return store;
    }

    ProgressListener progress() {
        return progress;
    }

    /** Wall seconds of every phase so far, in the order they ran (a resumed phase: its first run's). */
    Map<String, Double> seconds() {
        return seconds;
    }

    /** A phase that is cheap to repeat: timed and shown, not checkpointed. */
    <T> T timed(String phase, String detail, Body<T> body) throws IOException {
        progress.phase(phase, detail);
        long start = System.nanoTime();
        T result = call(phase, body);
        seconds.put(phase, (System.nanoTime() - start) / 1e9);
        return result;
    }

    <T> T run(String phase, String detail, Class<T> type, Body<T> body) throws IOException {
        Optional<String> done = store.phaseResult(phase);
        if (done.isPresent()) {
            JsonNode node = JSON.readTree(done.get());
            seconds.put(phase, node.get("seconds").asDouble());
            progress.message(phase + ": finished earlier, result read from the checkpoint");
            return JSON.treeToValue(node.get("result"), type);
        }
        progress.phase(phase, detail);
        long start = System.nanoTime();
        T result = call(phase, body);
        double s = (System.nanoTime() - start) / 1e9;
        ObjectNode node = JSON.createObjectNode();
        node.put("seconds", s);
        node.set("result", JSON.valueToTree(result));
        store.markDone(phase, JSON.writeValueAsString(node));
        seconds.put(phase, s);
        return result;
    }

    private static <T> T call(String phase, Body<T> body) throws IOException {
        try {
            return body.run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("phase " + phase + " failed: " + e.getMessage(), e);
        }
    }
}
