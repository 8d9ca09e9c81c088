package org.emodir.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.emodir.model.ArchitectureFile;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.ChannelPruner;
import org.emodir.model.NetSpec;
import org.emodir.model.PrunedModel;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UniformBaselineTest {
    @ParameterizedTest
    @CsvSource({"resnet20,0.5", "resnet56,0.5", "resnet56,0.3", "vgg16,0.6"})
    void meetsTheTargetAndOneChannelStepMoreWouldNot(String arch, double target) {
        NetSpec dense = NetSpec.dense(arch, 10);
        double r = UniformBaseline.keepRatio(dense, target);
        ChannelConfig widths = UniformBaseline.widthsAt(dense, r);
        assertTrue(
                UniformBaseline.reduction(dense, widths) >= target,
                "reduction " + UniformBaseline.reduction(dense, widths));
        int widest = dense.prunableGroups().stream()
                .mapToInt(ChannelGroup::denseWidth)
                .max()
                .orElseThrow();
        ChannelConfig oneMore = UniformBaseline.widthsAt(dense, r + 1.0 / widest);
        assertTrue(
                UniformBaseline.reduction(dense, oneMore) < target,
                "one channel step wider " + oneMore + " still reaches " + UniformBaseline.reduction(dense, oneMore));
        for (ChannelGroup g : dense.prunableGroups()) {
            assertEquals(Math.max(1, (int) Math.ceil(r * g.denseWidth() - 1e-9)), widths.width(g.index()), g.name());
        }
    }

    @Test
    void keepsTheLargestL1FiltersAtTheUniformWidths() {
        NetSpec dense = TrainFixtures.RESNET20;
        StateDict w = SharedFixtures.weights(SharedFixtures.RESNET20);
        PrunedModel p = UniformBaseline.atFlops(dense, w, 0.5);
        assertTrue(1
                        - (double) p.flops().totalMacs()
                                / ArchitectureFile.flops(dense).totalMacs()
                >= 0.5);
        ChannelGroup g = dense.prunableGroups().get(4);
        int k = p.spec().channelConfig().width(g.index());
        assertTrue(k < g.denseWidth());
        int[] keep = ChannelPruner.l1Selection(w, g, k);
        float[] denseW = w.get(g.name() + ".weight").data();
        float[] prunedW = p.weights().get(g.name() + ".weight").data();
        int per = denseW.length / g.denseWidth();
        for (int j = 0; j < k; j++) {
            float[] expected = java.util.Arrays.copyOfRange(denseW, keep[j] * per, (keep[j] + 1) * per);
            assertArrayEquals(
                    expected, java.util.Arrays.copyOfRange(prunedW, j * per, (j + 1) * per), 0f, "filter " + j);
        }
    }

    @Test
    void zeroTargetIsTheDenseNetAndImpossibleTargetsAreRejected() {
        NetSpec dense = NetSpec.dense("resnet56", 10);
        assertEquals(1.0, UniformBaseline.keepRatio(dense, 0.0));
        var e = assertThrows(IllegalArgumentException.class, () -> UniformBaseline.keepRatio(dense, 0.99));
        assertTrue(e.getMessage().contains("cannot remove"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UniformBaseline.keepRatio(dense, 1.0));
    }
}
