package org.emodir.pipeline;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.emodir.data.Subsets;
import org.emodir.features.FeatureCache;
import org.emodir.train.PruningCriteria;

/**
 * The applied scheme against the simple criteria at the same FLOPs target, before any training: every network's
 * cross-entropy and top-1 on test images (disjoint from the calibration and held-out images the scheme was chosen
 * on), measured as the trade-off's points are (BN recalibrated on the calibration images when GPIR does so). The
 * quality gate of issue 15: EMO-DIR's scheme should damage the network no more than uniform L1 does.
 */
final class CriteriaPhase {
    /** One pruned network: which criterion chose it, the MACs it removes, its test CE and top-1. */
    record Row(String criterion, double flopsReduction, double testCe, double testTop1) {}

    /** {@code testImages}: how many test images (the first of every class) every row was measured on. */
    record Criteria(int testImages, List<Row> rows) {
        Row row(String criterion) {
            return rows.stream()
                    .filter(r -> r.criterion().equals(criterion))
                    .findFirst()
                    .orElseThrow();
        }
    }

    static final String EMO_DIR = "emo_dir";
    /** The exact scheme as GPIR predicted it, when scheme selection applied another one. */
    static final String EMO_DIR_PREDICTED = "emo_dir_predicted";
    /** Test images at most: enough to rank networks, bounded memory for the cached stem features. */
    private static final int IMAGES = 2000;

    private CriteriaPhase() {}

    static Criteria run(RunInputs in, Features f, SchemePhase.Chosen chosen, PhaseLog phases) throws IOException {
        return phases.run(
                "criteria",
                "scheme vs uniform L1, global BN scale, random at the same FLOPs on test images, before training",
                Criteria.class,
                () -> measure(in, f, chosen));
    }

    private static Criteria measure(RunInputs in, Features f, SchemePhase.Chosen chosen) {
        List<String> names = new ArrayList<>(List.of(EMO_DIR));
        List<byte[]> masks = new ArrayList<>(List.of(chosen.networkMask()));
        if (chosen.applied() != chosen.exact()) {
            // Scheme selection applied another scheme than GPIR's prediction: measure the predicted one too.
            names.add(EMO_DIR_PREDICTED);
            masks.add(NetworkMasks.of(in, chosen.exact().choices()));
        }
        for (PruningCriteria.Criterion c : PruningCriteria.Criterion.values()) {
            names.add(c.name().toLowerCase(java.util.Locale.ROOT));
            masks.add(NetworkMasks.criterion(in, c, chosen.flopsReduction()));
        }
        int classes = in.test().numClasses();
        int budget = in.cfg().evalImages() > 0 ? Math.min(IMAGES, in.cfg().evalImages()) : IMAGES;
        int[] sizes = new int[classes];
        for (int i = 0; i < in.test().size(); i++) sizes[in.test().label(i)]++;
        int smallest = java.util.Arrays.stream(sizes).min().orElse(1);
        int perClass = Math.max(1, Math.min(smallest, budget / classes));
        int[] images = Subsets.firstPerClass(in.test(), perClass);
        double[][] r = NetworkMasks.lossAndTop1(in, f, testImages(in, images), masks);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < masks.size(); i++) {
            rows.add(new Row(names.get(i), 1 - NetworkMasks.remainingRatio(in, masks.get(i)), r[i][0], r[i][1]));
        }
        return new Criteria(images.length, rows);
    }

    /** Test images as a scoring set; their stem features only when adaptive BN needs them. */
    static NetworkMasks.ImageSet testImages(RunInputs in, int[] images) {
        FeatureCache stem = in.cfg().gpirAdaptiveBn()
                ? FeatureCache.build(in.dense(), in.test(), images, 128, new int[] {0}, s -> {})
                : null;
        return new NetworkMasks.ImageSet(in.test(), images, stem);
    }
}
