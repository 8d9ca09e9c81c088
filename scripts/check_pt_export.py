#!/usr/bin/env python3
"""Manual check of a pruned model's exports with stock PyTorch (docs/export.md).

Rebuilds the pruned CIFAR ResNet from architecture.json exactly as docs/export.md shows, loads model.pt with
torch.load(weights_only=True), runs random inputs and compares the logits with model.onnx run by onnxruntime
(OnnxExporterTest pins the ONNX model to emodir's libtorch logits). PyTorch and onnxruntime may live in different
Python installations here, so the script has two steps that exchange .npy files:

  /usr/bin/python3 scripts/check_pt_export.py torch RUN/pruned /tmp/pt      # needs torch
  python3 scripts/check_pt_export.py onnx RUN/pruned /tmp/pt               # needs onnxruntime; prints the verdict
"""
import json
import sys

import numpy as np


def torch_step(pruned, out):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Block(nn.Module):
        def __init__(self, cin, mid, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, mid, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(mid)
            self.conv2 = nn.Conv2d(mid, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.stride, self.extra = stride, cout - cin

        def forward(self, x):
            h = F.relu(self.bn1(self.conv1(x)))
            h = self.bn2(self.conv2(h))
            s = x[:, :, :: self.stride, :: self.stride] if self.stride != 1 else x
            if self.extra:
                s = F.pad(s, (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
            return F.relu(h + s)

    class PrunedCifarResNet(nn.Module):
        def __init__(self, arch):
            super().__init__()
            depth = int(arch["arch"][len("resnet"):])
            n = (depth - 2) // 6
            self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            cin = 16
            for i, cout in enumerate([16, 32, 64]):
                blocks = []
                for j in range(n):
                    mid = arch["groups"][f"layer{i + 1}.{j}.conv1"]
                    blocks.append(Block(cin, mid, cout, 2 if (i > 0 and j == 0) else 1))
                    cin = cout
                setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
            self.linear = nn.Linear(64, arch["numClasses"])

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))

    arch = json.load(open(f"{pruned}/architecture.json"))
    net = PrunedCifarResNet(arch)
    net.load_state_dict(torch.load(f"{pruned}/model.pt", weights_only=True))
    net.eval()
    x = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    # The plain (non-oneDNN) convolution: hosts that hide their cache sizes break oneDNN (docs/numerics.md).
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False):
        logits = net(x)
    np.save(f"{out}-x.npy", x.numpy())
    np.save(f"{out}-torch.npy", logits.numpy())
    print(f"torch {torch.__version__}: {arch['arch']} widths {arch['channels']} -> logits {tuple(logits.shape)}")


def onnx_step(pruned, out):
    import onnxruntime as ort

    x = np.load(f"{out}-x.npy")
    expected = np.load(f"{out}-torch.npy")
    s = ort.InferenceSession(f"{pruned}/model.onnx", providers=["CPUExecutionProvider"])
    got = s.run(["logits"], {"input": x})[0]
    diff = float(np.abs(got - expected).max())
    same = bool((got.argmax(1) == expected.argmax(1)).all())
    print(f"onnxruntime {ort.__version__}: max |logit difference| {diff:.2e} "
          f"(largest |logit| {float(np.abs(expected).max()):.2f}), top-1 identical: {same}")
    sys.exit(0 if diff < 1e-4 * max(1.0, float(np.abs(expected).max())) and same else 1)


if __name__ == "__main__":
    step, pruned, out = sys.argv[1:4]
    torch_step(pruned, out) if step == "torch" else onnx_step(pruned, out)
