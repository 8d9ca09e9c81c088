package org.emodir.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.emodir.pipeline.PruneConfig;
import org.emodir.pipeline.PruneJob;
import org.emodir.report.BenchTable;
import org.emodir.report.ReportJson;
import org.emodir.run.AtomicFiles;
import org.emodir.run.ConsoleProgress;
import org.emodir.run.ProgressListener;
import org.emodir.run.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code emodir bench}: the same pruning run over several seeds, EMO-DIR and every baseline trained alike, summarised
 * as mean ± std (OUT/bench.json, OUT/bench.md). Each seed is a run directory OUT/seed-S: a finished one is read, not
 * repeated, and a killed one resumes, so a long benchmark can be stopped and started again.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Run prune with seeds S, S+1, ... (--seed, default 1) into OUT/seed-S with the criteria and",
            "whole-network baselines, then write OUT/bench.json and OUT/bench.md (mean ± std over the seeds)."
        })
final class BenchCommand extends PruneCommand {
    @Option(names = "--seeds", defaultValue = "3", description = "number of seeds (default ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
            names = "--no-whole-network",
            description = "leave out the whole-network NSGA-II baseline (the most expensive one).")
    boolean noWholeNetwork;

    @Override
    public Integer call() throws Exception {
        Checks.atLeast("--seeds", seeds, 1);
        long first = seed != null ? seed : 1;
        List<JsonNode> reports = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long s = first + i;
            Path dir = out.resolve("seed-" + s);
            PruneConfig.Builder b =
                    configure().seed(s).out(dir).baselineCriteria(true).resume(true);
            if (!noWholeNetwork) b.baselineWholeNetwork(true);
            PruneConfig cfg = b.build();
            Path report = dir.resolve(RunDirectory.REPORT_JSON);
            if (!force && Files.exists(report)) {
                requireSamePrecision(report, cfg, s);
                if (!json) System.out.println("seed " + s + ": finished earlier, read from " + report);
            } else {
                if (!json) System.out.println("seed " + s + " (" + (i + 1) + " of " + seeds + ") -> " + dir);
                ProgressListener progress = json ? ProgressListener.SILENT : new ConsoleProgress(System.out);
                new PruneJob(cfg, progress).run();
            }
            reports.add(ReportJson.mapper().readTree(report.toFile()));
        }
        BenchTable table = BenchTable.of(reports);
        String tableJson = ReportJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(table);
        AtomicFiles.writeString(out.resolve("bench.json"), tableJson + "\n");
        AtomicFiles.writeString(out.resolve("bench.md"), table.markdown());
        System.out.println(json ? tableJson : table.markdown());
        return 0;
    }

    /**
     * A finished seed is read back, not re-run: refuse one searched at another precision rather than mix fp32 and
     * bf16 seeds in one table (a killed seed is checked by the run directory's settings instead).
     */
    private static void requireSamePrecision(Path report, PruneConfig cfg, long seed) throws java.io.IOException {
        JsonNode config = ReportJson.mapper().readTree(report.toFile()).path("config");
        String done = config.path("precision").asText("fp32"),
                now = cfg.precision().label();
        if (!done.equals(now)) {
            throw new IllegalArgumentException(
                    "seed " + seed + " in " + report.getParent() + " finished with --precision " + done
                            + ", this bench asks for --precision " + now + ": use another --out or --force");
        }
    }
}
