package org.emodir.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * EMO-DIR against the simple criteria over several seeds (issue 15's criteria table): for every network, the FLOPs
 * it removes, its test top-1 after training and its test cross-entropy before training, as mean and sample standard
 * deviation over the runs. Read from the runs' report.json trees, so finished runs of older sessions count too.
 */
public record BenchTable(int seeds, long testImages, long criteriaTestImages, List<Row> rows) {
    /** One network; {@code top1} / {@code ceBeforeTraining} hold one value per seed (NaN where a run lacks it). */
    public record Row(String network, Stat flopsReduction, Stat top1, Stat ceBeforeTraining) {}

    public record Stat(double mean, double std, int n, List<Double> values) {
        static Stat of(List<Double> values) {
            List<Double> v = values.stream().filter(x -> !x.isNaN()).toList();
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = v.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            return new Stat(mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : Double.NaN, v.size(), values);
        }
    }

    public static BenchTable of(List<JsonNode> reports) {
        List<Row> rows = new ArrayList<>();
        rows.add(
                row(reports, "EMO-DIR", r -> r.get("flops_reduction"), r -> r.get("top1_pruned_finetuned"), "emo_dir"));
        rows.add(row(
                reports,
                "uniform L1",
                r -> r.at("/details/uniform_baseline_flops_reduction"),
                r -> r.get("uniform_baseline_top1"),
                "uniform_l1"));
        for (String c : List.of("global_bn_scale", "random")) {
            rows.add(row(
                    reports,
                    c.replace('_', ' ').replace("bn", "BN"),
                    r -> r.at("/details/criteria_baselines/" + c + "/flops_reduction"),
                    r -> r.at("/details/criteria_baselines/" + c + "/top1"),
                    c));
        }
        rows.add(row(
                reports,
                "whole-network EMO (member nearest the target)",
                r -> r.at("/details/whole_network_baseline/flops_reduction"),
                r -> r.at("/details/whole_network_baseline/top1"),
                null));
        rows.add(row(
                reports, "dense, fine-tuned on as many images", r -> null, r -> r.get("top1_dense_finetuned"), null));
        rows.add(row(reports, "dense, pretrained", r -> null, r -> r.get("top1_dense"), null));
        JsonNode first = reports.isEmpty() ? null : reports.get(0);
        return new BenchTable(
                reports.size(),
                first == null ? 0 : first.at("/details/top1_test_images").asLong(),
                first == null
                        ? 0
                        : first.at("/details/criteria_before_training/test_images")
                                .asLong(),
                rows);
    }

    private static Row row(
            List<JsonNode> reports,
            String name,
            Function<JsonNode, JsonNode> flops,
            Function<JsonNode, JsonNode> top1,
            String criterion) {
        List<Double> f = new ArrayList<>(), t = new ArrayList<>(), ce = new ArrayList<>();
        for (JsonNode r : reports) {
            f.add(number(flops.apply(r)));
            t.add(number(top1.apply(r)));
            double c = Double.NaN;
            if (criterion != null) {
                for (JsonNode row : r.at("/details/criteria_before_training/rows")) {
                    if (row.path("criterion").asText().equals(criterion)) c = number(row.get("test_ce"));
                }
            }
            ce.add(c);
        }
        return new Row(name, Stat.of(f), Stat.of(t), Stat.of(ce));
    }

    private static double number(JsonNode n) {
        return n == null || !n.isNumber() ? Double.NaN : n.asDouble();
    }

    /** The table as Markdown, its labels saying how many seeds and test images each figure used. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "| network | FLOPs removed | top-1 after training, %d test images (mean ± std, %d seeds) |"
                        + " test CE before training, %d test images |%n",
                testImages,
                seeds,
                criteriaTestImages));
        b.append("|---|---|---|---|\n");
        for (Row r : rows) {
            if (r.top1().n() == 0) continue;
            b.append("| ")
                    .append(r.network())
                    .append(" | ")
                    .append(
                            r.flopsReduction().n() == 0
                                    ? "-"
                                    : pct(r.flopsReduction().mean()))
                    .append(" | ")
                    .append(pm(r.top1(), 100, "%.2f"))
                    .append(" | ")
                    .append(r.ceBeforeTraining().n() == 0 ? "-" : pm(r.ceBeforeTraining(), 1, "%.4f"))
                    .append(" |\n");
        }
        return b.toString();
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * v);
    }

    private static String pm(Stat s, double scale, String fmt) {
        String mean = String.format(Locale.ROOT, fmt, scale * s.mean());
        if (s.n() < 2) return mean + " (n=" + s.n() + ")";
        return mean + " ± " + String.format(Locale.ROOT, fmt, scale * s.std());
    }
}
