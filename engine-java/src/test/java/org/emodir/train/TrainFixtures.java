package org.emodir.train;

import java.util.Arrays;
import java.util.Random;
import org.emodir.model.ChannelGroup;
import org.emodir.model.NetSpec;
import org.emodir.model.io.StateDict;
import org.emodir.testdata.SharedFixtures;

/** Pretrained ResNet-20 and random channel masks shared by this package's tests. */
public final class TrainFixtures {
    public static final NetSpec RESNET20 = NetSpec.dense("resnet20", 10);

    private TrainFixtures() {}

    public static StateDict resnet20Weights() {
        return SharedFixtures.weights(SharedFixtures.RESNET20);
    }

    /** One random mask per prunable group, keeping between 1 and all channels of each. */
    public static byte[][] randomMasks(NetSpec spec, long seed) {
        Random rnd = new Random(seed);
        byte[][] masks = new byte[spec.prunableGroups().size()][];
        for (ChannelGroup g : spec.prunableGroups()) {
            byte[] m = new byte[g.denseWidth()];
            for (int c = 0; c < m.length; c++) m[c] = (byte) (rnd.nextDouble() < 0.6 ? 1 : 0);
            m[rnd.nextInt(m.length)] = 1;
            masks[g.index()] = m;
        }
        return masks;
    }

    public static int kept(byte[] mask) {
        int n = 0;
        for (byte b : mask) n += b;
        return n;
    }

    public static float maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths " + a.length + " vs " + b.length);
        float m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    public static StateDict copy(StateDict sd) {
        StateDict out = new StateDict();
        for (String k : sd.names()) {
            var t = sd.get(k);
            out.put(new org.emodir.model.io.NamedTensor(
                    k, t.shape().clone(), Arrays.copyOf(t.data(), t.data().length)));
        }
        return out;
    }
}
