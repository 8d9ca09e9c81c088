package org.emodir.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small self-contained SVG chart: scatter and line series on linear axes with ticks, axis
 * labels, a legend and highlighted markers. Non-finite points are skipped. All text is escaped.
 */
final class SvgPlot {
    public enum Style {
        SCATTER,
        LINE
    }

    private record Series(String name, double[] xs, double[] ys, Style style, String color) {}

    private record Marker(String label, double x, double y) {}

    private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#17becf"};
    private static final String MARKER_COLOR = "#d62728";
    private static final int LEFT = 64;
    private static final int RIGHT = 150; // room for the legend
    private static final int TOP = 30;
    private static final int BOTTOM = 48;
    private static final int TICKS = 5;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    public SvgPlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public SvgPlot add(String name, double[] xs, double[] ys, Style style) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException(
                    "series '" + name + "': " + xs.length + " x values but " + ys.length + " y values");
        }
        series.add(new Series(name, xs.clone(), ys.clone(), style, PALETTE[series.size() % PALETTE.length]));
        return this;
    }

    /** A highlighted point, e.g. the chosen solution or target, drawn on top with its label. */
    public SvgPlot mark(String label, double x, double y) {
        markers.add(new Marker(label, x, y));
        return this;
    }

    public String render(int width, int height) {
        double[] xr = range(true);
        double[] yr = range(false);
        double[] xt = ticks(xr[0], xr[1]);
        double[] yt = ticks(yr[0], yr[1]);
        double x0 = xt[0];
        double x1 = xt[xt.length - 1];
        double y0 = yt[0];
        double y1 = yt[yt.length - 1];
        int pw = width - LEFT - RIGHT;
        int ph = height - TOP - BOTTOM;
        Axis ax = new Axis(x0, x1, LEFT, LEFT + pw);
        Axis ay = new Axis(y0, y1, TOP + ph, TOP);

        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n",
                width,
                height,
                width,
                height));
        b.append(text(LEFT + pw / 2.0, 18, "middle", title, "font-size=\"13\" font-weight=\"bold\""));
        for (double t : xt) {
            double px = ax.map(t);
            b.append(line(px, TOP + ph, px, TOP + ph + 4, "#444"));
            b.append(line(px, TOP, px, TOP + ph, "#eee"));
            b.append(text(px, TOP + ph + 16, "middle", format(t), ""));
        }
        for (double t : yt) {
            double py = ay.map(t);
            b.append(line(LEFT - 4, py, LEFT, py, "#444"));
            b.append(line(LEFT, py, LEFT + pw, py, "#eee"));
            b.append(text(LEFT - 6, py + 4, "end", format(t), ""));
        }
        // Frame after the grid so grid lines do not cover it.
        b.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                LEFT,
                TOP,
                pw,
                ph));
        b.append(text(LEFT + pw / 2.0, height - 10, "middle", xLabel, ""));
        b.append(String.format(
                Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.1f)\">%s</text>%n",
                TOP + ph / 2.0,
                TOP + ph / 2.0,
                Html.escape(yLabel)));
        if (series.isEmpty() && markers.isEmpty()) {
            b.append(text(LEFT + pw / 2.0, TOP + ph / 2.0, "middle", "no data", "fill=\"#888\""));
        }
        for (Series s : series) {
            appendSeries(b, s, ax, ay);
        }
        for (Marker m : markers) {
            if (finite(m.x(), m.y())) {
                double px = ax.map(m.x());
                double py = ay.map(m.y());
                b.append(String.format(
                        Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"none\" stroke=\"%s\" "
                                + "stroke-width=\"2\"><title>%s</title></circle>%n",
                        px,
                        py,
                        MARKER_COLOR,
                        Html.escape(m.label())));
                b.append(text(px + 8, py - 8, "start", m.label(), "fill=\"" + MARKER_COLOR + "\""));
            }
        }
        appendLegend(b, LEFT + pw + 10);
        b.append("</svg>\n");
        return b.toString();
    }

    private void appendSeries(StringBuilder b, Series s, Axis ax, Axis ay) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < s.xs().length; i++) {
            if (!finite(s.xs()[i], s.ys()[i])) {
                continue;
            }
            double px = ax.map(s.xs()[i]);
            double py = ay.map(s.ys()[i]);
            if (s.style() == Style.LINE) {
                path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f", px, py));
            }
            b.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: (%s, %s)</title></circle>%n",
                    px,
                    py,
                    s.style() == Style.LINE ? "2" : "3",
                    s.color(),
                    Html.escape(s.name()),
                    format(s.xs()[i]),
                    format(s.ys()[i])));
        }
        if (path.length() > 0) {
            b.append(String.format(
                    "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n", path, s.color()));
        }
    }

    private void appendLegend(StringBuilder b, int x) {
        int y = TOP + 10;
        for (Series s : series) {
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>%n",
                    x,
                    y - 9,
                    s.color()));
            b.append(text(x + 14, y, "start", s.name(), ""));
            y += 16;
        }
        if (!markers.isEmpty()) {
            b.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%d\" cy=\"%d\" r=\"5\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    x + 5,
                    y - 4,
                    MARKER_COLOR));
            b.append(text(x + 14, y, "start", "chosen", ""));
        }
    }

    private double[] range(boolean xAxis) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.xs().length; i++) {
                if (finite(s.xs()[i], s.ys()[i])) {
                    double v = xAxis ? s.xs()[i] : s.ys()[i];
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (Marker m : markers) {
            if (finite(m.x(), m.y())) {
                double v = xAxis ? m.x() : m.y();
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new double[] {lo - pad, hi + pad};
        }
        return new double[] {lo, hi};
    }

    /** Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / TICKS;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double norm = raw / mag;
        double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
        double start = Math.floor(lo / step) * step;
        double end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step) + 1;
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = start + i * step;
        }
        return t;
    }

    private static boolean finite(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y);
    }

    private static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e5 || a < 1e-3)) {
            return String.format(Locale.ROOT, "%.2e", v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String line(double x1, double y1, double x2, double y2, String color) {
        return String.format(
                Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                x1,
                y1,
                x2,
                y2,
                color);
    }

    private static String text(double x, double y, String anchor, String s, String extra) {
        return String.format(
                Locale.ROOT,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n",
                x,
                y,
                anchor,
                extra,
                Html.escape(s));
    }

    private record Axis(double lo, double hi, double from, double to) {
        double map(double v) {
            return from + (v - lo) / (hi - lo) * (to - from);
        }
    }
}
