package org.emodir.pipeline;

import java.util.ArrayList;
import java.util.List;
import org.emodir.features.FeatureCache;
import org.emodir.features.FeatureStorage;
import org.emodir.run.ProgressListener;
import org.emodir.search.FeatureSelector;
import org.emodir.search.Subnet;

/**
 * The dense network's features at every cut on the calibration and the held-out images, its stem output on the
 * selection images (off-heap, not checkpointed: recomputed on resume, deterministically), and each sub-network's
 * feature selector when the run uses one.
 */
record Features(FeatureCache calib, FeatureCache heldOut, FeatureCache selection, List<FeatureSelector> selectors) {
    /** Images per dense forward: {@link org.emodir.model.TorchNet#inferenceImages} (16 at 224x224). */
    static int batch(org.emodir.data.ImageGeometry g) {
        return org.emodir.model.TorchNet.inferenceImages(g.height(), g.width());
    }

    static Features build(RunInputs in, ProgressListener progress) {
        int[] cuts = in.cuts();
        int batch = batch(in.train().geometry());
        FeatureStorage storage = in.cfg().featureStorage();
        FeatureCache calib = FeatureCache.build(
                in.dense(), in.train(), in.sets().calibration(), batch, cuts, progress::message, null, storage);
        FeatureCache heldOut = FeatureCache.build(
                in.dense(), in.train(), in.sets().heldOut(), batch, cuts, progress::message, null, storage);
        // The selection images only ever feed whole networks (adaptive BN from the stem output), so cut 0 is enough.
        FeatureCache selection = in.sets().selection().length == 0
                ? heldOut
                : FeatureCache.build(
                        in.dense(),
                        in.train(),
                        in.sets().selection(),
                        batch,
                        new int[] {0},
                        progress::message,
                        null,
                        storage);
        List<FeatureSelector> selectors = new ArrayList<>();
        if (in.cfg().impairment() != PruneConfig.Impairment.MSE) {
            for (Subnet sn : in.subnets()) {
                int to = sn.endBlock();
                FeatureSelector s = FeatureSelector.train(
                        calib.pooled(to), calib.labelArray(), in.spec().numClasses());
                progress.message(String.format(
                        "%s feature selector: %d channels, train CE %.4f, top-1 %.1f%% on %d calibration images",
                        sn.name(), s.channels(), s.trainLoss(), 100 * s.trainTop1(), calib.images()));
                selectors.add(s);
            }
        }
        return new Features(calib, heldOut, selection, List.copyOf(selectors));
    }

    /** The held-out images (GPIR's) as a set whole networks can be scored on. */
    NetworkMasks.ImageSet heldOutSet(RunInputs in) {
        return new NetworkMasks.ImageSet(in.train(), in.sets().heldOut(), heldOut);
    }

    /** The selection images: they choose among joint schemes and score every trade-off (the held-out ones if none). */
    NetworkMasks.ImageSet selectionSet(RunInputs in) {
        return new NetworkMasks.ImageSet(in.train(), in.sets().scoring(), selection);
    }

    FeatureSelector selector(Subnet sn) {
        return selectors.get(sn.index());
    }
}
