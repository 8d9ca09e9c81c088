package org.emodir.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CostModelTest {
    /** The affine per-channel model must equal a full Flops count of the physically narrower spec. */
    @Test
    void maskCostEqualsFlopsCountOfThePrunedSpec() {
        for (String arch : new String[] {"resnet20", "resnet56", "vgg16", "resnet50"}) {
            NetSpec dense = NetSpec.dense(arch, 10);
            int side = arch.equals("resnet50") ? 64 : 32;
            CostModel cost = new CostModel(dense, side, side);
            Random rnd = new Random(7);
            for (int trial = 0; trial < 5; trial++) {
                int[] kept = new int[dense.prunableGroups().size()];
                byte[] mask = randomMask(dense, rnd, 2, kept);
                Flops.Report r = Flops.count(dense.withChannels(new ChannelConfig(kept)), side, side);
                assertEquals(r.totalMacs(), cost.denseMacs() - cost.removedMacs(dense.prunableGroups(), mask, 0), arch);
                assertEquals(
                        r.totalParams(),
                        cost.denseParams() - cost.removedParams(dense.prunableGroups(), mask, 0),
                        arch);
                assertEquals(r.totalMacs(), cost.denseMacs() - cost.removedMacs(dense.prunableGroups(), kept), arch);
            }
        }
    }

    /**
     * Sub-network costs: exact for the sub-network's own layers (input at full width), and their removals add up to
     * the whole network's removal exactly for ResNets (residual-tied cuts) and to a lower bound for VGG (a sub-network's
     * pruned output also narrows the next sub-network's first conv).
     */
    @Test
    void subnetCostsAddUpExactlyAcrossResidualCutsAndToALowerBoundAcrossPrunedOnes() {
        for (String arch : new String[] {"resnet56", "resnet50", "vgg16"}) {
            NetSpec dense = NetSpec.dense(arch, 10);
            int side = arch.equals("resnet50") ? 64 : 32;
            CostModel cost = new CostModel(dense, side, side);
            var subnets = org.emodir.search.SubnetSplit.of(dense, org.emodir.search.SubnetSplit.MinKeep.DEFAULT, 2);
            Random rnd = new Random(11);
            int[] kept = new int[dense.prunableGroups().size()];
            byte[] mask = randomMask(dense, rnd, 3, kept);
            long sum = 0;
            int pos = 0;
            for (var sn : subnets) {
                byte[] m = java.util.Arrays.copyOfRange(mask, pos, pos + sn.genes());
                long own = cost.removedMacsInBlocks(sn.firstBlock(), sn.endBlock(), sn.groups(), m, 0);
                // Own layers only, input dense: the pruned spec with just this sub-network's widths, counted over its
                // blocks.
                int[] w = dense.channelConfig().toArray();
                for (var g : sn.groups()) w[g.index()] = kept[g.index()];
                long after = 0;
                for (Flops.Layer l : Flops.count(dense.withChannels(new ChannelConfig(w)), side, side)
                        .layers()) {
                    if (l.block() >= sn.firstBlock() && l.block() < sn.endBlock()) after += l.macs();
                }
                assertEquals(cost.blockMacs(sn.firstBlock(), sn.endBlock()) - after, own, arch + " " + sn.name());
                sum += own;
                pos += sn.genes();
            }
            long whole = cost.removedMacs(dense.prunableGroups(), mask, 0);
            if (arch.startsWith("resnet")) assertEquals(whole, sum, arch);
            else org.junit.jupiter.api.Assertions.assertTrue(whole > sum, arch + ": " + whole + " vs " + sum);
        }
    }

    /** A whole-network mask keeping channel 0 of every group and each other channel with probability 1 - 1/{@code odds}; fills {@code kept}. */
    static byte[] randomMask(NetSpec dense, Random rnd, int odds, int[] kept) {
        byte[] mask = new byte
                [dense.prunableGroups().stream()
                        .mapToInt(ChannelGroup::denseWidth)
                        .sum()];
        int pos = 0;
        for (ChannelGroup g : dense.prunableGroups()) {
            for (int i = 0; i < g.denseWidth(); i++) {
                mask[pos + i] = (byte) (i == 0 || rnd.nextInt(odds) > 0 ? 1 : 0);
                kept[g.index()] += mask[pos + i];
            }
            pos += g.denseWidth();
        }
        return mask;
    }
}
