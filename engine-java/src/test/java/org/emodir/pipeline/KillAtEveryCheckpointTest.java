package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.emodir.report.ReportJson;
import org.emodir.run.ProgressListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run killed right after any checkpoint write resumes to the result of an uninterrupted run. One child JVM per
 * write: each resumes the run left by the one before and is halted after its first new write, so every boundary
 * between two writes (NSGA-II generations, phase results, fronts, fine-tune states, the pruned model, the report)
 * sees a kill.
 */
class KillAtEveryCheckpointTest {
    @Test
    void aRunKilledAfterEveryWriteEndsWhereAnUninterruptedRunDoes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("killed");
        List<String> haltedAfter = new ArrayList<>();
        int haltAfter = 1;
        for (int child = 0; ; child++) {
            assertTrue(child < 200, "the killed run never finished: " + haltedAfter);
            Child c = runChild(out, haltAfter);
            if (c.exit() == 0) break;
            assertEquals(KilledRunMain.HALTED, c.exit(), "child " + child + " crashed:\n" + c.output());
            String line = c.output()
                    .lines()
                    .filter(l -> l.startsWith("halt after "))
                    .findFirst()
                    .orElseThrow();
            String file = line.substring("halt after ".length());
            // A write that differs on every run (report.html carries wall times) would stop every child at the same
            // place: the next child then goes one write further.
            haltAfter = !haltedAfter.isEmpty()
                            && haltedAfter.get(haltedAfter.size() - 1).equals(file)
                    ? haltAfter + 1
                    : 1;
            haltedAfter.add(file);
            // The last write is report.json: the run is complete, and a further start would be refused as finished.
            if (file.equals("report.json")) break;
        }
        Set<String> kinds = new LinkedHashSet<>();
        for (String f : haltedAfter) kinds.add(f.replaceAll("[0-9]+", "N"));
        for (String expected : new String[] {
            "checkpoints/config.ckpt",
            "checkpoints/search-N-state.ckpt",
            "checkpoints/phase-search-N.ckpt",
            "checkpoints/phase-gpir.ckpt",
            "checkpoints/phase-prune-finetune.ckpt",
            "checkpoints/finetune-pruned.state",
            "pruned/model.safetensors",
            "checkpoints/phase-whole-network-baseline.ckpt",
            "checkpoints/phase-criteria.ckpt",
            "report.html",
            "report.json"
        }) {
            assertTrue(kinds.contains(expected), "killed after a write of " + expected + ": " + haltedAfter);
        }

        new PruneJob(PruneJobTest.tiny(dir.resolve("fresh")).build(), ProgressListener.SILENT).run();
        assertEquals(
                comparable(dir.resolve("fresh/report.json")),
                comparable(out.resolve("report.json")),
                "every report field but wall times and host facts");
        assertArrayEquals(
                Files.readAllBytes(dir.resolve("fresh/pruned/model.safetensors")),
                Files.readAllBytes(out.resolve("pruned/model.safetensors")),
                "the pruned, fine-tuned weights");
    }

    /**
     * report.json without what differs between two runs of the same computation: wall times, host, routing cache, and
     * the process's peak memory (a resumed process holds less).
     */
    private static JsonNode comparable(Path report) throws Exception {
        ObjectNode r = (ObjectNode) ReportJson.mapper().readTree(report.toFile());
        r.remove(List.of("started_at", "finished_at", "phase_seconds", "search_seconds"));
        ((ObjectNode) r.get("details"))
                .remove(List.of(
                        "baseline_search_seconds",
                        "constraint_seconds",
                        "finetune_seconds",
                        "host",
                        "conv_routing",
                        "latency",
                        "speedup_libtorch_batch1",
                        "speedup_libtorch_batch64",
                        "peak_rss_bytes"));
        assertTrue(r.get("top1_pruned_finetuned").isNumber() && r.get("fronts").size() == 3, r.toString());
        return r;
    }

    private record Child(int exit, String output) {}

    private static Child runChild(Path out, int haltAfter) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(
                "--add-opens",
                "java.base/jdk.internal.misc=ALL-UNNAMED",
                "--add-opens",
                "java.base/java.nio=ALL-UNNAMED",
                "-Xss4m",
                "-Xmx2g"));
        // The data and cache settings surefire gave this JVM (emodir.shared, emodir.cache.dir, ...).
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("emodir.")) cmd.add("-D" + k + "=" + System.getProperty(k));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KilledRunMain.class.getName()));
        cmd.addAll(List.of(out.toString(), Integer.toString(haltAfter)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) p.destroyForcibly();
        return new Child(p.waitFor(), new String(output, StandardCharsets.UTF_8));
    }
}
