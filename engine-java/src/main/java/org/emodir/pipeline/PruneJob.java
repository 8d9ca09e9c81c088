package org.emodir.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.emodir.report.ReportFiles;
import org.emodir.report.ReportJson;
import org.emodir.report.RunReport;
import org.emodir.run.CheckpointStore;
import org.emodir.run.ProgressListener;
import org.emodir.run.RunDirectory;
import org.emodir.search.SubnetSearch;

/**
 * EMO-DIR end to end on one run directory: features, one NSGA-II search per sub-network, GPIR, joint
 * scheme, cross-network constraint training, physical pruning, fine-tuning, baselines, report. Every
 * phase's result is checkpointed ({@link PhaseLog}, NSGA-II state every generation), so a killed job
 * started again on the same directory with the same configuration continues where it stopped.
 */
public final class PruneJob {
    private static final String CONFIG_CHECKPOINT = "config";

    private final PruneConfig cfg;
    private final ProgressListener progress;
    private SubnetSearch.AfterGeneration afterGeneration;

    public PruneJob(PruneConfig cfg, ProgressListener progress) {
        this.cfg = cfg;
        this.progress = progress;
    }

    /** Test hook run after every NSGA-II generation's checkpoint (e.g. throw to simulate a kill). */
    public PruneJob afterGeneration(SubnetSearch.AfterGeneration hook) {
        this.afterGeneration = hook;
        return this;
    }

    public RunReport run() throws IOException {
        try (RunDirectory dir = RunDirectory.open(cfg.out(), cfg.force())) {
            String startedAt = Instant.now().toString();
            PhaseLog phases = new PhaseLog(prepareCheckpoints(dir), progress);
            RunInputs in = RunInputs.load(cfg, progress);
            Features f = phases.timed("features", in.sets().toString(), () -> Features.build(in, progress));
            SearchPhase.Searched searched = SearchPhase.run(in, f, phases, dir, afterGeneration);
            GpirPhase.Measured measured = GpirPhase.run(in, f, searched, phases);
            ImpairmentStudyPhase.Study study = ImpairmentStudyPhase.run(in, f, phases);
            FineTuneRecipe recipe = new FineTuneRecipe(in, dir, phases);
            BridgePhase.Bridged bridged = BridgePhase.run(in, f, measured, recipe, phases);
            SchemePhase.Chosen chosen = SchemePhase.run(in, f, BridgePhase.fronts(measured, bridged), phases);
            CriteriaPhase.Criteria criteria = CriteriaPhase.run(in, f, chosen, phases);
            TradeoffPhase.Tradeoff tradeoff = TradeoffPhase.run(in, f, chosen, phases);
            PruneFinetunePhase.Trained pruned = PruneFinetunePhase.run(in, chosen, recipe, dir, phases);
            LatencyPhase.Timings latency = LatencyPhase.run(in, dir, phases);
            BaselinePhase.Baselines baselines =
                    BaselinePhase.run(in, f, searched, chosen, recipe, phases, afterGeneration);
            RunReport report = Reports.of(
                    in,
                    f,
                    startedAt,
                    searched,
                    measured,
                    study,
                    bridged,
                    chosen,
                    criteria,
                    tradeoff,
                    pruned,
                    latency,
                    baselines,
                    phases.seconds());
            report.finishedAt = Instant.now().toString();
            ReportFiles.save(dir.root(), report);
            return report;
        }
    }

    /** What a result setting means when a run directory's settings leave it out (written only when not the default). */
    private static final java.util.Map<String, Object> OMITTED = java.util.Map.of(
            "precision", "fp32", "feature_storage", "fp32", "classes", "all", "skip_bad_images", false);

    /** " (differs in: precision saved fp32, now bf16; ...)" between two settings objects, or "" when unreadable. */
    static String differences(String saved, String now) {
        try {
            var type = new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() {};
            java.util.Map<String, Object> a = ReportJson.mapper().readValue(saved, type);
            java.util.Map<String, Object> b = ReportJson.mapper().readValue(now, type);
            java.util.Set<String> keys = new java.util.LinkedHashSet<>(b.keySet());
            keys.addAll(a.keySet());
            java.util.List<String> diffs = new java.util.ArrayList<>();
            for (String k : keys) {
                Object x = a.getOrDefault(k, OMITTED.get(k)), y = b.getOrDefault(k, OMITTED.get(k));
                if (!java.util.Objects.equals(x, y)) diffs.add(k + " saved " + x + ", now " + y);
            }
            return diffs.isEmpty() ? "" : " (differs in: " + String.join("; ", diffs) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Starts fresh with --force; otherwise resumes only checkpoints written under the same settings. */
    private CheckpointStore prepareCheckpoints(RunDirectory run) throws IOException {
        CheckpointStore store = run.checkpointStore();
        String settings = ReportJson.mapper().writeValueAsString(cfg.resultSettings());
        if (cfg.force()) {
            try (Stream<Path> files = Files.list(run.checkpoints())) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
        }
        var saved = store.load(CONFIG_CHECKPOINT);
        if (saved.isPresent()) {
            String old = new String(saved.get().data(), java.nio.charset.StandardCharsets.UTF_8);
            if (!old.equals(settings)) {
                throw new IllegalArgumentException("run directory " + run.root()
                        + " holds checkpoints of other settings"
                        + differences(old, settings) + "; use another --out or --force to start over. Saved: " + old
                        + " Now: " + settings);
            }
            progress.message("resuming from the checkpoints in " + run.checkpoints());
        } else {
            if (cfg.resume()) progress.message("nothing to resume in " + run.root() + ", starting a new run");
            store.save(CONFIG_CHECKPOINT, settings.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return store;
    }
}
