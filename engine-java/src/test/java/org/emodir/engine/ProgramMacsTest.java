package org.emodir.engine;

import static org.emodir.engine.TinyPrograms.C1;
import static org.emodir.engine.TinyPrograms.C2;
import static org.emodir.engine.TinyPrograms.CLASSES;
import static org.emodir.engine.TinyPrograms.IN_C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.emodir.program.ProgramMacs;
import org.junit.jupiter.api.Test;

class ProgramMacsTest {
    private final ProgramMacs macs = ProgramMacs.of(TinyPrograms.classifier(1));

    /** conv1 3->k1 at 8x8, conv2 k1->k2 stride 2 to 4x4, head k2->4, all 3x3 kernels: counted by hand. */
    private static double byHand(int k1, int k2) {
        return 9.0 * 8 * 8 * IN_C * k1 + 9.0 * 4 * 4 * k1 * k2 + (double) k2 * CLASSES;
    }

    @Test
    void macsFollowTheKeptChannelsOfEveryLayer() {
        assertEquals(byHand(C1, C2), macs.dense());
        assertEquals(byHand(3, 2), macs.macs(new int[] {3, 2}));
        assertEquals(byHand(3, 2) / byHand(C1, C2), macs.ratio(new int[] {3, 2}), 1e-15);
        assertEquals(1.0, macs.ratio(new int[] {C1, C2}));
    }

    @Test
    void wrongNumberOfGroupsIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> macs.macs(new int[] {1}));
    }
}
