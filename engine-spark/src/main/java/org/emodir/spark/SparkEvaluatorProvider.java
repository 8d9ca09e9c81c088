package org.emodir.spark;

import java.util.List;
import org.emodir.engine.Precision;
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
        return open(address, job, program, List.of(data), threads, Precision.FP32);
    }

    /** The parts streamed into the payload once, in order; the executors evaluate them at {@code precision}. */
    @Override
    public PopulationEvaluator open(
            String address,
            String job,
            SubnetProgram program,
            List<EvaluationData> parts,
            int threads,
            Precision precision) {
        return SparkPopulationEvaluator.open(SparkContexts.at(address), job, program, parts, threads, precision);
    }
}
