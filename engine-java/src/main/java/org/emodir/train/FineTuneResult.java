package org.emodir.train;

import org.emodir.model.io.StateDict;

/**
 * Outcome of {@link FineTuner#finetune}.
 *
 * @param weights        the fine-tuned weights (architecture unchanged)
 * @param epochs         epochs done (steps / batches per epoch)
 * @param steps          optimiser steps done in total, including those done before a resume
 * @param seconds        wall time of this call (a resumed run counts only its own part)
 * @param finalTrainLoss mean training loss of the last {@link FineTuner#FINAL_LOSS_WINDOW} steps (fewer if the run is shorter)
 * @param stepLosses     training loss of every step, in order
 */
public record FineTuneResult(
        StateDict weights, double epochs, long steps, double seconds, double finalTrainLoss, float[] stepLosses) {
    @Override
    public String toString() {
        return String.format(
                "%d steps (%.3f epochs) in %.1f s, final train loss %.4f", steps, epochs, seconds, finalTrainLoss);
    }
}
