package org.emodir.eval;

import org.emodir.data.DataLoader;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.testdata.SharedFixtures;

/**
 * One-off measurement (not a CI test, it takes minutes): both pretrained CIFAR ResNets on all 10,000
 * test JPEGs, for comparison with PyTorch's 0.8320 / 0.8103. Run with the test classpath.
 */
public final class FullTestSetAccuracy {
    public static void main(String[] args) throws Exception {
        String[][] models = {
            {"resnet56", "resnet56-4bfd9763.safetensors"}, {"resnet20", "resnet20-12fca82f.safetensors"}
        };
        DataLoader all = SharedFixtures.cifarSubset("test", 1000, 250);
        for (String[] m : models) {
            try (TorchNet net = TorchNet.fromStateDict(NetSpec.dense(m[0], 10), SharedFixtures.weights(m[1]))) {
                System.out.println(
                        m[0] + " on all " + all.size() + " test JPEGs: " + new Evaluator().evaluate(net, all));
            }
        }
    }
}
