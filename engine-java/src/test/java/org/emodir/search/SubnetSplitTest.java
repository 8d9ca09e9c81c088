package org.emodir.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.emodir.model.NetSpec;
import org.junit.jupiter.api.Test;

class SubnetSplitTest {
    @Test
    void cifarResNetsSplitIntoThreeStagesWithOneBitPerInnerChannel() {
        List<Subnet> r20 = SubnetSplit.of(NetSpec.dense("resnet20", 10), SubnetSplit.MinKeep.DEFAULT);
        assertEquals(3, r20.size());
        assertEquals(List.of(48, 96, 192), r20.stream().map(Subnet::genes).toList());
        List<Subnet> r56 = SubnetSplit.of(NetSpec.dense("resnet56", 10), SubnetSplit.MinKeep.DEFAULT);
        assertEquals(List.of(144, 288, 576), r56.stream().map(Subnet::genes).toList());
        assertEquals(9, r56.get(1).groups().size());
        assertEquals("layer2.0.conv1", r56.get(1).groups().get(0).name());
    }

    @Test
    void resnet50HasFourAndVggFiveSubnets() {
        List<Subnet> r50 = SubnetSplit.of(NetSpec.dense("resnet50", 1000), SubnetSplit.MinKeep.DEFAULT);
        assertEquals(4, r50.size());
        // two inner widths per bottleneck: 3 blocks x (64 + 64) in stage 1
        assertEquals(384, r50.get(0).genes());
        List<Subnet> vgg = SubnetSplit.of(NetSpec.dense("vgg16", 10), SubnetSplit.MinKeep.DEFAULT);
        assertEquals(5, vgg.size());
        assertEquals(
                List.of(128, 256, 768, 1536, 1536),
                vgg.stream().map(Subnet::genes).toList());
    }

    @Test
    void finerSplitsCutStagesIntoRunsOfWholeBlocksThatTileTheNetwork() {
        NetSpec r56 = NetSpec.dense("resnet56", 10);
        List<Subnet> halves = SubnetSplit.of(r56, SubnetSplit.MinKeep.DEFAULT, 2);
        assertEquals(
                List.of("layer1.0-4", "layer1.5-8", "layer2.0-4", "layer2.5-8", "layer3.0-4", "layer3.5-8"),
                halves.stream().map(Subnet::name).toList());
        assertEquals(
                List.of(80, 64, 160, 128, 320, 256),
                halves.stream().map(Subnet::genes).toList());
        int next = 0;
        int group = 0;
        for (Subnet sn : halves) {
            assertEquals(next, sn.firstBlock(), "sub-networks are contiguous");
            next = sn.endBlock();
            for (var g : sn.groups()) {
                assertEquals(group++, g.index(), "groups in network order");
                assertEquals(true, g.block() >= sn.firstBlock() && g.block() < sn.endBlock(), g.name());
            }
        }
        assertEquals(r56.numBlocks(), next);
        // More parts than blocks: one sub-network per block.
        List<Subnet> vggBlocks = SubnetSplit.of(NetSpec.dense("vgg16", 10), SubnetSplit.MinKeep.DEFAULT, 4);
        assertEquals(13, vggBlocks.size());
        assertEquals("block3.1", vggBlocks.get(5).name());
        assertEquals(
                SubnetSplit.of(r56, SubnetSplit.MinKeep.DEFAULT).stream()
                        .map(sn -> sn.name() + sn.firstBlock() + sn.endBlock())
                        .toList(),
                List.of("layer1" + 0 + 9, "layer2" + 9 + 18, "layer3" + 18 + 27));
        assertThrows(IllegalArgumentException.class, () -> SubnetSplit.of(r56, SubnetSplit.MinKeep.DEFAULT, 0));
    }

    @Test
    void minKeepIsTheLargerOfCountAndFraction() {
        SubnetSplit.MinKeep k = SubnetSplit.MinKeep.DEFAULT;
        assertEquals(4, k.of(16));
        assertEquals(7, k.of(64));
        assertEquals(2, k.of(2));
        Subnet s = SubnetSplit.of(NetSpec.dense("resnet20", 10), k).get(2);
        assertEquals(7, s.layout().minKeep(0));
        assertThrows(IllegalArgumentException.class, () -> new SubnetSplit.MinKeep(0, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SubnetSplit.MinKeep(4, 1.0));
    }

    @Test
    void wholeNetworkVectorCoversEveryGroupInOrder() {
        Subnet w = SubnetSplit.whole(NetSpec.dense("resnet20", 10), SubnetSplit.MinKeep.DEFAULT);
        assertEquals(48 + 96 + 192, w.genes());
        byte[] mask = new byte[w.genes()];
        mask[16] = 1;
        mask[18] = 1;
        assertEquals(2, w.keptIndices(mask, 1).length);
        assertEquals(0, w.keptIndices(mask, 1)[0]);
        assertEquals(2, w.keptIndices(mask, 1)[1]);
    }
}
