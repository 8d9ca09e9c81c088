package org.emodir.emodir.tuning;

import java.util.function.Consumer;
import org.emodir.data.DataLoader;
import org.emodir.data.ImageDataset;
import org.emodir.data.Subsets;
import org.emodir.eval.EvalResult;
import org.emodir.eval.Evaluator;
import org.emodir.eval.LrSchedule;
import org.emodir.eval.Trainer;
import org.emodir.model.TorchNet;

/**
 * Fine-tuning and test evaluation with one recipe for the pruned network and both baselines, so their
 * accuracies are comparable: SGD momentum 0.9, weight decay 5e-4, cosine learning rate from {@code lr}
 * (stepped per epoch; a fractional budget is a single pass at {@code lr}), optional distillation from
 * the dense teacher (temperature 4, weight {@code distillAlpha}).
 */
public final class Finetuning {
    private Finetuning() {}

    /** @return seconds spent */
    public static double finetune(TorchNet net, TorchNet teacher, ImageDataset train, double epochs, double lr,
                                  double distillAlpha, int batchSize, long seed, Consumer<String> log) {
        if (epochs <= 0) return 0;
        long start = System.nanoTime();
        TrainingBudget budget = TrainingBudget.of(train, epochs, batchSize, seed);
        Trainer.Config cfg = new Trainer.Config().epochs(budget.epochs()).schedule(LrSchedule.cosine(lr))
                .progress(50, log).onEpoch(s -> log.accept(String.format("epoch %d loss %.4f lr %.4f %.0f img/s",
                        s.epoch(), s.meanLoss(), s.lr(), s.images() / s.seconds())));
        if (teacher != null && distillAlpha > 0) cfg.distill(teacher, 4.0, distillAlpha);
        new Trainer(cfg).train(net, budget.loader(), budget.loader()::setEpoch);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Top-1 on the first {@code maxImages / classes} images of every class of {@code test} (0 = all). */
    public static EvalResult evaluate(TorchNet net, ImageDataset test, int maxImages, int batchSize) {
        int[] idx = maxImages <= 0 || maxImages >= test.size() ? Subsets.all(test)
                : Subsets.firstPerClass(test, Math.max(1, maxImages / test.numClasses()));
        return new Evaluator().evaluate(net, DataLoader.builder(test).subset(idx).batchSize(batchSize).shuffle(false).build());
    }
}
