package org.emodir.train;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.emodir.model.Tensors;

/**
 * SGD with momentum, L2 weight decay and optional Nesterov, with PyTorch's update rule:
 * {@code g = grad + wd*p; buf = mu*buf + g (buf = g on the first step); d = nesterov ? g + mu*buf : buf;
 * p -= lr*d}. Momentum buffers are owned (retained) here; {@link #close()} releases them.
 */
public final class Sgd implements AutoCloseable {
    private final List<Tensor> params;
    private final List<Tensor> buffers = new ArrayList<>();
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private boolean first = true;

    public Sgd(List<Tensor> params, double momentum, double weightDecay, boolean nesterov) {
        this.params = List.copyOf(params);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        for (Tensor p : this.params) {
            Tensor b = torch.zeros_like(p.detach());
            b.retainReference();
            buffers.add(b);
        }
    }

    /** Zeroes the accumulated gradients of the optimised tensors. */
    public void zeroGrad() {
        // Own scope: the gradient handles are freed here, whether or not the caller holds one.
        try (PointerScope scope = new PointerScope()) {
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g.defined()) g.zero_();
            }
        }
    }

    public void step(double lr) {
        // Own scope: the update's temporaries (the weight-decayed gradient is a parameter-sized tensor) are freed at
        // the end of the step, not when the caller's scope closes or the GC runs.
        try (PointerScope scope = new PointerScope();
                NoGradGuard noGrad = new NoGradGuard()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor grad = p.grad();
                if (!grad.defined()) continue;
                Tensor g = weightDecay != 0 ? grad.add(p.detach(), new Scalar(weightDecay)) : grad;
                Tensor buf = buffers.get(i);
                if (momentum != 0) {
                    if (first) {
                        buf.copy_(g);
                    } else {
                        buf.mul_(new Scalar(momentum)).add_(g);
                    }
                    g = nesterov ? g.add(buf, new Scalar(momentum)) : buf;
                }
                p.detach().sub_(g, new Scalar(lr));
            }
        }
        first = false;
    }

    /** Copies of the momentum buffers in parameter order, for checkpoints. */
    public float[][] momentumState() {
        float[][] out = new float[buffers.size()][];
        for (int i = 0; i < out.length; i++) out[i] = Tensors.toFloats(buffers.get(i));
        return out;
    }

    /**
     * Restores buffers saved by {@link #momentumState()}. Later steps use the momentum update even if none was
     * taken yet, which is equivalent: a zero buffer gives {@code mu*0 + g = g}, the first-step rule.
     */
    public void restoreMomentum(float[][] state) {
        if (state.length != buffers.size()) {
            throw new IllegalArgumentException(
                    "momentum state has " + state.length + " buffers, optimiser has " + buffers.size());
        }
        for (int i = 0; i < state.length; i++) {
            Tensor b = buffers.get(i);
            if (state[i].length != b.numel()) {
                throw new IllegalArgumentException(
                        "momentum buffer " + i + " has " + state[i].length + " values, parameter has " + b.numel());
            }
            try (NoGradGuard noGrad = new NoGradGuard()) {
                b.copy_(Tensors.fromFloats(state[i], Tensors.shape(b)));
            }
        }
        first = false;
    }

    @Override
    public void close() {
        buffers.forEach(Tensor::releaseReference);
        buffers.clear();
    }
}
