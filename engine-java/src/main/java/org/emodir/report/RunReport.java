package org.emodir.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.emodir.scheme.GpirEntry;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.NetworkCost;
import org.emodir.scheme.PruningTarget;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.SubnetFront;

/**
 * Everything a run reports, serialised as report.json with snake_case names by {@link ReportJson}.
 *
 * <p>The top-level names are a CONTRACT read by scripts (flops_reduction, params_reduction,
 * top1_dense, top1_dense_finetuned, top1_pruned_finetuned, search_forward_flops, search_seconds,
 * baseline_search_forward_flops, baseline_hypervolume, hypervolume, ...): rename nothing. Fields
 * of phases that did not run stay null and are written as null, so every name is always present.
 */
public class RunReport {
    public String model;
    public String dataset;
    public Map<String, Object> config = new LinkedHashMap<>();

    public PruningTarget target;
    public Double flopsReduction;
    public Double paramsReduction;
    public Long macsBefore;
    public Long macsAfter;
    public Long paramsBefore;
    public Long paramsAfter;

    public Double top1Dense;
    public Double top1DenseFinetuned;
    public Double top1PrunedFinetuned;
    /** Top-1 of the same FLOPs reduction reached by pruning every layer by one ratio, fine-tuned alike. */
    public Double uniformBaselineTop1;

    /** Forward-pass FLOPs spent evaluating candidates during the search. */
    public Long searchForwardFlops;

    public Double searchSeconds;
    public Double hypervolume;
    /** Whole-network EMO baseline, for runs that compare against it. */
    public Long baselineSearchForwardFlops;

    public Double baselineHypervolume;

    public List<SubnetFront> fronts;
    public List<GpirEntry> gpirRanking;
    public JointScheme schemeGreedy;
    public JointScheme schemeExact;
    /**
     * Which scheme was applied: GREEDY, EXACT, or MEASURED (another of the best predicted schemes, which measured best
     * on the selection images: {@link #schemeApplied}).
     */
    public JointScheme.Method chosenScheme;

    /** The applied scheme when it is neither {@link #schemeExact} nor {@link #schemeGreedy}. */
    public JointScheme schemeApplied;

    public TradeoffCurve tradeoff;

    /**
     * Secondary measurements that have no contract name (e.g. GPIR top-1 drops, baseline wall time,
     * local-vs-global impairment correlation); free-form, for humans and ad-hoc scripts.
     */
    public Map<String, Object> details = new LinkedHashMap<>();

    /** Wall-clock seconds per phase, in the order the phases ran. */
    public Map<String, Double> phaseSeconds = new LinkedHashMap<>();

    public Map<String, String> versions = new LinkedHashMap<>();
    /** ISO-8601 instants. */
    public String startedAt;

    public String finishedAt;

    /** Records the applied scheme and derives the before/after costs and reductions from it. */
    public void applyScheme(JointScheme scheme, NetworkCost cost) {
        chosenScheme = scheme.method();
        schemeApplied = scheme.method() == JointScheme.Method.MEASURED ? scheme : null;
        macsBefore = cost.totalMacs();
        paramsBefore = cost.totalParams();
        macsAfter = scheme.macs();
        paramsAfter = scheme.params();
        flopsReduction = scheme.flopsReduction();
        paramsReduction = scheme.paramsReduction();
    }

    /** The scheme that was applied, or null before the joint pruning phase. */
    public JointScheme chosen() {
        if (chosenScheme == null) {
            return null;
        }
        return switch (chosenScheme) {
            case EXACT -> schemeExact;
            case GREEDY -> schemeGreedy;
            case MEASURED -> schemeApplied;
        };
    }
}
