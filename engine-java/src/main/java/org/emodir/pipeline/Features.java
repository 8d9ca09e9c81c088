package org.emodir.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.emodir.features.FeatureCache;
import org.emodir.run.ProgressListener;
import org.emodir.search.FeatureSelector;
import org.emodir.search.Subnet;

/**
 * The dense network's features at every cut on the calibration and the held-out images (off-heap, not checkpointed:
 * recomputed on resume, deterministically), and each sub-network's feature selector when the run uses one.
 */
record Features(FeatureCache calib, FeatureCache heldOut, List<FeatureSelector> selectors) {
    private static final int BATCH = 128;

    static Features build(RunInputs in, ProgressListener progress) {
        int[] cuts = in.cuts();
        FeatureCache calib =
                FeatureCache.build(in.dense(), in.train(), in.sets().calibration(), BATCH, cuts, progress::message);
        FeatureCache heldOut =
                FeatureCache.build(in.dense(), in.train(), in.sets().heldOut(), BATCH, cuts, progress::message);
        List<FeatureSelector> selectors = new ArrayList<>();
        if (in.cfg().impairment() != PruneConfig.Impairment.MSE) {
            for (Subnet sn : in.subnets()) {
                int to = sn.endBlock();
                FeatureSelector s = FeatureSelector.train(
                        calib.feature(to),
                        calib.images(),
                        calib.shape(to),
                        calib.labelArray(),
                        in.spec().numClasses());
                progress.message(String.format(
                        "%s feature selector: %d channels, train CE %.4f, top-1 %.1f%% on %d calibration images",
                        sn.name(), s.channels(), s.trainLoss(), 100 * s.trainTop1(), calib.images()));
                selectors.add(s);
            }
        }
        return new Features(calib, heldOut, List.copyOf(selectors));
    }

    FeatureSelector selector(Subnet sn) {
        return selectors.get(sn.index());
    }
}
