#!/usr/bin/env python3
"""Table of a JMH JSON result holding PopulationEvalBenchmark (and PeakFlopsBenchmark from the same run).

Per (stage, batch, keep, population): median ms of every method (raw runs), useful GFLOP/s, fraction of the
2-thread FMA peak measured by PeakFlopsBenchmark in the same file, speed-up of nativeCpu over the better
libtorch baseline, nativeCpuBf16 over nativeCpu, and nativeCpu time at this keep / at keep 1.0 where both are present.
usage: population_eval_report.py result.json
"""
import json
import statistics
import sys

BLOCKS = 9


def width(stage):
    return 16 << (stage - 1)


def useful_flops(stage, keep, population, batch):
    # Mirrors PopulationEvalBenchmark.usefulFlops.
    w = width(stage)
    in_c = 16 if stage == 1 else w // 2
    out = 32 >> (stage - 1)
    kept = float(int(keep * w + 0.5))  # Java Math.round (half up) for these positive values
    flops = 0.0
    for b in range(BLOCKS):
        c = in_c if b == 0 else w
        flops += 2.0 * 9 * out * out * (kept * c + w * kept)
    return flops * batch * population


def raw(entry):
    return [v for fork in entry["primaryMetric"]["rawData"] for v in fork]


def main(path):
    data = json.load(open(path))
    peak = {}
    rows = {}
    for e in data:
        name = e["benchmark"].rsplit(".", 1)
        cls, method = name[0].rsplit(".", 1)[-1], name[1]
        p = e.get("params", {})
        runs = raw(e)
        if cls == "PeakFlopsBenchmark":
            t = int(p["threads"])
            flops = 1_000_000 * 12.0 * 16 * 2 * t
            peak[t] = flops / (statistics.median(runs) * 1e-3) * 1e-9  # ms per call
        elif cls == "PopulationEvalBenchmark":
            key = (int(p["stage"]), int(p["batch"]), float(p["keep"]), int(p["population"]))
            rows.setdefault(key, {})[method] = runs
    pk = peak.get(2)
    print("FMA peak (PeakFlopsBenchmark, same run): " + ", ".join(f"{t} thr {g:.0f} GFLOP/s" for t, g in sorted(peak.items())))
    hdr = "| stage | B | keep | P | method | median ms (runs) | useful GFLOP/s | % of 2-thr peak | ind-img/s |"
    print(hdr)
    print("|" + "---|" * (hdr.count("|") - 1))
    for key in sorted(rows):
        st, b, keep, pop = key
        fl = useful_flops(st, keep, pop, b)
        for m, runs in sorted(rows[key].items()):
            med = statistics.median(runs)
            g = fl / (med * 1e-3) * 1e-9
            frac = f"{100 * g / pk:.0f}%" if pk else "-"
            rs = ", ".join(f"{r:.0f}" for r in runs)
            print(f"| {st} | {b} | {keep} | {pop} | {m} | {med:.0f} ({rs}) | {g:.0f} | {frac} | {pop * b / med * 1e3:.0f} |")
    print()
    for key in sorted(rows):
        st, b, keep, pop = key
        r = rows[key]
        if "nativeCpu" not in r:
            continue
        nat = statistics.median(r["nativeCpu"])
        torch = [statistics.median(r[m]) for m in ("torchMask", "torchSlice", "torchReference") if m in r]
        line = f"stage {st} B {b} keep {keep} P {pop}: "
        if torch:
            line += f"native {min(torch) / nat:.2f}x faster than the better libtorch baseline"
        if "nativeCpuBf16" in r:
            line += f"; bf16 {nat / statistics.median(r['nativeCpuBf16']):.2f}x faster than fp32"
        dense = rows.get((st, b, 1.0, pop), {}).get("nativeCpu")
        if dense and keep != 1.0:
            line += f"; native time keep {keep} / keep 1.0 = {nat / statistics.median(dense):.2f}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1])
