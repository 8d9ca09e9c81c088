package org.emodir.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.emodir.data.DataLoader;
import org.emodir.model.NetSpec;
import org.emodir.model.TorchNet;
import org.emodir.testdata.SharedFixtures;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real pretrained weights on a fixed 2,000-image subset of the CIFAR-10 JPEG test split (first 200 per
 * class, sorted names). The threshold comes from PyTorch's full-test-set figure: a 2,000-image sample of
 * a classifier with accuracy p has standard error sqrt(p(1-p)/2000) ~ 0.0084, so the subset must land
 * within 3 standard errors of it; a wrong layout, shortcut or normalisation scores far lower.
 */
class PretrainedAccuracyTest {
    static final int PER_CLASS = 200;

    @ParameterizedTest
    @CsvSource({"resnet56,resnet56-4bfd9763.safetensors,0.8320", "resnet20,resnet20-12fca82f.safetensors,0.8103"})
    void subsetAccuracyMatchesPyTorch(String arch, String file, double fullTop1) throws Exception {
        DataLoader data = SharedFixtures.cifarSubset("test", PER_CLASS, 250);
        try (TorchNet net = TorchNet.fromStateDict(NetSpec.dense(arch, 10), SharedFixtures.weights(file))) {
            EvalResult r = new Evaluator(4, System.out::println).evaluate(net, data);
            System.out.println(arch + " on 2000 test JPEGs: " + r);
            double tolerance = 3 * Math.sqrt(fullTop1 * (1 - fullTop1) / data.size());
            assertEquals(2000, r.images());
            assertEquals(fullTop1, r.top1(), tolerance, arch + " top-1 on the subset");
            assertTrue(r.top5() > 0.97 && r.top5() >= r.top1(), "top-5 " + r.top5());
            assertTrue(r.loss() < 1.0, "cross-entropy " + r.loss());
        }
    }
}
