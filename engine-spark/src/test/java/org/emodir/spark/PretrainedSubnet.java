package org.emodir.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.emodir.eval.EvaluationData;
import org.emodir.features.FeatureCache;
import org.emodir.gpir.NativePrograms;
import org.emodir.model.CostModel;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.model.io.StateDict;
import org.emodir.program.SubnetProgram;
import org.emodir.search.Subnet;
import org.emodir.search.SubnetSplit;
import org.emodir.testdata.SharedFixtures;

/**
 * A pretrained CIFAR-10 ResNet's sub-network with its dense input and output features on the first {@code images} test
 * images: what a search of the pipeline evaluates, built as the pipeline builds it.
 */
record PretrainedSubnet(
        StateDict weights,
        CostModel cost,
        FeatureCache calib,
        Subnet subnet,
        SubnetProgram program,
        EvaluationData data) {

    /** ResNet-20's first sub-network (stage 1). */
    static PretrainedSubnet firstImages(int images) {
        return of("resnet20", 0, images);
    }

    /** Sub-network {@code index} of the pretrained {@code model} (resnet20 or resnet56). */
    static PretrainedSubnet of(String model, int index, int images) {
        try {
            // Spark's worker builds executor class paths from $SPARK_HOME/jars (the pom points SPARK_HOME into
            // target/).
            Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StateDict weights = SharedFixtures.weights(
                switch (model) {
                    case "resnet20" -> SharedFixtures.RESNET20;
                    case "resnet56" -> SharedFixtures.RESNET56;
                    default -> throw new IllegalArgumentException("no pretrained weights for " + model);
                });
        NetSpec spec = NetSpec.dense(model, 10);
        FeatureCache calib;
        try (TorchNet dense = TorchNet.fromStateDict(spec, weights)) {
            calib = FeatureCache.build(
                    dense,
                    SharedFixtures.cifar("test"),
                    IntStream.range(0, images).toArray(),
                    64,
                    null);
        }
        Subnet subnet = SubnetSplit.of(spec, SubnetSplit.MinKeep.DEFAULT).get(index);
        SubnetProgram program = NativePrograms.blocks(
                spec, weights, subnet.firstBlock(), subnet.endBlock(), calib.shape(subnet.firstBlock()));
        EvaluationData data = new EvaluationData(
                calib.feature(subnet.firstBlock()), calib.images(), calib.feature(subnet.endBlock()), null);
        return new PretrainedSubnet(weights, new CostModel(spec, 32, 32), calib, subnet, program, data);
    }
}
