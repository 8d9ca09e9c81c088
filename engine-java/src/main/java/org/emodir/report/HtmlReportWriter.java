package org.emodir.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.emodir.scheme.GpirEntry;
import org.emodir.scheme.JointScheme;
import org.emodir.scheme.TradeoffCurve;
import org.emodir.search.SubnetFront;
import org.emodir.search.SubnetSolution;

/**
 * A self-contained HTML page for a run: no scripts, no network, plots as inline SVG. Sections
 * for phases that did not run say so instead of disappearing.
 */
final class HtmlReportWriter {
    private HtmlReportWriter() {}

    private static final int PLOT_WIDTH = 640;
    private static final int PLOT_HEIGHT = 360;

    public static String render(RunReport r) {
        StringBuilder b = new StringBuilder(64 * 1024);
        String title =
                "emodir run: " + (r.model == null ? "?" : r.model) + " on " + (r.dataset == null ? "?" : r.dataset);
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(Html.escape(title))
                .append("</title>\n<style>\n")
                .append(
                        "body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}")
                .append("td.l,th.l{text-align:left}pre{background:#f8f8f8;padding:1em;overflow:auto}\n")
                .append("</style>\n</head>\n<body>\n<h1>")
                .append(Html.escape(title))
                .append("</h1>\n");
        b.append("<p>started ")
                .append(Html.escape(orMissing(r.startedAt)))
                .append(", finished ")
                .append(Html.escape(orMissing(r.finishedAt)))
                .append("</p>\n");
        results(b, r);
        fronts(b, r);
        ranking(b, r);
        tradeoff(b, r);
        phases(b, r);
        config(b, r);
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    private static void results(StringBuilder b, RunReport r) {
        b.append("<h2>Results</h2>\n<table>\n");
        for (ResultTable.Row row : ResultTable.rows(r)) {
            b.append("<tr><th class=\"l\">")
                    .append(Html.escape(row.label()))
                    .append("</th><td>")
                    .append(Html.escape(row.value()))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n");
    }

    /** What the search minimised, as the run recorded it (runs before the field existed searched on MSE). */
    private static String localMeasure(RunReport r) {
        Object m = r.details.get("local_impairment");
        return m == null ? "normalised output MSE" : m.toString();
    }

    private static void fronts(StringBuilder b, RunReport r) {
        b.append("<h2>Sub-network Pareto fronts</h2>\n");
        if (r.fronts == null || r.fronts.isEmpty()) {
            b.append("<p>No fronts: the search did not run.</p>\n");
            return;
        }
        JointScheme chosen = r.chosen();
        for (SubnetFront f : r.fronts) {
            List<SubnetSolution> sols = f.solutions();
            double[] xs = new double[sols.size()];
            double[] local = new double[sols.size()];
            double[] global = new double[sols.size()];
            for (int i = 0; i < sols.size(); i++) {
                xs[i] = sols.get(i).flopsRatio();
                local[i] = sols.get(i).localImpairment();
                global[i] = sols.get(i).globalImpairment();
            }
            SvgPlot plot = new SvgPlot(f.name(), "remaining FLOPs ratio of the sub-network", "impairment")
                    .add("local (" + localMeasure(r) + ")", xs, local, SvgPlot.Style.SCATTER)
                    .add("global (whole network)", xs, global, SvgPlot.Style.SCATTER);
            if (chosen != null) {
                for (SubnetSolution c : chosen.choices()) {
                    if (c.subnet() == f.subnet()) {
                        plot.mark("chosen #" + c.index(), c.flopsRatio(), c.globalImpairment());
                    }
                }
            }
            b.append("<h3>")
                    .append(Html.escape(f.name()))
                    .append("</h3>\n")
                    .append(plot.render(PLOT_WIDTH, PLOT_HEIGHT));
        }
    }

    private static void ranking(StringBuilder b, RunReport r) {
        b.append("<h2>Global performance impairment ranking</h2>\n");
        if (r.gpirRanking == null || r.gpirRanking.isEmpty()) {
            b.append("<p>No ranking: global impairments were not measured.</p>\n");
            return;
        }
        b.append("<table>\n<tr><th>rank</th><th class=\"l\">sub-network</th><th>solution</th><th>MACs removed</th>")
                .append("<th>impairment</th><th>score</th></tr>\n");
        for (GpirEntry e : r.gpirRanking) {
            b.append(String.format(
                    Locale.ROOT,
                    "<tr><td>%d</td><td class=\"l\">%s</td><td>%d</td><td>%,d</td><td>%.5f</td><td>%.5f</td></tr>%n",
                    e.rank(),
                    Html.escape(subnetName(r, e.subnet())),
                    e.solution().index(),
                    e.macsRemoved(),
                    e.impairment(),
                    e.score()));
        }
        b.append("</table>\n");
    }

    private static void tradeoff(StringBuilder b, RunReport r) {
        b.append("<h2>Whole-network trade-off</h2>\n");
        TradeoffCurve c = r.tradeoff;
        if (c == null || c.points().isEmpty()) {
            b.append("<p>No trade-off curve.</p>\n");
            return;
        }
        int n = c.points().size();
        double[] gx = new double[n];
        double[] gy = new double[n];
        double[] ex = new double[n];
        double[] ey = new double[n];
        for (int i = 0; i < n; i++) {
            TradeoffCurve.Point p = c.points().get(i);
            gx[i] = p.greedy().reduction(c.kind());
            gy[i] = p.greedy().predictedImpairment();
            ex[i] = p.exact().reduction(c.kind());
            ey[i] = p.exact().predictedImpairment();
        }
        String kind = c.kind().name().toLowerCase(Locale.ROOT);
        SvgPlot plot = new SvgPlot(
                        "predicted impairment vs " + kind + " reduction", kind + " reduction", "predicted impairment")
                .add("greedy (GPIR)", gx, gy, SvgPlot.Style.LINE)
                .add("exact (knapsack)", ex, ey, SvgPlot.Style.LINE);
        JointScheme chosen = r.chosen();
        if (chosen != null && r.target != null) {
            plot.mark(
                    String.format(Locale.ROOT, "target %.0f%%", 100 * r.target.fraction()),
                    chosen.reduction(c.kind()),
                    chosen.predictedImpairment());
        }
        b.append(plot.render(PLOT_WIDTH, PLOT_HEIGHT));
    }

    private static void phases(StringBuilder b, RunReport r) {
        b.append("<h2>Phase times</h2>\n");
        if (r.phaseSeconds == null || r.phaseSeconds.isEmpty()) {
            b.append("<p>No phase finished.</p>\n");
            return;
        }
        b.append("<table>\n<tr><th class=\"l\">phase</th><th>seconds</th></tr>\n");
        for (Map.Entry<String, Double> e : r.phaseSeconds.entrySet()) {
            b.append(String.format(
                    Locale.ROOT,
                    "<tr><td class=\"l\">%s</td><td>%.1f</td></tr>%n",
                    Html.escape(e.getKey()),
                    e.getValue() == null ? Double.NaN : e.getValue()));
        }
        b.append("</table>\n");
    }

    private static void config(StringBuilder b, RunReport r) {
        b.append("<h2>Configuration and versions</h2>\n<pre>");
        try {
            b.append(Html.escape(ReportJson.mapper()
                    .writeValueAsString(Map.of(
                            "config",
                            r.config == null ? Map.of() : r.config,
                            "versions",
                            r.versions == null ? Map.of() : r.versions))));
        } catch (JsonProcessingException e) {
            b.append(Html.escape("configuration not serialisable: " + e.getMessage()));
        }
        b.append("</pre>\n");
    }

    private static String subnetName(RunReport r, int subnet) {
        if (r.fronts != null) {
            for (SubnetFront f : r.fronts) {
                if (f.subnet() == subnet) {
                    return f.name();
                }
            }
        }
        return "subnet " + subnet;
    }

    private static String orMissing(String s) {
        return s == null ? ResultTable.MISSING : s;
    }
}
