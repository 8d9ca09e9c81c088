package org.emodir.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.emodir.scheme.JointScheme;

/** The headline results of a run as label/value rows, for the CLI (text) and the HTML page. */
public final class ResultTable {
    private ResultTable() {}

    static final String MISSING = "-";

    record Row(String label, String value) {}

    static List<Row> rows(RunReport r) {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("model", text(r.model)));
        rows.add(new Row("dataset", text(r.dataset)));
        rows.add(new Row(
                "target",
                r.target == null
                        ? MISSING
                        : String.format(
                                Locale.ROOT, "%s reduction %.1f%%", r.target.kind(), 100 * r.target.fraction())));
        rows.add(new Row("FLOPs (MACs)", before(r.macsBefore, r.macsAfter, r.flopsReduction)));
        rows.add(new Row("params", before(r.paramsBefore, r.paramsAfter, r.paramsReduction)));
        // Every top-1 says how many test images it used (issue 15: honest labels).
        Object n = r.details.get("top1_test_images");
        if (n == null) n = r.details.get("eval_images");
        String images = n == null ? "" : " (" + n + " test images)";
        rows.add(new Row("top-1 dense" + images, percent(r.top1Dense)));
        rows.add(new Row("top-1 dense fine-tuned" + images, percent(r.top1DenseFinetuned)));
        rows.add(new Row("top-1 pruned fine-tuned" + images, percent(r.top1PrunedFinetuned)));
        rows.add(new Row("top-1 uniform baseline" + images, percent(r.uniformBaselineTop1)));
        Object s1 = r.details.get("speedup_libtorch_batch1"), s64 = r.details.get("speedup_libtorch_batch64");
        rows.add(new Row(
                "measured speed-up (libtorch CPU, batch 1 / 64)",
                s1 == null || s64 == null
                        ? MISSING
                        : String.format(
                                Locale.ROOT,
                                "%.2fx / %.2fx",
                                ((Number) s1).doubleValue(),
                                ((Number) s64).doubleValue())));
        rows.add(new Row("predicted impairment greedy", impairment(r.schemeGreedy)));
        rows.add(new Row("predicted impairment exact", impairment(r.schemeExact)));
        rows.add(new Row("applied scheme", r.chosenScheme == null ? MISSING : r.chosenScheme.name()));
        rows.add(new Row(
                "search forward FLOPs",
                r.searchForwardFlops == null
                        ? MISSING
                        : String.format(Locale.ROOT, "%.3e", (double) r.searchForwardFlops)));
        rows.add(new Row("search seconds", number(r.searchSeconds, "%.1f")));
        rows.add(new Row("hypervolume", number(r.hypervolume, "%.4f")));
        rows.add(new Row(
                "baseline search forward FLOPs",
                r.baselineSearchForwardFlops == null
                        ? MISSING
                        : String.format(Locale.ROOT, "%.3e", (double) r.baselineSearchForwardFlops)));
        rows.add(new Row("baseline hypervolume", number(r.baselineHypervolume, "%.4f")));
        return rows;
    }

    /** Two aligned columns, one result per line. */
    public static String format(RunReport report) {
        List<Row> rows = rows(report);
        int width = rows.stream().mapToInt(row -> row.label().length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (Row row : rows) {
            b.append(String.format(Locale.ROOT, "%-" + width + "s  %s%n", row.label(), row.value()));
        }
        return b.toString();
    }

    private static String text(String s) {
        return s == null ? MISSING : s;
    }

    private static String percent(Double v) {
        return v == null ? MISSING : String.format(Locale.ROOT, "%.2f%%", 100 * v);
    }

    private static String number(Double v, String fmt) {
        return v == null ? MISSING : String.format(Locale.ROOT, fmt, v);
    }

    private static String impairment(JointScheme s) {
        return s == null ? MISSING : String.format(Locale.ROOT, "%.4f", s.predictedImpairment());
    }

    private static String before(Long before, Long after, Double reduction) {
        if (before == null || after == null) {
            return MISSING;
        }
        return String.format(
                Locale.ROOT,
                "%,d -> %,d (%s removed)",
                before,
                after,
                reduction == null ? MISSING : String.format(Locale.ROOT, "%.1f%%", 100 * reduction));
    }
}
