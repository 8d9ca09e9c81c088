package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NetSpecTest {
    @Test
    void prunableGroupsOfBasicBlocksAreTheInnerWidths() {
        NetSpec r56 = NetSpec.dense("resnet56", 10);
        List<ChannelGroup> g = r56.prunableGroups();
        assertEquals(27, g.size());
        assertEquals(new ChannelGroup(0, "layer1.0.conv1", 16, 0, 0), g.get(0));
        assertEquals(new ChannelGroup(9, "layer2.0.conv1", 32, 1, 9), g.get(9));
        assertEquals(new ChannelGroup(26, "layer3.8.conv1", 64, 2, 26), g.get(26));
    }

    @Test
    void vggAndBottleneckGroups() {
        NetSpec vgg = NetSpec.dense("vgg16", 10);
        assertEquals(13, vgg.prunableGroups().size());
        assertEquals(5, vgg.numStages());
        assertEquals("features.0", vgg.prunableGroups().get(0).name());
        assertEquals("features.3", vgg.prunableGroups().get(1).name());
        assertEquals(1, vgg.prunableGroups().get(2).stage());
        NetSpec r50 = NetSpec.dense("resnet50", 1000);
        assertEquals(2 * 16, r50.prunableGroups().size());
        assertEquals("layer4.2.conv2", r50.prunableGroups().get(31).name());
        assertEquals(512, r50.prunableGroups().get(31).denseWidth());
    }

    @Test
    void stateShapesUsePyTorchNames() {
        var r20 = NetSpec.dense("resnet20", 10).stateShapes();
        assertArrayEquals(new long[] {16, 3, 3, 3}, r20.get("conv1.weight"));
        assertArrayEquals(new long[] {32, 16, 3, 3}, r20.get("layer2.0.conv1.weight"));
        assertArrayEquals(new long[] {64}, r20.get("layer3.2.bn2.running_var"));
        assertArrayEquals(new long[] {10, 64}, r20.get("linear.weight"));
        assertEquals(19 * 5 + 2, r20.size(), "19 convs x (weight + 4 BN entries) + linear weight/bias");
        var vgg = NetSpec.dense("vgg16", 10).stateShapes();
        assertArrayEquals(new long[] {64}, vgg.get("features.0.bias"));
        assertArrayEquals(new long[] {64}, vgg.get("features.1.running_mean"));
        assertArrayEquals(new long[] {512, 512, 3, 3}, vgg.get("features.40.weight"));
        assertArrayEquals(new long[] {10, 512}, vgg.get("classifier.weight"));
        var r50 = NetSpec.dense("resnet50", 1000).stateShapes();
        assertArrayEquals(new long[] {64, 3, 7, 7}, r50.get("conv1.weight"));
        assertArrayEquals(new long[] {256, 64, 1, 1}, r50.get("layer1.0.downsample.0.weight"));
        assertArrayEquals(new long[] {2048}, r50.get("layer4.0.downsample.1.running_var"));
        assertArrayEquals(new long[] {1000, 2048}, r50.get("fc.weight"));
    }

    @Test
    void withChannelsChangesOnlyTheInnerWidths() {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        NetSpec pruned = dense.withChannels(dense.channelConfig().with(3, 20));
        var s = pruned.stateShapes();
        assertArrayEquals(new long[] {20, 16, 3, 3}, s.get("layer2.0.conv1.weight"));
        assertArrayEquals(new long[] {20}, s.get("layer2.0.bn1.weight"));
        assertArrayEquals(new long[] {32, 20, 3, 3}, s.get("layer2.0.conv2.weight"));
        assertEquals(dense.prunableGroups(), pruned.prunableGroups(), "groups keep their dense widths");
        assertTrue(!pruned.isDense() && dense.isDense());
    }

    @Test
    void badInputIsRejectedWithNames() {
        NetSpec dense = NetSpec.dense("resnet20", 10);
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> dense.withChannels(dense.channelConfig().with(0, 17)));
        assertTrue(e.getMessage().contains("layer1.0.conv1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> dense.withChannels(new ChannelConfig(1, 2)));
        assertThrows(IllegalArgumentException.class, () -> NetSpec.dense("resnet21", 10));
        assertThrows(IllegalArgumentException.class, () -> NetSpec.dense("alexnet", 10));
    }
}
