package org.emodir.emodir.tuning;

import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.emodir.data.ImageDataset;
import org.emodir.eval.LrSchedule;
import org.emodir.eval.Trainer;
import org.emodir.model.TorchNet;

/**
 * Cross-network constraints (paper section 2): each pruned stage, in order, is trained on the features of
 * the already-trained pruned stages before it, with loss = CE of the logits (the later stages and head
 * frozen, BN statistics untouched outside the stage) + lambda x MSE(pruned stage output, dense stage output
 * on the same images). Stages are trained front to back so every stage sees its real, pruned inputs.
 */
public final class ConstraintTraining {
    private ConstraintTraining() {}

    /** @param stages the stages that were pruned (others are left alone) */
    public static double train(TorchNet pruned, TorchNet dense, List<Integer> stages, ImageDataset train, int steps,
                               double lambda, double lr, int batchSize, long seed, Consumer<String> log) {
        if (steps <= 0) return 0;
        long start = System.nanoTime();
        for (int s : stages) {
            TrainingBudget budget = TrainingBudget.steps(train, steps, batchSize, seed + s);
            Trainer.ExtraLoss feature = (trace, images, batch) -> {
                Tensor target;
                boolean[] modes = dense.modes();
                try (NoGradGuard g = new NoGradGuard()) {
                    target = dense.train(false).forwardStage(s, dense.forwardUpTo(s, images));
                } finally {
                    dense.restoreModes(modes);
                }
                return trace.stageOutputs().get(s).sub(target).pow(new Scalar(2.0)).mean().mul(new Scalar(lambda));
            };
            Trainer.Config cfg = new Trainer.Config().epochs(1).schedule(LrSchedule.constant(lr)).onlyStage(s)
                    .extraLoss(feature).progress(0, log).onEpoch(st -> log.accept(String.format(
                            "constraint stage %d: %d images, loss %.4f", s, st.images(), st.meanLoss())));
            new Trainer(cfg).train(pruned, budget.loader(), budget.loader()::setEpoch);
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
