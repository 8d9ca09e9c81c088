package org.emodir.program;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SubnetProgramBuilderTest {
    @Test
    void convWeightOfTheWrongSizeNamesTheLayer() {
        SubnetProgramBuilder b = new SubnetProgramBuilder(4, 8, 8);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> b.conv("block.conv1", b.input(), new float[10], new float[8], 8, 3, 1, 1, true));
        assertTrue(e.getMessage().contains("block.conv1") && e.getMessage().contains("8x4x3x3 = 288"), e.getMessage());
    }

    @Test
    void optionAShortcutGetsSubsamplingAndChannelPad() {
        SubnetProgramBuilder b = new SubnetProgramBuilder(4, 9, 9);
        var y = b.conv("down", b.input(), new float[8 * 4 * 9], new float[8], 8, 3, 2, 1, false);
        var sum = b.add(y, b.input());
        SubnetOp add = b.build(sum).ops().get(1);
        assertEquals(SubnetOp.Kind.ADD, add.kind());
        assertEquals(2, add.stride());
        assertEquals(2, add.pad());
    }

    @Test
    void incompatibleShortcutIsRejected() {
        SubnetProgramBuilder b = new SubnetProgramBuilder(4, 8, 8);
        var y = b.conv("c", b.input(), new float[5 * 4 * 9], new float[5], 5, 3, 1, 1, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.add(y, b.input()));
        assertTrue(e.getMessage().contains("[4x8x8]") && e.getMessage().contains("[5x8x8]"), e.getMessage());
    }

    @Test
    void addIntoAValueReadLaterIsRejected() {
        SubnetProgramBuilder b = new SubnetProgramBuilder(4, 8, 8);
        var y = b.conv("c", b.input(), new float[4 * 4 * 9], new float[4], 4, 3, 1, 1, false);
        var sum = b.add(y, b.input());
        var z = b.add(b.conv("d", y, new float[4 * 4 * 9], new float[4], 4, 3, 1, 1, false), sum);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.build(z));
        assertTrue(e.getMessage().contains("read again later"), e.getMessage());
    }

    @Test
    void prunedOutputIsAllowedAndReportedAtTheDenseWidth() {
        SubnetProgramBuilder b = new SubnetProgramBuilder(4, 8, 8);
        var y = b.conv("pruned", b.input(), new float[6 * 4 * 9], new float[6], 6, 3, 1, 1, true);
        SubnetProgram p = b.build(b.maxPool("pool", b.relu(y), 2, 2, 0));
        assertEquals(6 * 4 * 4, p.outputSize());
        assertEquals(java.util.List.of("pruned"), p.groupNames());
    }
}
