package org.emodir.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportJsonTest {
    /** Names scripts read; renaming any of them breaks them. */
    private static final List<String> CONTRACT = List.of(
            "flops_reduction",
            "params_reduction",
            "top1_dense",
            "top1_dense_finetuned",
            "top1_pruned_finetuned",
            "search_forward_flops",
            "search_seconds",
            "baseline_search_forward_flops",
            "baseline_hypervolume",
            "hypervolume",
            "uniform_baseline_top1",
            "phase_seconds",
            "macs_before",
            "macs_after",
            "params_before",
            "params_after",
            "model",
            "dataset",
            "config",
            "fronts",
            "gpir_ranking",
            "scheme_greedy",
            "scheme_exact",
            "versions",
            "started_at",
            "finished_at");

    @TempDir
    Path tmp;

    @Test
    void contractFieldsArePresentEvenWhenPhasesDidNotRun() throws IOException {
        JsonNode empty = ReportJson.mapper().readTree(ReportJson.toJson(new RunReport()));
        for (String field : CONTRACT) {
            assertTrue(empty.has(field), "report.json lacks contract field " + field);
        }
        assertTrue(empty.get("top1_dense").isNull());
        assertTrue(empty.get("search_forward_flops").isNull());
    }

    @Test
    void fullReportHasSnakeCaseValuesAndRoundTrips() throws IOException {
        RunReport r = SampleReports.full();
        ReportFiles.save(tmp, r);
        JsonNode json = ReportJson.mapper().readTree(Files.readString(tmp.resolve("report.json")));
        for (String field : CONTRACT) {
            assertTrue(json.has(field), "report.json lacks contract field " + field);
        }
        assertEquals(r.flopsReduction, json.get("flops_reduction").asDouble(), 0);
        assertTrue(json.get("flops_reduction").asDouble() >= 0.4);
        assertEquals(123_456_789_000L, json.get("search_forward_flops").asLong());
        assertEquals(0.832, json.get("top1_dense").asDouble(), 0);
        assertEquals(12.5, json.get("phase_seconds").get("search").asDouble(), 0);
        JsonNode firstSolution = json.get("fronts").get(0).get("solutions").get(0);
        assertTrue(
                firstSolution.has("global_impairment") && firstSolution.has("flops_ratio"), firstSolution.toString());
        assertFalse(firstSolution.has("dense"), "convenience predicates are not serialised");
        assertTrue(json.get("gpir_ranking").get(0).has("macs_removed"));
        assertEquals("EXACT", json.get("scheme_exact").get("method").asText());

        RunReport back = ReportJson.read(tmp.resolve("report.json"));
        assertEquals(r.schemeExact, back.schemeExact);
        assertEquals(r.fronts, back.fronts);
        assertEquals(r.gpirRanking, back.gpirRanking);
        assertEquals(r.tradeoff, back.tradeoff);
        assertEquals(r.phaseSeconds, back.phaseSeconds);
        assertEquals(r.target, back.target);
    }

    @Test
    void unmeasuredImpairmentSurvivesTheRoundTrip() throws IOException {
        RunReport r = SampleReports.full();
        r.fronts = List.of(new org.emodir.search.SubnetFront(
                0,
                "s",
                100,
                10,
                List.of(new org.emodir.search.SubnetSolution(0, 3, new byte[] {1, 0}, 0.5, 50, 5, 0.1, Double.NaN))));
        ReportFiles.save(tmp, r);
        RunReport back = ReportJson.read(tmp.resolve("report.json"));
        assertTrue(Double.isNaN(back.fronts.get(0).solutions().get(1).globalImpairment()));
    }

    @Test
    void unreadableReportIsNamed() throws IOException {
        Path bad = Files.writeString(tmp.resolve("report.json"), "{\"flops_reduction\": ");
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ReportJson.read(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
}
