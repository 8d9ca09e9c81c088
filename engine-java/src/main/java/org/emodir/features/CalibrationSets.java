package org.emodir.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;

/**
 * The fixed, class-stratified subsets of TRAIN images the search uses: calibration images (sub-network
 * fitness), the whole-network baseline's calibration images, and held-out images (GPIR and the whole-network
 * trade-offs). One seeded draw of {@code max(calib, baselineCalib) + heldOut} images per class: the first
 * {@code calibPerClass} of each class (in draw order) are the calibration set, the first {@code
 * baselineCalibPerClass} the baseline's (so the smaller is a subset of the larger), the rest held out. Held-out
 * images never overlap either calibration set, and everything depends only on the seed.
 */
public record CalibrationSets(int[] calibration, int[] baselineCalibration, int[] heldOut) {
    public static CalibrationSets draw(ImageDataset train, int calibPerClass, int heldOutPerClass, long seed) {
        return draw(train, calibPerClass, calibPerClass, heldOutPerClass, seed);
    }

    public static CalibrationSets draw(
            ImageDataset train, int calibPerClass, int baselineCalibPerClass, int heldOutPerClass, long seed) {
        int pool = Math.max(calibPerClass, baselineCalibPerClass);
        int[] all = Subsets.stratifiedRandom(train, pool + heldOutPerClass, seed);
        int[] seen = new int[train.numClasses()];
        List<Integer> calib = new ArrayList<>();
        List<Integer> baseline = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i : all) {
            int k = seen[train.label(i)]++;
            if (k < calibPerClass) calib.add(i);
            if (k < baselineCalibPerClass) baseline.add(i);
            if (k >= pool) held.add(i);
        }
        return new CalibrationSets(toArray(calib), toArray(baseline), toArray(held));
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "calibration " + calibration.length + " images, held-out " + heldOut.length + " (disjoint: "
                + Arrays.stream(calibration).noneMatch(i -> Arrays.binarySearch(heldOut, i) >= 0) + ")";
    }
}
