package org.emodir.search;

import java.util.List;
import org.emodir.eval.Objectives;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.eval.PopulationMasks;

/** Objectives of a given list of masks (front solutions, random masks) in one population evaluation. */
public final class MaskScores {
    private MaskScores() {}

    public static Objectives of(PopulationEvaluator evaluator, List<byte[]> masks) {
        PopulationMasks pm = new PopulationMasks(Math.max(1, masks.size()), evaluator.numGenes());
        for (int i = 0; i < masks.size(); i++) {
            byte[] m = masks.get(i);
            if (m.length != evaluator.numGenes()) {
                throw new IllegalArgumentException(
                        "mask " + i + " has " + m.length + " genes, the program " + evaluator.numGenes());
            }
            for (int g = 0; g < m.length; g++) pm.set(i, g, m[g] != 0);
        }
        Objectives out = new Objectives(Math.max(1, masks.size()));
        if (!masks.isEmpty()) evaluator.evaluate(pm, masks.size(), out);
        return out;
    }
}
