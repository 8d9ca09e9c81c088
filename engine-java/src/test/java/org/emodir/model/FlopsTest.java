package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FlopsTest {
    @Test
    void resnet56MatchesPublishedFigures() {
        Flops.Report r = Flops.count(NetSpec.dense("resnet56", 10), 32, 32);
        System.out.printf("resnet56: %.2f M MACs, %.4f M params%n", r.totalMacs() / 1e6, r.totalParams() / 1e6);
        assertEquals(125.49e6, r.totalMacs(), 0.01 * 125.49e6);
        assertEquals(0.85e6, r.totalParams(), 0.01 * 0.85e6);
        assertEquals(r.totalMacs(), r.stemMacs() + Arrays.stream(r.stageMacs()).sum() + r.headMacs());
    }

    @Test
    void resnet50MatchesPublishedFigures() {
        Flops.Report r = Flops.count(NetSpec.dense("resnet50", 1000), 224, 224);
        System.out.printf("resnet50: %.3f G MACs, %.3f M params%n", r.totalMacs() / 1e9, r.totalParams() / 1e6);
        assertEquals(4.11e9, r.totalMacs(), 0.01 * 4.11e9);
        assertEquals(25.56e6, r.totalParams(), 0.01 * 25.56e6);
    }

    @Test
    void basicBlockStageMacsFollowTheClosedForm() {
        // ResNet-20 stage 1: 3 blocks x 2 convs, each 16x16x3x3 over 32x32 outputs.
        Flops.Report r = Flops.count(NetSpec.dense("resnet20", 10), 32, 32);
        assertEquals(6L * 16 * 16 * 9 * 32 * 32, r.stageMacs()[0]);
        // Stage 2: first conv 16->32 at stride 2 (16x16 out), then five 32->32 convs.
        assertEquals(16L * 32 * 9 * 256 + 5L * 32 * 32 * 9 * 256, r.stageMacs()[1]);
    }

    @Test
    void halvingAnInnerWidthHalvesBothConvsOfThatBlock() {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        NetSpec pruned = dense.withChannels(dense.channelConfig().with(0, 8));
        long saved = Flops.count(dense, 32, 32).totalMacs()
                - Flops.count(pruned, 32, 32).totalMacs();
        assertEquals(2L * 8 * 16 * 9 * 32 * 32, saved);
        assertTrue(Flops.count(pruned, 32, 32).table().contains("layer1.0.conv1"));
    }
}
