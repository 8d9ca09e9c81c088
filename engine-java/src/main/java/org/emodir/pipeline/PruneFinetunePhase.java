package org.emodir.pipeline;

import java.io.IOException;
import org.emodir.eval.EvalResult;
import org.emodir.export.ModelExport;
import org.emodir.model.Flops;
import org.emodir.model.PrunedModel;
import org.emodir.run.RunDirectory;

/** Physical pruning of the chosen scheme, cross-network constraint training, fine-tuning, test accuracy. */
final class PruneFinetunePhase {
    record Trained(double top1, double loss, long images, double constraintSeconds, double finetuneSeconds) {}

    private PruneFinetunePhase() {}

    static Trained run(
            RunInputs in, SchemePhase.Chosen chosen, FineTuneRecipe recipe, RunDirectory dir, PhaseLog phases)
            throws IOException {
        return phases.run(
                "prune-finetune",
                "constraint training, pruning, fine-tuning",
                Trained.class,
                () -> pruneAndFinetune(in, chosen, recipe, dir, phases));
    }

    private static Trained pruneAndFinetune(
            RunInputs in, SchemePhase.Chosen chosen, FineTuneRecipe recipe, RunDirectory dir, PhaseLog phases)
            throws IOException {
        byte[][] masks = NetworkMasks.perGroup(in, chosen.networkMask());
        FineTuneRecipe.Trained t = recipe.trainPruned(masks, "pruned");
        PrunedModel model = t.model();
        long macs = Flops.count(
                        model.spec(),
                        in.train().geometry().height(),
                        in.train().geometry().width())
                .totalMacs();
        if (macs != chosen.macs()) {
            throw new IllegalStateException(
                    "pruned network has " + macs + " MACs but the cost model gives " + chosen.macs());
        }
        model.save(dir.pruned());
        ModelExport.writeAll(model, dir.pruned());
        EvalResult ev = recipe.evaluate(model);
        phases.progress().message("pruned fine-tuned: " + ev);
        return new Trained(ev.top1(), ev.loss(), ev.images(), t.constraintSeconds(), t.finetuneSeconds());
    }
}
