package org.emodir.pipeline;

import java.util.Map;
import org.emodir.model.conv.ConvRouter;
import org.emodir.model.conv.HostInfo;
import org.emodir.report.RunReport;

/** A run's report, assembled once at the end from the phases' records: no phase reads the report. */
final class Reports {
    private Reports() {}

    static RunReport of(
            RunInputs in,
            Features f,
            String startedAt,
            SearchPhase.Searched searched,
            GpirPhase.Measured measured,
            ImpairmentStudyPhase.Study study,
            BridgePhase.Bridged bridged,
            SchemePhase.Chosen chosen,
            CriteriaPhase.Criteria criteria,
            TradeoffPhase.Tradeoff tradeoff,
            PruneFinetunePhase.Trained pruned,
            LatencyPhase.Timings latency,
            BaselinePhase.Baselines baselines,
            Map<String, Double> phaseSeconds) {
        PruneConfig cfg = in.cfg();
        RunReport r = new RunReport();
        r.startedAt = startedAt;
        r.model = cfg.model();
        r.dataset = in.dataset();
        r.details.put("normalization", in.normalization().text());
        r.details.put("skipped_images_train", in.train().skipped().size());
        r.details.put("skipped_images_test", in.test().skipped().size());
        r.details.put("peak_rss_bytes", org.emodir.run.PeakMemory.peakRssBytes());
        r.details.put("classes", in.train().numClasses());
        r.details.put("calibration_images", in.sets().calibration().length);
        r.details.put("held_out_images", in.sets().heldOut().length);
        r.details.put("selection_images", in.sets().selection().length);
        r.config.putAll(cfg.resultSettings());
        // Always shown (resultSettings leaves fp32 out so that older run directories resume).
        r.config.put("precision", cfg.precision().label());
        if (cfg.precision() != org.emodir.engine.Precision.FP32) {
            // VDPBF16PS, or bf16-rounded operands through the fp32 kernel (same fronts up to summation order, no
            // faster)
            r.details.put("bf16_hardware", org.emodir.engine.Precision.bf16Hardware());
        }
        r.target = cfg.target();
        r.versions.put("emodir", "0.1.0");
        r.versions.put("java", System.getProperty("java.version"));
        r.phaseSeconds.putAll(phaseSeconds);

        r.fronts = measured.fronts();
        r.searchForwardFlops = searched.forwardMacs();
        r.searchSeconds = searched.seconds();
        r.details.put("search_evaluations", searched.evaluations());
        r.details.put("gpir_dense_loss", measured.denseLoss());
        r.details.put("gpir_dense_top1", measured.denseTop1());
        r.details.put("gpir_top1_drop", measured.top1Drop());
        r.details.put("local_global_spearman", measured.localGlobalSpearman());
        r.details.put("gpir_forward_flops", measured.forwardMacs());
        // What the fronts' local impairment is, so no reader takes one measure for the other.
        r.details.put(
                "local_impairment",
                cfg.impairment() == PruneConfig.Impairment.SELECTOR
                        ? "feature-selector cross-entropy"
                        : "normalised output MSE");
        if (!f.selectors().isEmpty()) {
            r.details.put(
                    "selector_train_top1",
                    f.selectors().stream().map(s -> s.trainTop1()).toList());
        }
        if (cfg.impairment() == PruneConfig.Impairment.BOTH) r.details.put("front_selector_ce", searched.selectorCe());
        if (study != null) r.details.put("impairment_study", study);

        r.gpirRanking = chosen.ranking();
        r.schemeGreedy = chosen.greedy();
        r.schemeExact = chosen.exact();
        r.tradeoff = chosen.tradeoff();
        r.applyScheme(chosen.applied(), in.networkCost());
        r.macsAfter = chosen.macs();
        r.paramsAfter = chosen.params();
        r.flopsReduction = chosen.flopsReduction();
        r.paramsReduction = chosen.paramsReduction();
        if (chosen.selection() != null) r.details.put("scheme_selection", chosen.selection());
        if (bridged != null) {
            r.details.put("bridge_candidates", bridged.candidates());
            r.details.put("bridge_training_steps", bridged.trainingSteps());
        }
        r.details.put("scheme_predicted_macs", chosen.applied().macs());
        r.details.put("scheme_predicted_params", chosen.applied().params());

        r.details.put("criteria_before_training", criteria);
        r.hypervolume = tradeoff.hypervolume();
        r.details.put("tradeoff_heldout_points", tradeoff.points());
        // The key names above and below predate the selection split: their points are on these images.
        r.details.put("tradeoff_images", in.sets().scoring().length);
        r.details.put(
                "tradeoff_split",
                in.sets().selection().length > 0
                        ? "selection (disjoint from the calibration and GPIR held-out images)"
                        : "held-out (GPIR's)");

        r.top1PrunedFinetuned = pruned.top1();
        r.details.put("pruned_test_loss", pruned.loss());
        r.details.put("eval_images", pruned.images());
        r.details.put("constraint_seconds", pruned.constraintSeconds());
        r.details.put("finetune_seconds", pruned.finetuneSeconds());
        if (latency != null) {
            r.details.put("latency", latency.rows());
            r.details.put("speedup_libtorch_batch1", latency.speedup()[0]);
            r.details.put("speedup_libtorch_batch64", latency.speedup()[1]);
        }

        r.details.put("baseline_finetune_epochs", baselines.epochs());
        r.top1Dense = baselines.top1Dense();
        r.top1DenseFinetuned = baselines.top1DenseFinetuned();
        r.uniformBaselineTop1 = baselines.uniform().top1();
        r.details.put("uniform_baseline_widths", baselines.uniform().widths());
        r.details.put("uniform_baseline_flops_reduction", baselines.uniform().flopsReduction());
        if (!baselines.criteria().isEmpty()) r.details.put("criteria_baselines", baselines.criteria());
        // Every top-1 above (pruned, dense, dense fine-tuned, each baseline) is on these test images.
        r.details.put("top1_test_images", pruned.images());
        BaselinePhase.WholeNetwork whole = baselines.wholeNetwork();
        if (whole != null) {
            r.baselineSearchForwardFlops = whole.forwardMacs();
            r.baselineHypervolume = whole.hypervolume();
            r.details.put("baseline_search_seconds", phaseSeconds.get("whole-network-baseline"));
            r.details.put("baseline_evaluations", whole.evaluations());
            r.details.put("baseline_heldout_points", whole.points());
            r.details.put("whole_network_baseline", whole.nearestTarget());
            // Cost at equal hypervolume, not the configured ratio: EMO-DIR pays for its searches and GPIR.
            r.details.put(
                    "search_cost",
                    SearchCost.of(
                            Math.log(in.spec().numClasses()),
                            tradeoff.points(),
                            searched.forwardMacs() + measured.forwardMacs(),
                            whole.snapshots()));
        }
        // Which kind of host computed the numbers: libtorch convolutions checked / routed (issue 12).
        r.details.put("host", HostInfo.detect().summary());
        r.details.put("conv_routing", ConvRouter.global().summary().toMap());
        return r;
    }
}
