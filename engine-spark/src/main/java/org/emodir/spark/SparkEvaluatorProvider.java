package org.emodir.spark;

import org.emodir.engine.RemoteEvaluatorProvider;
import org.emodir.eval.EvaluationData;
import org.emodir.eval.PopulationEvaluator;
import org.emodir.program.SubnetProgram;

/** {@code --spark MASTER}: the search's populations evaluated on the Spark cluster at that master URL. */
public final class SparkEvaluatorProvider implements RemoteEvaluatorProvider {
    @Override
    public String name() {
        return "spark";
    }

    @Override
    public PopulationEvaluator open(
            String address, String job, SubnetProgram program, EvaluationData data, int threads) {
        return SparkPopulationEvaluator.open(SparkContexts.at(address), job, program, data, threads);
    }
}
