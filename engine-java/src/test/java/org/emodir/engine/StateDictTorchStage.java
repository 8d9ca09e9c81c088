package org.emodir.engine;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.emodir.eval.PopulationMasks;
import org.emodir.model.conv.ConvRouter;
import org.emodir.model.io.NamedTensor;
import org.emodir.model.io.StateDict;
import org.emodir.program.ResNetStagePrograms;

/**
 * An independent libtorch forward of a CIFAR-ResNet stage straight from a {@link StateDict}: unfolded
 * BatchNorm, akamaster's option-A shortcut ({@code F.pad(x[:, :, ::2, ::2], (0,0,0,0, planes//4, planes//4))}),
 * pruning by zeroing bn1's output channels. It shares no code with {@link ResNetStagePrograms}, so it checks
 * BN folding, shortcut geometry and gene order too. Reusable for the pretrained ResNet-56 per-stage check.
 */
final class StateDictTorchStage {
    private StateDictTorchStage() {}

    /** Output {@code [batch][...]} of individual {@code p}; genes are ordered block by block (conv1 channels). */
    static float[] forward(
            StateDict sd,
            int stage,
            int blocks,
            float[] input,
            int batch,
            int c,
            int h,
            int w,
            boolean withHead,
            PopulationMasks masks,
            int p) {
        torch.globalContext().setUserEnabledNNPACK(false);
        try (PointerScope scope = new PointerScope()) {
            Tensor x = tensor(input, batch, c, h, w);
            int gene = 0;
            for (int b = 0; b < blocks; ++b) {
                String pre = "layer" + stage + "." + b + ".";
                int stride = (b == 0 && stage > 1) ? 2 : 1;
                NamedTensor w1 = sd.require(pre + "conv1.weight");
                int planes = w1.dim(0);
                Tensor y = bn(sd, pre + "bn1", conv(sd, pre + "conv1", x, stride, 1));
                float[] m = new float[planes];
                for (int i = 0; i < planes; ++i) m[i] = masks.kept(p, gene + i) ? 1f : 0f;
                gene += planes;
                y = y.mul(tensor(m, 1, planes, 1, 1)).relu();
                y = bn(sd, pre + "bn2", conv(sd, pre + "conv2", y, 1, 1));
                Tensor shortcut = x;
                if (sd.contains(pre + "downsample.0.weight")) {
                    shortcut = bn(sd, pre + "downsample.1", conv(sd, pre + "downsample.0", x, stride, 0));
                } else if (stride != 1 || x.size(1) != planes) {
                    shortcut = x.slice(2, new LongOptional(0), new LongOptional(), 2)
                            .slice(3, new LongOptional(0), new LongOptional(), 2);
                    shortcut = torch.constant_pad_nd(shortcut, 0, 0, 0, 0, planes / 4, planes / 4);
                }
                x = y.add(shortcut).relu();
            }
            if (withHead) {
                Tensor pooled = x.mean(new long[] {2, 3}, false, new ScalarTypeOptional());
                x = torch.linear(
                        pooled,
                        tensor(sd.require("linear.weight")),
                        new TensorOptional(tensor(sd.require("linear.bias"))));
            }
            x = x.contiguous();
            float[] out = new float[(int) x.numel()];
            new FloatPointer(x.data_ptr()).capacity(out.length).get(out);
            return out;
        }
    }

    private static Tensor conv(StateDict sd, String name, Tensor x, int stride, int pad) {
        return ConvRouter.global().conv2d(x, tensor(sd.require(name + ".weight")), null, stride, pad);
    }

    private static Tensor bn(StateDict sd, String name, Tensor y) {
        int c = (int) y.size(1);
        float[] gamma = sd.require(name + ".weight", c).data(),
                beta = sd.require(name + ".bias", c).data();
        float[] mean = sd.require(name + ".running_mean", c).data(),
                var = sd.require(name + ".running_var", c).data();
        float[] inv = new float[c];
        for (int i = 0; i < c; ++i) inv[i] = (float) (1.0 / Math.sqrt(var[i] + 1e-5));
        return y.sub(tensor(mean, 1, c, 1, 1))
                .mul(tensor(inv, 1, c, 1, 1))
                .mul(tensor(gamma, 1, c, 1, 1))
                .add(tensor(beta, 1, c, 1, 1));
    }

    private static Tensor tensor(NamedTensor t) {
        return tensor(t.data(), t.shape());
    }

    private static Tensor tensor(float[] values, long... shape) {
        Tensor t = torch.empty(shape);
        new FloatPointer(t.data_ptr()).capacity(values.length).put(values);
        return t;
    }
}
