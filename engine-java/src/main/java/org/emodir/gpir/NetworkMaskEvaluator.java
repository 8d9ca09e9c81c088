package org.emodir.gpir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.engine.Precision;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.MemoryBudget;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.emodir.program.SubnetProgram;

/**
 * Whole-network masks (one byte per prunable channel of the network, {@link NetSpec#prunableGroups()}
 * order) evaluated natively from images: mean cross-entropy and top-1 per mask. The one measurement
 * both trade-offs of the hypervolume comparison use, and the whole-network baseline's fitness.
 */
public final class NetworkMaskEvaluator implements AutoCloseable {
    private final NativeCpuEvaluator evaluator;
    private final int images;
    private final SubnetProgram program;

    public NetworkMaskEvaluator(NetSpec spec, StateDict weights, ImageDataset data, int[] indices, int threads) {
        this(spec, weights, data, indices, threads, Precision.FP32);
    }

    /**
     * At {@code precision}: bf16 for a search's fitness (the whole-network baseline's, like the sub-network searches'),
     * fp32 for measurements that are reported.
     */
    public NetworkMaskEvaluator(
            NetSpec spec, StateDict weights, ImageDataset data, int[] indices, int threads, Precision precision) {
        int h = data.geometry().height(), w = data.geometry().width();
        program = NativePrograms.network(spec, weights, h, w);
        DataLoader loader = DataLoader.builder(data)
                .subset(indices)
                .batchSize(indices.length)
                .shuffle(false)
                .build();
        UnsafeBuffer pixels = new UnsafeBuffer(
                ByteBuffer.allocateDirect(Math.toIntExact((long) indices.length * program.inputSize() * Float.BYTES))
                        .order(ByteOrder.nativeOrder()));
        loader.fill(indices, indices.length, pixels);
        int[] labels = new int[indices.length];
        for (int i = 0; i < labels.length; i++) labels[i] = data.label(indices[i]);
        images = indices.length;
        evaluator = new NativeCpuEvaluator(
                program,
                new EvaluationData(pixels, images, null, EvaluationData.ints(labels)),
                threads,
                MemoryBudget.host(),
                precision);
    }

    public NativeCpuEvaluator evaluator() {
        return evaluator;
    }

    public int images() {
        return images;
    }

    /** {cross-entropy, top-1 fraction} of each mask. */
    public double[][] evaluate(List<byte[]> masks) {
        if (masks.isEmpty()) return new double[0][];
        PopulationMasks m = new PopulationMasks(masks.size(), program.numGenes());
        for (int i = 0; i < masks.size(); i++) {
            byte[] mask = masks.get(i);
            if (mask.length != program.numGenes()) {
                throw new IllegalArgumentException(
                        "mask " + i + " has " + mask.length + " genes, the network has " + program.numGenes());
            }
            for (int g = 0; g < mask.length; g++) m.set(i, g, mask[g] != 0);
        }
        Objectives out = new Objectives(masks.size());
        evaluator.evaluate(m, masks.size(), out);
        double[][] r = new double[masks.size()][];
        for (int i = 0; i < r.length; i++) r[i] = new double[] {out.crossEntropy(i), out.top1(i) / images};
        return r;
    }

    @Override
    public void close() {
        evaluator.close();
    }
}
