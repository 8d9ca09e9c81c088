package org.emodir.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.SafeTensors;
import org.emodir.model.io.StateDict;
import org.emodir.model.io.WeightsException;

/**
 * Resumable fine-tuning state in one safetensors file (written atomically by {@link SafeTensors#write}): the net's
 * weights ({@value #NET}*), the SGD momentum buffers ({@value #MOMENTUM}i), and the progress scalars. Scalars are
 * stored as float32 tensors, exact for integers below 2^24, which bounds {@code step} and the fingerprint.
 */
record FineTuneCheckpoint(
        StateDict net, float[][] momentum, int step, int totalSteps, int fingerprint, float[] losses) {
    static final String NET = "net.";
    static final String MOMENTUM = "momentum.";
    private static final String STEP = "progress.step";
    private static final String TOTAL = "progress.totalSteps";
    private static final String FINGERPRINT = "progress.fingerprint";
    private static final String LOSSES = "progress.losses";
    /** Fingerprints are kept to 24 bits so the float32 scalar holds them exactly. */
    static final int FINGERPRINT_MASK = 0xFFFFFF;

    void save(Path file) throws IOException {
        StateDict sd = new StateDict();
        for (String k : net.names()) {
            NamedTensor t = net.get(k);
            sd.put(new NamedTensor(NET + k, t.shape(), t.data()));
        }
        for (int i = 0; i < momentum.length; i++)
            sd.put(new NamedTensor(MOMENTUM + i, new long[] {momentum[i].length}, momentum[i]));
        sd.put(scalar(STEP, step));
        sd.put(scalar(TOTAL, totalSteps));
        sd.put(scalar(FINGERPRINT, fingerprint));
        sd.put(new NamedTensor(LOSSES, new long[] {losses.length}, losses));
        SafeTensors.write(file, sd, Map.of("content", "emodir fine-tune checkpoint"));
    }

    static boolean exists(Path file) {
        return Files.isRegularFile(file);
    }

    static FineTuneCheckpoint load(Path file) throws IOException {
        StateDict sd = SafeTensors.read(file);
        StateDict net = new StateDict();
        for (String k : sd.names()) {
            if (k.startsWith(NET)) {
                NamedTensor t = sd.get(k);
                net.put(new NamedTensor(k.substring(NET.length()), t.shape(), t.data()));
            }
        }
        int buffers = 0;
        while (sd.contains(MOMENTUM + buffers)) buffers++;
        float[][] momentum = new float[buffers][];
        for (int i = 0; i < buffers; i++) momentum[i] = sd.get(MOMENTUM + i).data();
        int total = (int) require(file, sd, TOTAL).data()[0];
        float[] losses = require(file, sd, LOSSES).data();
        int step = (int) require(file, sd, STEP).data()[0];
        if (losses.length != total || step < 0 || step > total) {
            throw new WeightsException(file + ": inconsistent progress (step " + step + " of " + total + ", "
                    + losses.length + " losses)");
        }
        return new FineTuneCheckpoint(
                net, momentum, step, total, (int) require(file, sd, FINGERPRINT).data()[0], losses);
    }

    private static NamedTensor require(Path file, StateDict sd, String name) {
        NamedTensor t = sd.get(name);
        if (t == null)
            throw new WeightsException(file + ": not a fine-tune checkpoint, tensor '" + name + "' is missing");
        return t;
    }

    private static NamedTensor scalar(String name, int v) {
        return new NamedTensor(name, new long[] {1}, new float[] {v});
    }
}
