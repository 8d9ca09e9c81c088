package org.emodir.emodir.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;

/**
 * The two fixed, disjoint, class-stratified subsets of TRAIN images the search uses: calibration images
 * (sub-network fitness) and held-out images (GPIR and the whole-network trade-offs). One seeded draw of
 * {@code calibPerClass + heldOutPerClass} images per class, the first {@code calibPerClass} of each class
 * (in draw order) to calibration, so the sets never overlap and depend only on the seed.
 */
public record CalibrationSets(int[] calibration, int[] heldOut) {
    public static CalibrationSets draw(ImageDataset train, int calibPerClass, int heldOutPerClass, long seed) {
        int[] both = Subsets.stratifiedRandom(train, calibPerClass + heldOutPerClass, seed);
        int[] seen = new int[train.numClasses()];
        List<Integer> calib = new ArrayList<>();
        List<Integer> held = new ArrayList<>();
        for (int i : both) {
            int c = train.label(i);
            (seen[c]++ < calibPerClass ? calib : held).add(i);
        }
        return new CalibrationSets(calib.stream().mapToInt(Integer::intValue).toArray(),
                held.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public String toString() {
        return "calibration " + calibration.length + " images, held-out " + heldOut.length + " (disjoint: "
                + Arrays.stream(calibration).noneMatch(i -> Arrays.binarySearch(heldOut, i) >= 0) + ")";
    }
}
