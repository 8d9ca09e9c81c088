package org.emodir.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.emodir.data.ImageDataset;
import org.emodir.engine.NativeCpuEvaluator;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.Objectives;
import org.emodir.features.CalibrationSets;
import org.emodir.features.FeatureCache;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.NetSpecPrograms;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

class FeatureSelectorTest {
    @Test
    void learnsSeparableClassesAndItsRecordedFitIsItsScore() {
        int images = 300, classes = 3;
        int[] chw = {4, 2, 2};
        Random rng = new Random(7);
        float[] x = new float[images * 16];
        int[] labels = new int[images];
        for (int n = 0; n < images; n++) {
            labels[n] = n % classes;
            for (int c = 0; c < 4; c++) {
                // Class k raises channel k's mean by 3 standard deviations; channel 3 is noise.
                double mean = c == labels[n] ? 3.0 : 0.0;
                for (int i = 0; i < 4; i++) x[(n * 4 + c) * 4 + i] = (float) (mean + rng.nextGaussian());
            }
        }
        UnsafeBuffer buf = EvaluationData.floats(x);
        FeatureSelector s = FeatureSelector.train(buf, images, chw, labels, classes);
        assertTrue(s.trainTop1() > 0.95, "top-1 " + s.trainTop1());
        assertTrue(s.trainLoss() < 0.3, "CE " + s.trainLoss());
        double[] again = s.score(FeatureSelector.pooled(buf, images, chw), labels);
        assertEquals(s.trainLoss(), again[0], 1e-12);
        assertEquals(s.trainTop1(), again[1], 1e-12);
        assertThrows(
                IllegalArgumentException.class,
                () -> FeatureSelector.train(buf, images, chw, new int[images], 0),
                "labels outside [0, classes)");
    }

    /**
     * The native engine runs the selector as a global-average-pooling + linear head after the sub-network: on the dense
     * mask its CE equals the Java head on the cached dense features (computed by libtorch), and pruning raises it.
     */
    @Test
    void nativeSelectorHeadEqualsTheJavaHeadOnRealResNet20Features() {
        StateDict weights = SharedFixtures.weights(SharedFixtures.RESNET20);
        NetSpec spec = NetSpec.dense("resnet20", 10);
        ImageDataset train = SharedFixtures.cifar("train");
        CalibrationSets sets = CalibrationSets.draw(train, 8, 1, 11);
        FeatureCache calib;
        try (TorchNet dense = TorchNet.fromStateDict(spec, weights)) {
            calib = FeatureCache.build(dense, train, sets.calibration(), 40, null);
        }
        Subnet sn = SubnetSplit.of(spec, SubnetSplit.MinKeep.DEFAULT).get(0);
        int from = sn.firstBlock(), to = sn.endBlock();
        FeatureSelector s =
                FeatureSelector.train(calib.feature(to), calib.images(), calib.shape(to), calib.labelArray(), 10);
        assertTrue(s.trainTop1() > 0.2, "better than chance on 80 images: " + s.trainTop1());

        byte[] all = new byte[sn.genes()];
        java.util.Arrays.fill(all, (byte) 1);
        byte[] half = all.clone();
        for (int g = 0; g < half.length; g += 2) half[g] = 0;
        List<byte[]> masks = new ArrayList<>(List.of(all, half));
        Objectives ce;
        var selectorProgram = NetSpecPrograms.blocksWithHead(
                spec, weights, from, to, calib.shape(from), "selector", s.weight(), s.bias(), s.classes());
        try (NativeCpuEvaluator ev = new NativeCpuEvaluator(
                selectorProgram, new EvaluationData(calib.feature(from), calib.images(), null, calib.labels()), 2)) {
            ce = MaskScores.of(ev, masks);
        }
        assertEquals(s.trainLoss(), ce.crossEntropy(0), 2e-4, "dense: native head vs Java head");
        assertTrue(ce.crossEntropy(1) > ce.crossEntropy(0), "pruning half of every group costs information");
    }
}
