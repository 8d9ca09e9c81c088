package org.emodir.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.emodir.data.ImageDataset;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.api.Test;

class CalibrationSetsTest {
    @Test
    void threeSplitsAreDisjointStratifiedAndAddingSelectionImagesLeavesTheOthersAlone() {
        ImageDataset train = SharedFixtures.cifar("train");
        CalibrationSets two = CalibrationSets.draw(train, 4, 6, 3, 0, 9);
        CalibrationSets three = CalibrationSets.draw(train, 4, 6, 3, 5, 9);
        assertArrayEquals(two.calibration(), three.calibration());
        assertArrayEquals(two.baselineCalibration(), three.baselineCalibration());
        assertArrayEquals(two.heldOut(), three.heldOut());
        assertEquals(0, two.selection().length);
        assertArrayEquals(two.heldOut(), two.scoring(), "without selection images the held-out ones score");
        assertArrayEquals(three.selection(), three.scoring());
        assertEquals(50, three.selection().length);
        int[] perClass = new int[train.numClasses()];
        for (int i : three.selection()) perClass[train.label(i)]++;
        for (int c : perClass) assertEquals(5, c);
        Set<Integer> used = new HashSet<>();
        for (int i : three.baselineCalibration()) used.add(i); // the larger calibration pool
        for (int i : three.heldOut()) assertTrue(used.add(i), "held-out image " + i + " also in calibration");
        for (int i : three.selection()) assertTrue(used.add(i), "selection image " + i + " also elsewhere");
        assertTrue(three.toString().contains("disjoint: true"), three.toString());
    }
}
