package org.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.emodir.data.DataDirs;
import org.emodir.model.PrunedModel;
import org.emodir.report.ReportJson;
import org.emodir.report.RunReport;
import org.emodir.run.ProgressListener;
import org.emodir.run.RunDirectoryException;
import org.emodir.testdata.SharedFixtures;
import org.emodir.train.FineTuner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole pipeline on ResNet-20 at toy size: killed in the second search, resumed, finished, checked. */
class PruneJobTest {
    static final List<String> CONTRACT = List.of(
            "flops_reduction",
            "params_reduction",
            "top1_dense",
            "top1_dense_finetuned",
            "top1_pruned_finetuned",
            "uniform_baseline_top1",
            "search_forward_flops",
            "search_seconds",
            "baseline_search_forward_flops",
            "baseline_hypervolume",
            "hypervolume",
            "fronts",
            "gpir_ranking",
            "scheme_greedy",
            "scheme_exact",
            "chosen_scheme",
            "tradeoff",
            "macs_before",
            "macs_after");

    static PruneConfig.Builder tiny(Path out) {
        return PruneConfig.quick()
                .model("resnet20")
                .weights(DataDirs.cifar10Models().resolve(SharedFixtures.RESNET20))
                .data(DataDirs.shared())
                .cacheDir(SharedFixtures.CACHE)
                .out(out)
                .targetFlops(0.5)
                .population(4)
                .generations(2)
                .calibPerClass(2)
                .heldOutPerClass(3)
                .selectionPerClass(3)
                .frontCap(6)
                .constraintSteps(1)
                .finetuneEpochs(0.002)
                .batchSize(50)
                .evalImages(50)
                .baselineWholeNetwork(true)
                .baselineEvaluations(8)
                .threads(2)
                .seed(3);
    }

    @Test
    void killedRunResumesAndWritesACompleteReportAndALoadablePrunedModel(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        RuntimeException kill = new RuntimeException("simulated kill");
        RuntimeException e = assertThrows(
                RuntimeException.class,
                () -> new PruneJob(tiny(out).build(), ProgressListener.SILENT)
                        .afterGeneration((name, gen) -> {
                            if (name.equals("search-1") && gen == 1) throw kill;
                        })
                        .run());
        assertEquals(kill, e);
        assertTrue(
                Files.exists(out.resolve("checkpoints").resolve("search-1-state.ckpt")), "search-1 state checkpointed");

        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<String> generations = Collections.synchronizedList(new ArrayList<>());
        ProgressListener record = recording(lines, generations);
        RunReport report = new PruneJob(tiny(out).resume(true).build(), record).run();
        assertTrue(lines.contains("search-0: finished earlier, result read from the checkpoint"), lines.toString());
        assertTrue(lines.contains("search-1: resumed at generation 1"), lines.toString());
        assertTrue(generations.contains("search-1:2") && !generations.contains("search-1:1"), generations.toString());

        JsonNode json = ReportJson.mapper().readTree(out.resolve("report.json").toFile());
        for (String field : CONTRACT) {
            assertTrue(json.has(field) && !json.get(field).isNull(), "report.json has " + field);
        }
        assertTrue(Files.exists(out.resolve("report.html")));
        assertTrue(report.flopsReduction >= 0.5, "target met: " + report.flopsReduction);
        assertTrue(report.hypervolume >= 0 && report.baselineHypervolume >= 0);
        assertTrue(report.searchForwardFlops > 0 && report.baselineSearchForwardFlops > 0);
        assertEquals(3, report.fronts.size());
        report.fronts.forEach(f ->
                f.solutions().forEach(s -> assertTrue(s.hasGlobalImpairment(), f.name() + " measured")));

        PrunedModel pruned = PrunedModel.load(out.resolve("pruned"));
        long dense = report.macsBefore;
        assertEquals(report.macsAfter.longValue(), pruned.flops().totalMacs());
        assertTrue(1.0 - (double) pruned.flops().totalMacs() / dense >= 0.5);
        double top1 = new FineTuner()
                .evaluate(pruned, SharedFixtures.cifar("test"), 50, 50)
                .top1();
        assertEquals(report.top1PrunedFinetuned, top1, 1e-9);

        RunDirectoryException finished = assertThrows(
                RunDirectoryException.class, () -> new PruneJob(tiny(out).build(), ProgressListener.SILENT).run());
        assertTrue(finished.getMessage().contains("finished run"), finished.getMessage());

        for (var f : report.fronts) assertNonDominated(f);
        // The applied scheme is the best measured of the best predicted ones, on images GPIR did not rank with.
        SchemePhase.Selection sel = (SchemePhase.Selection) report.details.get("scheme_selection");
        assertEquals(30, sel.images());
        assertTrue(sel.candidates().size() >= 2 && sel.candidates().size() <= 4, sel.toString());
        for (int i = 0; i < sel.candidates().size(); i++) {
            var c = sel.candidates().get(i);
            assertTrue(c.flopsReduction() >= 0.5 - 1e-12 && c.selectionCe() > 0, c.toString());
            assertTrue(c.selectionCe() >= sel.candidates().get(sel.applied()).selectionCe(), "applied is the best");
            if (i > 0)
                assertTrue(
                        c.predictedImpairment() >= sel.candidates().get(i - 1).predictedImpairment());
        }
        assertEquals(
                sel.candidates().get(sel.applied()).flopsReduction(), report.flopsReduction, 1e-12, "applied scheme");
        assertEquals(30, ((Number) report.details.get("tradeoff_images")).intValue());
        // The whole-network search measured after each leg: costs compared at equal hypervolume.
        SearchCost cost = (SearchCost) report.details.get("search_cost");
        assertEquals(BaselinePhase.SNAPSHOTS, cost.wholeNetwork().size());
        for (int i = 1; i < cost.wholeNetwork().size(); i++)
            assertTrue(
                    cost.wholeNetwork().get(i).macs()
                            >= cost.wholeNetwork().get(i - 1).macs(),
                    cost.toString());
        assertEquals(
                report.baselineSearchForwardFlops.longValue(),
                cost.wholeNetwork().get(BaselinePhase.SNAPSHOTS - 1).macs());
        assertTrue(cost.points() >= 1 && cost.costRatioAtEqualHypervolume() > 0, cost.toString());
        for (var p : report.tradeoff.points()) {
            assertTrue(p.exact().flopsReduction() >= p.target() - 1e-12, "exact scheme meets target " + p.target());
            assertTrue(p.greedy().flopsReduction() >= p.target() - 1e-12, "greedy scheme meets target " + p.target());
        }

        // The killed-and-resumed run ends exactly where an uninterrupted run with the same seed does.
        RunReport fresh = new PruneJob(tiny(dir.resolve("fresh")).build(), ProgressListener.SILENT).run();
        assertEquals(fresh.fronts, report.fronts, "fronts with their GPIR measurements");
        assertEquals(fresh.schemeExact, report.schemeExact);
        assertEquals(fresh.hypervolume, report.hypervolume);
        assertEquals(fresh.baselineHypervolume, report.baselineHypervolume);
        assertEquals(fresh.searchForwardFlops, report.searchForwardFlops);
        assertEquals(fresh.top1PrunedFinetuned, report.top1PrunedFinetuned);
        assertEquals(fresh.details.get("scheme_selection"), report.details.get("scheme_selection"));
    }

    /**
     * The paper's order: the top-k solutions of every front are constraint-trained on the previous sub-networks' pruned
     * features before GPIR ranks them, and the applied scheme is chosen among those trained candidates.
     */
    @Test
    void bridgedRunTrainsTopKCandidatesBeforeTheRankingAndChoosesAmongThem(@TempDir Path dir) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ProgressListener record = recording(lines, new ArrayList<>());
        RunReport r = new PruneJob(
                        tiny(dir.resolve("bridged"))
                                .population(8)
                                .bridgeTopK(2)
                                .constraintSteps(2)
                                .baselineWholeNetwork(false)
                                .baselineEvaluations(0)
                                .tradeoffStep(0.1)
                                .build(),
                        record)
                .run();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("phase bridge ")), lines.toString());
        @SuppressWarnings("unchecked")
        List<BridgePhase.Candidate> cands = (List<BridgePhase.Candidate>) r.details.get("bridge_candidates");
        for (int s = 0; s < 3; s++) {
            int sub = s;
            long n = cands.stream().filter(c -> c.subnet() == sub).count();
            long pruned = r.fronts.get(s).solutions().stream()
                    .filter(x -> !x.isDense())
                    .count();
            assertEquals(Math.min(2, pruned), n, "front " + s + " trains its 2 nearest solutions");
        }
        for (BridgePhase.Candidate c : cands) {
            assertTrue(
                    Double.isFinite(c.bridgedImpairment()) && Double.isFinite(c.untrainedImpairment()), c.toString());
        }
        // Every applied choice is keep-all or a trained candidate; the report's fronts stay the searched ones.
        for (var choice : r.chosen().choices()) {
            assertTrue(
                    choice.isDense()
                            || cands.stream()
                                    .anyMatch(c -> c.subnet() == choice.subnet() && c.index() == choice.index()),
                    choice.toString());
            var bridged = cands.stream()
                    .filter(c -> c.subnet() == choice.subnet() && c.index() == choice.index())
                    .findFirst();
            bridged.ifPresent(c -> assertEquals(Math.max(0, c.bridgedImpairment()), choice.globalImpairment(), 1e-12));
        }
        assertTrue(r.flopsReduction >= 0.5, "target met: " + r.flopsReduction);
        // The anchor's own choice (at most one per front) is trained once, with the anchor scheme.
        for (int s = 0; s < 3; s++) {
            int sub = s;
            assertTrue(
                    cands.stream().filter(c -> c.subnet() == sub && c.anchor()).count() <= 1, "front " + s);
        }
        long retrained = cands.stream().filter(c -> !c.anchor()).count();
        assertTrue(retrained < cands.size(), "some candidate is an anchor choice: " + cands);
        assertEquals(2L * 3 + 2L * retrained, ((Number) r.details.get("bridge_training_steps")).longValue());
    }

    /**
     * ImageNet-scale mechanics on small data: features stored as bfloat16 under a 64 KB in-memory limit live in
     * memory-mapped files of one image per segment, and the searches, GPIR, the selector training and adaptive BN
     * all read them segment by segment, to a complete run that meets the target.
     */
    @Test
    void bf16FeaturesUnderALowMemoryLimitStreamThroughTheWholePipeline(@TempDir Path dir) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        String previous = System.getProperty(org.emodir.features.FeatureCache.MEMORY_LIMIT_PROPERTY);
        System.setProperty(org.emodir.features.FeatureCache.MEMORY_LIMIT_PROPERTY, Integer.toString(64 << 10));
        RunReport r;
        try {
            r = new PruneJob(
                            tiny(dir.resolve("bf16"))
                                    .featureStorage(org.emodir.features.FeatureStorage.BF16)
                                    .impairment(PruneConfig.Impairment.BOTH)
                                    .baselineWholeNetwork(false)
                                    .baselineEvaluations(0)
                                    .build(),
                            recording(lines, new ArrayList<>()))
                    .run();
        } finally {
            if (previous == null) System.clearProperty(org.emodir.features.FeatureCache.MEMORY_LIMIT_PROPERTY);
            else System.setProperty(org.emodir.features.FeatureCache.MEMORY_LIMIT_PROPERTY, previous);
        }
        assertTrue(
                lines.stream().anyMatch(l -> l.contains("20 images cached at") && l.contains("as bf16 in 20 segments")),
                lines.toString());
        assertEquals("bf16", r.config.get("feature_storage"));
        assertEquals(3, r.fronts.size());
        assertTrue(r.flopsReduction >= 0.5, "target met: " + r.flopsReduction);
        assertTrue(Double.isFinite(r.chosen().predictedImpairment()), r.chosen().toString());
    }

    /** Records phases ("phase NAME DETAIL"), messages, and generations ("SEARCH:GEN"). */
    static ProgressListener recording(List<String> lines, List<String> generations) {
        return new ProgressListener() {
            @Override
            public void phase(String phase, String detail) {
                lines.add("phase " + phase + " " + detail);
            }

            @Override
            public void generation(String s, int g, int gs, int f, double b, double eta) {
                generations.add(s + ":" + g);
            }

            @Override
            public void message(String line) {
                lines.add(line);
            }
        };
    }

    /** No solution of a front is at least as good in both objectives and better in one than another. */
    static void assertNonDominated(org.emodir.search.SubnetFront front) {
        var sols = front.solutions().stream().filter(x -> !x.isDense()).toList();
        for (var a : sols) {
            for (var b : sols) {
                boolean dominates = a.flopsRatio() <= b.flopsRatio()
                        && a.localImpairment() <= b.localImpairment()
                        && (a.flopsRatio() < b.flopsRatio() || a.localImpairment() < b.localImpairment());
                assertTrue(!dominates, front.name() + ": " + a + " dominates " + b);
            }
        }
    }

    @Test
    void costRatioBaselineSearchesUntilItHasSpentThatMultipleOfTheEmoDirSearch(@TempDir Path dir) throws Exception {
        RunReport r = new PruneJob(
                        tiny(dir.resolve("run"))
                                .baselineEvaluations(0)
                                .baselineCostRatio(3)
                                .baselineCalibPerClass(3)
                                .constraintSteps(0)
                                .finetuneEpochs(0)
                                .tradeoffStep(0.1)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        double ratio = (double) r.baselineSearchForwardFlops / r.searchForwardFlops;
        long evaluations = ((Number) r.details.get("baseline_evaluations")).longValue();
        assertTrue(ratio >= 3, "baseline spent " + ratio + "x");
        // It stops at the first generation past the budget: one generation (4 whole networks on 30 images) at most.
        long oneGeneration = 4L * r.macsBefore * 30;
        assertTrue(
                r.baselineSearchForwardFlops - 3 * r.searchForwardFlops <= oneGeneration,
                r.baselineSearchForwardFlops + " vs " + r.searchForwardFlops + " after " + evaluations
                        + " evaluations");
        var points = r.tradeoff.points();
        assertTrue(points.size() >= 5, "targets 0.1, 0.2, ... up to the reachable maximum: " + points.size());
        for (int i = 0; i < points.size(); i++)
            assertEquals(0.1 * (i + 1), points.get(i).target(), 1e-9);
    }

    @Test
    void halfStageSplitSearchesSixSubnetsAndItsSchemeMeetsTheTarget(@TempDir Path dir) throws Exception {
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ProgressListener record = recording(lines, new ArrayList<>());
        RunReport r = new PruneJob(
                        tiny(dir.resolve("run"))
                                .subnetsPerStage(2)
                                .baselineWholeNetwork(false)
                                .baselineEvaluations(0)
                                .tradeoffStep(0.1)
                                .build(),
                        record)
                .run();
        assertEquals(
                List.of("layer1.0-1", "layer1.2", "layer2.0-1", "layer2.2", "layer3.0-1", "layer3.2"),
                r.fronts.stream().map(f -> f.name()).toList());
        for (var f : r.fronts) assertNonDominated(f);
        assertTrue(r.flopsReduction >= 0.5, "scheme meets the 50% target: " + r.flopsReduction);
        assertEquals(r.macsBefore - r.macsAfter, (long) Math.round(r.flopsReduction * r.macsBefore), 1.0);
        // Cross-network constraint training runs once per sub-network, half-stage by half-stage.
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("cross-network layer2.0-1 step")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("cross-network layer3.2 step")), lines.toString());
        assertEquals(2, r.config.get("subnets_per_stage"));
        assertTrue(r.top1PrunedFinetuned > 0.1, "the pruned model runs: " + r.top1PrunedFinetuned);
    }

    @Test
    void adaptiveBnGpirRunsEndToEndAndMeasuresBothTradeoffsAlike(@TempDir Path dir) throws Exception {
        RunReport plain = new PruneJob(
                        tiny(dir.resolve("plain"))
                                .gpirAdaptiveBn(false)
                                .constraintSteps(0)
                                .finetuneEpochs(0)
                                .tradeoffStep(0.1)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        RunReport adaptive = new PruneJob(
                        tiny(dir.resolve("abn"))
                                .gpirAdaptiveBn(true)
                                .constraintSteps(0)
                                .finetuneEpochs(0)
                                .tradeoffStep(0.1)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        assertEquals(true, adaptive.config.get("gpir_adaptive_bn"));
        // Same searches, other impairments: the fronts' masks agree, their global impairments do not.
        for (int i = 0; i < plain.fronts.size(); i++) {
            var p = plain.fronts.get(i).solutions();
            var a = adaptive.fronts.get(i).solutions();
            assertEquals(p.size(), a.size());
            for (int k = 0; k < p.size(); k++)
                org.junit.jupiter.api.Assertions.assertArrayEquals(
                        p.get(k).mask(), a.get(k).mask());
            assertTrue(
                    a.stream()
                            .anyMatch(x -> !x.isDense()
                                    && x.globalImpairment()
                                            != p.get(a.indexOf(x)).globalImpairment()),
                    plain.fronts.get(i).name());
        }
        assertTrue(adaptive.flopsReduction >= 0.5 && adaptive.hypervolume >= 0 && adaptive.baselineHypervolume >= 0);
        assertTrue(!adaptive.hypervolume.equals(plain.hypervolume), "trade-off measured with recalibrated BN");
    }

    @Test
    void checkpointsOfOtherSettingsAreRefused(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("run");
        assertThrows(
                RuntimeException.class,
                () -> new PruneJob(tiny(out).build(), ProgressListener.SILENT)
                        .afterGeneration((name, gen) -> {
                            throw new IllegalStateException("stop");
                        })
                        .run());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new PruneJob(tiny(out).generations(3).build(), ProgressListener.SILENT).run());
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
        assertNotNull(e.getMessage());
    }

    @Test
    void selectorSearchAndTheEqualFlopsStudyRunEndToEnd(@TempDir Path dir) throws Exception {
        RunReport both = new PruneJob(
                        tiny(dir.resolve("both"))
                                .impairment(PruneConfig.Impairment.BOTH)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        ImpairmentStudyPhase.Study study = (ImpairmentStudyPhase.Study) both.details.get("impairment_study");
        assertEquals(3, study.subnets().size());
        for (ImpairmentStudyPhase.SubnetStudy s : study.subnets()) {
            assertEquals(s.flopsMin(), s.flopsMax(), 1e-12, s.subnet() + ": the study's masks have equal FLOPs");
            assertTrue(s.flopsMin() > 0.3 && s.flopsMin() < 0.7, s.subnet() + " keeps about half: " + s.flopsMin());
            assertTrue(Math.abs(s.spearmanMse()) <= 1 && Math.abs(s.spearmanSelector()) <= 1, s.toString());
        }
        @SuppressWarnings("unchecked")
        List<List<Double>> selectorCe = (List<List<Double>>) both.details.get("front_selector_ce");
        for (int i = 0; i < 3; i++) {
            assertEquals(
                    both.fronts.get(i).solutions().size(), selectorCe.get(i).size());
            selectorCe.get(i).forEach(ce -> assertTrue(ce > 0 && Double.isFinite(ce), "selector CE " + ce));
        }
        assertEquals("normalised output MSE", both.details.get("local_impairment"));
        JsonNode json =
                ReportJson.mapper().readTree(dir.resolve("both/report.json").toFile());
        assertTrue(json.get("details").get("impairment_study").get("subnets").size() == 3, json.toString());

        RunReport selector = new PruneJob(
                        tiny(dir.resolve("selector"))
                                .impairment(PruneConfig.Impairment.SELECTOR)
                                .baselineWholeNetwork(false)
                                .baselineEvaluations(0)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        assertEquals("feature-selector cross-entropy", selector.details.get("local_impairment"));
        assertTrue(selector.flopsReduction >= 0.5);
        for (var f : selector.fronts) assertNonDominated(f);
    }

    /**
     * Issue 15's quality gate: before any training, the applied scheme's cross-entropy on test images is at most that
     * of uniform L1 at the same FLOPs target (ResNet-20, fixed seed, a search large enough to mean something).
     */
    @Test
    void qualityGateTheSchemeDamagesTheNetworkNoMoreThanUniformL1(@TempDir Path dir) throws Exception {
        RunReport r = new PruneJob(
                        tiny(dir.resolve("gate"))
                                .population(16)
                                .generations(6)
                                .calibPerClass(8)
                                .heldOutPerClass(20)
                                .selectionPerClass(20)
                                .frontCap(12)
                                .constraintSteps(0)
                                .finetuneEpochs(0)
                                .evalImages(500)
                                .baselineWholeNetwork(false)
                                .baselineEvaluations(0)
                                .build(),
                        ProgressListener.SILENT)
                .run();
        CriteriaPhase.Criteria c = (CriteriaPhase.Criteria) r.details.get("criteria_before_training");
        assertEquals(500, c.testImages());
        CriteriaPhase.Row emo = c.row(CriteriaPhase.EMO_DIR), uniform = c.row("uniform_l1");
        for (CriteriaPhase.Row row : c.rows()) {
            assertTrue(row.flopsReduction() >= 0.5 - 1e-9, row + " meets the target");
            assertTrue(row.testCe() > 0 && row.testTop1() > 0.1, row + " is a working network");
        }
        assertTrue(emo.testCe() <= uniform.testCe(), "EMO-DIR " + emo + " vs uniform L1 " + uniform);
    }
}
