package org.emodir.pipeline;

import org.emodir.data.Augmentation;
import org.emodir.eval.EvalResult;
import org.emodir.model.PrunedModel;
import org.emodir.run.RunDirectory;
import org.emodir.train.CrossNetworkTrainer;
import org.emodir.train.FineTuneResult;
import org.emodir.train.FineTuner;

/**
 * The one training recipe of the pruned model and every pruned baseline (cross-network constraint training, then
 * fine-tuning with the same settings and teacher), and the dense baseline's fine-tune with the same image budget;
 * each fine-tune resumable from its own state file.
 */
record FineTuneRecipe(RunInputs in, RunDirectory dir, PhaseLog phases) {
    /** Null when {@code epochs} is 0. */
    FineTuneResult finetune(PrunedModel model, String name, double epochs) {
        if (epochs <= 0) return null;
        PruneConfig cfg = in.cfg();
        FineTuner.Config fc = new FineTuner.Config()
                .epochs(epochs)
                .batchSize(cfg.batchSize())
                .lr(cfg.finetuneLr())
                .distillAlpha(cfg.distillAlpha())
                .seed(cfg.seed())
                .augmentation(Augmentation.cropFlipFor(in.train().geometry()))
                .checkpoint(dir.checkpoints().resolve(name + ".state"));
        return new FineTuner().finetune(model, in.dense(), in.train(), fc, phases.progress()::message);
    }

    /** A pruned network (per-group keep masks of the dense one) trained exactly as EMO-DIR's: constraints, fine-tune. */
    Trained trainPruned(byte[][] groupMasks, String name) {
        PruneConfig cfg = in.cfg();
        PrunedModel model =
                PrunedModel.fromMasks(in.spec(), in.weights(), in.spec().prunableGroups(), groupMasks);
        long c0 = System.nanoTime();
        if (cfg.constraintSteps() > 0) {
            model = model.withWeights(new CrossNetworkTrainer()
                    .train(in.dense(), model, in.train(), constraints(groupMasks), phases.progress()::message));
        }
        double constraintSeconds = (System.nanoTime() - c0) / 1e9;
        FineTuneResult tuned = finetune(model, "finetune-" + name, cfg.finetuneEpochs());
        if (tuned != null) model = model.withWeights(tuned.weights());
        return new Trained(model, constraintSeconds, tuned == null ? 0 : tuned.seconds());
    }

    /** The cross-network constraint settings for a network with these per-group keep masks, every sub-network. */
    CrossNetworkTrainer.Config constraints(byte[][] groupMasks) {
        PruneConfig cfg = in.cfg();
        return new CrossNetworkTrainer.Config()
                .steps(cfg.constraintSteps())
                .batchSize(cfg.batchSize())
                .lr(cfg.constraintLr())
                .lambdaFeature(cfg.constraintLambda())
                .seed(cfg.seed())
                .subnets(in.subnets().stream()
                        .map(sn -> new int[] {sn.firstBlock(), sn.endBlock()})
                        .toList())
                .augmentation(Augmentation.cropFlipFor(in.train().geometry()))
                .keptAtCut(NetworkMasks.keptAtCuts(in, groupMasks));
    }

    record Trained(PrunedModel model, double constraintSeconds, double finetuneSeconds) {}

    EvalResult evaluate(PrunedModel model) {
        return new FineTuner()
                .evaluate(model, in.test(), in.cfg().evalImages(), in.cfg().batchSize());
    }

    /**
     * The baselines' fine-tune budget: the pruned model's fine-tune plus as many training images as its
     * cross-network constraint training saw, so every model is trained on the same number of images.
     */
    double baselineEpochs() {
        PruneConfig cfg = in.cfg();
        double constraintImages = (double) cfg.constraintSteps() * in.subnets().size() * cfg.batchSize();
        return cfg.finetuneEpochs() + constraintImages / in.train().size();
    }

    /** Fine-tuned with the baselines' budget, then top-1 on the test split. */
    double baselineTop1(PrunedModel model, String name) {
        FineTuneResult tuned = finetune(model, name, baselineEpochs());
        return evaluate(tuned == null ? model : model.withWeights(tuned.weights()))
                .top1();
    }
}
