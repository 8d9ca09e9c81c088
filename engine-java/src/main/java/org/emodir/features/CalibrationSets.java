package org.emodir.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;

/**
 * The fixed, class-stratified subsets of TRAIN images the search uses, three of them disjoint (issue 15): calibration
 * images (sub-network fitness; the whole-network baseline's calibration images are drawn from the same pool), held-out
 * images (GPIR: ranking the front solutions), and selection images (choosing among the best joint schemes, and every
 * trade-off and hypervolume), so no figure is scored on the images it was chosen on. One seeded draw of {@code
 * max(calib, baselineCalib) + heldOut} images per class: in draw order, the first {@code calibPerClass}
 * of each class are the calibration set, the first {@code baselineCalibPerClass} the baseline's (the smaller is a
 * subset of the larger), the rest held out; the selection images come from a second draw among the others. Adding
 * selection images leaves the other sets unchanged, and everything depends only on the seed. An empty selection set ({@code
 * selectionPerClass} 0) means the held-out images serve both purposes.
 */
public record CalibrationSets(int[] calibration, int[] baselineCalibration, int[] heldOut, int[] selection) {
    public static CalibrationSets draw(ImageDataset train, int calibPerClass, int heldOutPerClass, long seed) {
        return draw(train, calibPerClass, calibPerClass, heldOutPerClass, 0, seed);
    }

    public static CalibrationSets draw(
            ImageDataset train, int calibPerClass, int baselineCalibPerClass, int heldOutPerClass, long seed) {
        return draw(train, calibPerClass, baselineCalibPerClass, heldOutPerClass, 0, seed);
    }

    public static CalibrationSets draw(
            ImageDataset train,
            int calibPerClass,
            int baselineCalibPerClass,
            int heldOutPerClass,
            int selectionPerClass,
            long seed) {
        if (selectionPerClass < 0) throw new IllegalArgumentException("selectionPerClass must be >= 0");
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
        return new CalibrationSets(
                toArray(calib),
                toArray(baseline),
                toArray(held),
                selection(train, all, pool + heldOutPerClass, selectionPerClass, seed));
    }

    /**
     * {@code perClass} images of every class outside {@code used}: a second seeded draw, so that the other sets stay
     * exactly what they were without selection images.
     */
    private static int[] selection(ImageDataset train, int[] used, int usedPerClass, int perClass, long seed) {
        if (perClass == 0) return new int[0];
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        for (int i : used) taken.add(i);
        int[] draw = Subsets.stratifiedRandom(train, usedPerClass + perClass, seed ^ 0x5E1EC7L);
        int[] seen = new int[train.numClasses()];
        List<Integer> out = new ArrayList<>();
        for (int i : draw) {
            if (!taken.contains(i) && seen[train.label(i)]++ < perClass) out.add(i);
        }
        return toArray(out);
    }

    /** The images that choose among joint schemes and score trade-offs: the selection set, else the held-out one. */
    public int[] scoring() {
        return selection.length > 0 ? selection : heldOut;
    }

    private static int[] toArray(List<Integer> list) {
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String toString() {
        return "calibration " + calibration.length + " images, held-out " + heldOut.length + ", selection "
                + selection.length + " (disjoint: "
                + (disjoint(calibration, heldOut) && disjoint(calibration, selection) && disjoint(heldOut, selection))
                + ")";
    }

    private static boolean disjoint(int[] a, int[] b) {
        java.util.Set<Integer> s = new java.util.HashSet<>();
        for (int i : a) s.add(i);
        return Arrays.stream(b).noneMatch(s::contains);
    }
}
