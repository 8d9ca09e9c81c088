package org.emodir.benchmarks;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.NetSpec;
import org.emodir.model.Tensors;
import org.emodir.model.TorchNet;
import org.emodir.train.Sgd;

/**
 * A randomly initialised network with one fixed batch of random CIFAR-sized images and labels and an SGD optimiser:
 * the two libtorch operations the pipeline repeats per batch, shared by the libtorch benchmarks.
 */
final class TrainingBatch implements AutoCloseable {
    private final TorchNet net;
    private final Tensor images;
    private final Tensor labels;
    private final Sgd sgd;

    TrainingBatch(NetSpec spec, int batch) {
        net = TorchNet.random(spec, 1);
        torch.manual_seed(2);
        images = torch.randn(batch, 3, 32, 32);
        images.retainReference();
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) y[i] = i % 10;
        labels = Tensors.longs(y, batch);
        labels.retainReference();
        sgd = new Sgd(net.parameters(), 0.9, 5e-4, false);
    }

    /** What Evaluator does per batch: eval-mode forward without gradients. */
    float evalForward() {
        net.train(false);
        try (PointerScope scope = new PointerScope();
                NoGradGuard g = new NoGradGuard()) {
            return net.forward(images).sum().item_float();
        }
    }

    /** What Trainer does per batch: one SGD step on the cross-entropy. */
    float trainStep() {
        net.train(true);
        try (PointerScope scope = new PointerScope()) {
            sgd.zeroGrad();
            Tensor loss = torch.cross_entropy_loss(net.forward(images), labels);
            loss.backward();
            sgd.step(0.01);
            return loss.item_float();
        }
    }

    @Override
    public void close() {
        sgd.close();
        net.close();
        images.releaseReference();
        labels.releaseReference();
    }
}
