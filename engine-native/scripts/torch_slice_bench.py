#!/usr/bin/env python3
"""PyTorch baselines of the population benchmark (issue 13), run by engine-native/gpu-check.sh.

Reads bench_population's JSON lines (network layouts, seeds, cases), rebuilds the same weights, images and
masks from the same counter-based hash, and times what a competent PyTorch user would write to evaluate the
same population (mse of every individual against the dense network's output):

  slice       per individual: index_select the kept channels out of the dense (BN-folded) weights, then
              F.conv2d + relu + residual add; cuDNN with cudnn.benchmark; fp32 (TF32 off, like emodir)
  grouped     the whole population in one grouped conv per layer (groups = P: every individual keeps the
              same number of channels per group); fp32
  slice_tf32  `slice` with PyTorch's default conv math (TF32 on), for reference; its mse is not checked

Writes one JSON line per (variant, case) with the median time and every individual's mse;
gpu_check_report.py checks those against emodir's objectives.
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

M32 = 0xFFFFFFFF


def mulmod32(x, c):
    """(x * c) mod 2**32 for int64 tensors of uint32 values, without int64 overflow."""
    lo, hi = x & 0xFFFF, x >> 16
    return (lo * c + (((hi * c) & 0xFFFF) << 16)) & M32


def mix32(x):
    x = x ^ (x >> 16)
    x = mulmod32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = mulmod32(x, 0x846CA68B)
    return x ^ (x >> 16)


def stream(seed, n, device):
    """Elements 0..n-1 of stream `seed`, as bench_population.cpp's stream()."""
    i = torch.arange(n, dtype=torch.int64, device=device)
    return mix32((mulmod32(i, 0x9E3779B1) + seed) & M32)


def uniform(seed, shape, scale, device):
    u = (stream(seed, math.prod(shape), device) >> 8).to(torch.float32) * (1.0 / 16777216.0)
    return ((u * 2.0 - 1.0) * scale).reshape(shape)


def kept_channels(seed, population, size, kept, device):
    """[P, kept] ascending channel indices: per individual the `kept` smallest keys (bench's make_masks)."""
    keys = stream(seed, population * size, device).view(population, size)
    return torch.sort(torch.argsort(keys, dim=1)[:, :kept], dim=1).values


class Net:
    def __init__(self, spec, device):
        self.spec = spec
        self.name = spec["name"]
        self.convs = []
        for c in spec["convs"]:
            w = uniform(c["w_seed"], (c["out"], c["in"], c["k"], c["k"]), c["w_scale"], device)
            b = uniform(c["b_seed"], (c["out"],), c["b_scale"], device)
            self.convs.append(dict(c, w=w, b=b))
        batch = spec["batch"]
        self.x = uniform(spec["input_seed"], (batch, *spec["input"]), 1.0, device)
        self.ref = forward(self, self.x, lambda c, h: F.conv2d(h, c["w"], c["b"], c["stride"], c["pad"]))


def forward(net, x, conv):
    """Blocks as NetSpecPrograms: relu(main(x) + shortcut(x)), relu between the main path's convs."""
    for blk in net.spec["blocks"]:
        h = x
        for j, ci in enumerate(blk["convs"]):
            h = conv(net.convs[ci], h)
            if j + 1 < len(blk["convs"]):
                h = F.relu(h)
        if blk["shortcut"] == "identity":
            s = x
        elif blk["shortcut"] == "option_a":
            st, pad = blk["stride"], blk["pad"]
            s = F.pad(x[:, :, ::st, ::st], (0, 0, 0, 0, pad, pad))
        else:
            s = conv(net.convs[blk["conv"]], x)
        x = F.relu(h + s)
    return x


def run_slice(net, idx, population):
    def conv(c, h, ip):
        w, b = c["w"], c["b"]
        if c["group"] >= 0:
            w, b = w.index_select(0, ip[c["group"]]), b.index_select(0, ip[c["group"]])
        if c["in_group"] >= 0:
            w = w.index_select(1, ip[c["in_group"]])
        return F.conv2d(h, w, b, c["stride"], c["pad"])

    mse = []
    for p in range(population):
        ip = [t[p] for t in idx]
        out = forward(net, net.x, lambda c, h: conv(c, h, ip))
        mse.append(torch.mean((out - net.ref) ** 2))
    return torch.stack(mse)


def run_grouped(net, idx, population):
    """One grouped conv per layer; a tensor is either shared by all individuals [B, C, H, W] (the stage
    input and what dense convs make of it) or per individual [B, P*C, H, W]."""
    P = population

    def conv(c, t):
        h, shared = t
        if shared and c["group"] < 0:
            return F.conv2d(h, c["w"], c["b"], c["stride"], c["pad"]), True
        w, b = c["w"], c["b"]
        if c["group"] >= 0:
            w, b = w[idx[c["group"]]], b[idx[c["group"]]]  # [P, kept, in, k, k], [P, kept]
        else:
            w, b = w.expand(P, *w.shape), b.expand(P, *b.shape)
        if c["in_group"] >= 0:
            ii = idx[c["in_group"]]
            w = torch.gather(w, 2, ii[:, None, :, None, None].expand(P, w.shape[1], ii.shape[1], *w.shape[3:]))
        w = w.reshape(-1, *w.shape[2:])
        return F.conv2d(h, w, b.reshape(-1), c["stride"], c["pad"], groups=1 if shared else P), False

    def per_individual(t):  # [B, P, C, H, W] view, broadcast over P when shared
        h, shared = t
        return h.unsqueeze(1) if shared else h.view(h.shape[0], P, -1, *h.shape[2:])

    t = (net.x, True)
    for blk in net.spec["blocks"]:
        h = t
        for j, ci in enumerate(blk["convs"]):
            h = conv(net.convs[ci], h)
            if j + 1 < len(blk["convs"]):
                F.relu(h[0], inplace=True)
        if blk["shortcut"] == "conv":
            s = per_individual(conv(net.convs[blk["conv"]], t))
        else:
            s = per_individual(t)
            if blk["shortcut"] == "option_a":
                st, pad = blk["stride"], blk["pad"]
                s = F.pad(s[..., ::st, ::st], (0, 0, 0, 0, pad, pad))
        y = per_individual(h)
        y = y + s if h[1] else y.add_(s)
        t = (F.relu(y, inplace=True).reshape(y.shape[0], -1, *y.shape[3:]), False)
    d = per_individual(t).sub_(net.ref.unsqueeze(1))
    return d.pow_(2).mean(dim=(0, 2, 3, 4))


VARIANTS = {"slice": (run_slice, False), "grouped": (run_grouped, False), "slice_tf32": (run_slice, True)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True, help="bench_population JSON lines")
    ap.add_argument("--out", required=True, help="JSON lines written here")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--budget-s", type=float, default=1e9, help="skip (variant, case) pairs past this")
    ap.add_argument("--variants", default="slice,grouped,slice_tf32")
    a = ap.parse_args()
    start = time.perf_counter()
    dev = torch.device(a.device)
    cuda = dev.type == "cuda"
    lines = [json.loads(s) for s in open(a.bench) if s.strip()]
    specs = {d["name"]: d for d in lines if d["type"] == "network"}
    cases = [d for d in lines if d["type"] == "case"]
    out = open(a.out, "w")

    def emit(d):
        out.write(json.dumps(d) + "\n")
        out.flush()

    torch.backends.cudnn.benchmark = True
    tf32_default = torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    env = {"type": "env", "torch": torch.__version__, "device": str(dev), "tf32_conv_default": tf32_default}
    if cuda:
        env.update(cuda=torch.version.cuda, cudnn=torch.backends.cudnn.version(),
                   device_name=torch.cuda.get_device_name(dev))
    emit(env)
    print("torch %s on %s" % (torch.__version__, env.get("device_name", a.device)), flush=True)

    def sync():
        if cuda:
            torch.cuda.synchronize(dev)

    nets = {}
    rate = {}  # last measured useful FLOP/s per variant: estimates which pairs still fit the budget
    for variant in a.variants.split(","):
        fn, tf32 = VARIANTS[variant]
        torch.backends.cudnn.allow_tf32 = tf32
        for case in cases:
            key = dict(variant=variant, network=case["network"], population=case["population"], keep=case["keep"])
            P, flop = case["population"], case["useful_gflop"] * 1e9
            left = a.budget_s - (time.perf_counter() - start)
            estimate = 3 * flop / rate.get(variant, 1e12 if cuda else 1e10)
            if estimate > left:
                emit(dict(key, type="skipped", reason="time budget", estimate_s=estimate))
                print("%-10s %-11s P=%-3d keep=%.1f skipped (time budget)" % (variant, case["network"], P,
                                                                             case["keep"]), flush=True)
                continue
            try:
                if case["network"] not in nets:
                    nets[case["network"]] = Net(specs[case["network"]], dev)
                net = nets[case["network"]]
                groups = specs[case["network"]]["groups"]
                idx = [kept_channels(g["seed"], P, g["size"], k, dev) for g, k in zip(groups, case["kept"])]
                with torch.no_grad():
                    sync()
                    t = time.perf_counter()
                    mse = fn(net, idx, P)
                    sync()
                    warm = (time.perf_counter() - t) * 1e3
                    left = a.budget_s - (time.perf_counter() - start)
                    reps = 0 if not cuda else min(5 if warm < 300 else 3 if warm < 2000 else 1,
                                                  max(1, int(left / (2e-3 * warm))))
                    runs = []
                    for _ in range(reps):
                        sync()
                        t = time.perf_counter()
                        fn(net, idx, P)
                        sync()
                        runs.append((time.perf_counter() - t) * 1e3)
            except torch.cuda.OutOfMemoryError as e:
                nets.clear()
                torch.cuda.empty_cache()
                emit(dict(key, type="error", error="out of memory: %s" % str(e).split("\n")[0]))
                print("%-10s %-11s P=%-3d keep=%.1f out of memory" % (variant, case["network"], P, case["keep"]),
                      flush=True)
                continue
            ms = statistics.median(runs) if runs else warm
            rate[variant] = flop / (ms * 1e-3)
            emit(dict(key, type="case", ms=ms, warmup_ms=warm, runs_ms=runs, gflops=flop / ms * 1e-6,
                      mse=mse.float().cpu().tolist()))
            print("%-10s %-11s P=%-3d keep=%.1f %9.1f ms %8.1f GFLOP/s" % (variant, case["network"], P, case["keep"],
                                                                          ms, flop / ms * 1e-6), flush=True)
    out.close()
    print("torch_slice_bench: %.0f s" % (time.perf_counter() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
