package org.emodir.run;

import java.io.PrintStream;

/** {@link ProgressListener} printing one line per event, prefixed with the elapsed time. */
public final class ConsoleProgress implements ProgressListener {
    private final PrintStream out;
    private final long start = System.nanoTime();

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    private String stamp() {
        long s = (System.nanoTime() - start) / 1_000_000_000L;
        return String.format("[%02d:%02d]", s / 60, s % 60);
    }

    @Override
    public void phase(String phase, String detail) {
        out.println(stamp() + " == " + phase + (detail.isEmpty() ? "" : ": " + detail));
    }

    @Override
    public void generation(
            String search, int generation, int generations, int frontSize, double bestAtHalf, double eta) {
        out.printf(
                "%s %s gen %d/%d front %d best impairment @<=50%% FLOPs %s ETA %.0fs%n",
                stamp(),
                search,
                generation,
                generations,
                frontSize,
                Double.isNaN(bestAtHalf) ? "-" : String.format("%.4f", bestAtHalf),
                eta);
    }

    @Override
    public void message(String line) {
        out.println(stamp() + " " + line);
    }
}
