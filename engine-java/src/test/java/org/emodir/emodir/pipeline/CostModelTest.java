package org.emodir.emodir.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.emodir.internal.search.CostModel;
import org.emodir.model.ChannelConfig;
import org.emodir.model.ChannelGroup;
import org.emodir.model.Flops;
import org.emodir.model.NetSpec;
import org.junit.jupiter.api.Test;

class CostModelTest {
    /** The affine per-channel model must equal a full Flops count of the physically narrower spec. */
    @Test
    void maskCostEqualsFlopsCountOfThePrunedSpec() {
        for (String arch : new String[] {"resnet20", "resnet56"}) {
            NetSpec dense = NetSpec.dense(arch, 10);
            CostModel cost = new CostModel(dense, 32, 32);
            Random rnd = new Random(7);
            for (int trial = 0; trial < 5; trial++) {
                int genes = dense.prunableGroups().stream().mapToInt(ChannelGroup::denseWidth).sum();
                byte[] mask = new byte[genes];
                int[] kept = new int[dense.prunableGroups().size()];
                int pos = 0;
                for (ChannelGroup g : dense.prunableGroups()) {
                    for (int i = 0; i < g.denseWidth(); i++) {
                        mask[pos + i] = (byte) (i == 0 || rnd.nextBoolean() ? 1 : 0);
                        kept[g.index()] += mask[pos + i];
                    }
                    pos += g.denseWidth();
                }
                Flops.Report r = Flops.count(dense.withChannels(new ChannelConfig(kept)), 32, 32);
                assertEquals(r.totalMacs(), cost.denseMacs() - cost.removedMacs(dense.prunableGroups(), mask, 0), arch);
                assertEquals(r.totalParams(), cost.denseParams() - cost.removedParams(dense.prunableGroups(), mask, 0), arch);
                assertEquals(r.totalMacs(), cost.denseMacs() - cost.removedMacs(dense.prunableGroups(), kept), arch);
            }
        }
    }
}
