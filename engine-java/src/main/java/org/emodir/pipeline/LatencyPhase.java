package org.emodir.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.emodir.export.Latency;
import org.emodir.export.ModelExport;
import org.emodir.model.ArchitectureFile;
import org.emodir.model.PrunedModel;
import org.emodir.run.RunDirectory;

/**
 * The real speed-up: the dense and the pruned model timed on this CPU with libtorch at batch 1 and 64, and the pruned
 * model's ONNX export with onnxruntime (medians of repeated runs; {@link Latency}).
 */
final class LatencyPhase {
    static final int[] BATCHES = {1, 64};

    /** {@code model} is dense or pruned; rows in engine, batch order. */
    record Row(String model, String engine, int batch, double medianMs, double imagesPerSec) {}

    /** {@code speedup[i]}: dense / pruned libtorch median at {@code BATCHES[i]}. */
    record Timings(List<Row> rows, double[] speedup) {}

    private LatencyPhase() {}

    /** Null when the run does without timings ({@code --no-latency}). */
    static Timings run(RunInputs in, RunDirectory dir, PhaseLog phases) throws IOException {
        if (!in.cfg().latency()) return null;
        return phases.run(
                "latency",
                "dense vs pruned inference time, libtorch and onnxruntime, batch 1 and 64",
                Timings.class,
                () -> measure(in, dir));
    }

    private static Timings measure(RunInputs in, RunDirectory dir) throws IOException {
        PrunedModel dense = new PrunedModel(in.spec(), in.weights());
        PrunedModel pruned = PrunedModel.load(dir.pruned());
        byte[] onnx = Files.readAllBytes(dir.pruned().resolve(ModelExport.ONNX_FILE));
        int size = ArchitectureFile.inputSize(in.spec());
        List<Row> rows = new ArrayList<>();
        double[] speedup = new double[BATCHES.length];
        for (int i = 0; i < BATCHES.length; i++) {
            int b = BATCHES[i];
            int repeats = b == 1 ? 50 : 10;
            Latency d = Latency.torch(dense, b, repeats), p = Latency.torch(pruned, b, repeats);
            Latency o = Latency.onnx(
                    onnx, in.spec().inChannels(), size, b, repeats, in.cfg().threads());
            rows.add(new Row("dense", d.engine(), b, d.medianMs(), d.imagesPerSec()));
            rows.add(new Row("pruned", p.engine(), b, p.medianMs(), p.imagesPerSec()));
            rows.add(new Row("pruned", o.engine(), b, o.medianMs(), o.imagesPerSec()));
            speedup[i] = d.medianMs() / p.medianMs();
        }
        return new Timings(rows, speedup);
    }
}
