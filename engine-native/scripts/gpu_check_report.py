#!/usr/bin/env python3
"""Merges the device check's results into one JSON (issue 13); standard library only.

Inputs: bench_population's JSON lines (emodir CUDA and CPU per case), torch_slice_bench.py's (optional) and
--set KEY=VALUE facts from gpu-check.sh (device, driver, toolchain, step exit codes). Checks: every step
passed, emodir CUDA objectives match the CPU ones (bench), and the fp32 PyTorch variants' mse matches
emodir's for every individual. Prints a table; exits 1 on any failure.
"""
import argparse
import json
import sys

# Assumed fp32 (non-tensor) peaks in TFLOP/s, from NVIDIA's datasheets, by device name.
PEAKS = [("H200 NVL", 60.0), ("H200", 67.0), ("H100 PCIE", 51.0), ("H100 NVL", 60.0), ("H100", 67.0),
         ("A100", 19.5)]
CHECKED_VARIANTS = ("slice", "grouped")  # fp32; slice_tf32 is reported only
GOAL_SPEEDUP, GOAL_PEAK_FRACTION = 3.0, 0.30


def peak_tflops(name):
    upper = (name or "").upper()
    for key, tflops in PEAKS:
        if key in upper:
            return tflops
    return None


def read_lines(path):
    """JSON lines of a step; a missing file is no lines, a torn last line (a step killed mid-write) is dropped."""
    lines = []
    try:
        for s in open(path) if path else ():
            try:
                lines.append(json.loads(s))
            except ValueError:
                print("warning: %s: unreadable line dropped: %.80s" % (path, s))
    except FileNotFoundError:
        pass
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mode", choices=["device", "dry-run"], required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--torch")
    ap.add_argument("--out", required=True)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    a = ap.parse_args()
    facts = dict(s.split("=", 1) for s in a.set)
    failures, warnings = [], []

    for step in ("build", "ctest", "bench", "torch"):
        rc = facts.get(step + "_rc")
        if rc not in (None, "0"):
            failures.append("%s step exited %s" % (step, rc))
    if a.mode == "device" and facts.get("cuda_test") != "passed":
        failures.append("ctest cuda_vs_cpu did not pass on the device (%s)" % facts.get("cuda_test"))

    bench = read_lines(a.bench)
    run = next((d for d in bench if d["type"] == "run"), {})
    nets = {d["name"]: d for d in bench if d["type"] == "network"}
    cases = [d for d in bench if d["type"] == "case"]
    tol = run.get("tolerance", 1e-3)
    if not cases:
        failures.append("the benchmark measured no case")
    torch_lines = read_lines(a.torch)
    torch_env = next((d for d in torch_lines if d["type"] == "env"), None)
    torch_by = {}
    for d in torch_lines:
        if d["type"] in ("case", "error", "skipped"):
            torch_by[(d["variant"], d["network"], d["population"], d["keep"])] = d
    skipped = [d for d in bench + torch_lines if d["type"] == "skipped"]
    for d in skipped:
        warnings.append("skipped for time: %s %s P=%d keep=%.1f" % (d.get("variant", "emodir"), d["network"],
                                                                     d["population"], d["keep"]))

    device = facts.get("device_name") or (torch_env or {}).get("device_name")
    peak = peak_tflops(device)
    if a.mode == "device" and peak is None:
        warnings.append("no fp32 peak known for device %r: fraction of peak left out" % device)
    rows = []
    for c in cases:
        net = nets[c["network"]]
        floor = 1e-6 * net["ref_power"]
        gpu, cpu = c["gpu"], c["cpu"]
        if not c["ok"]:
            failures.append("%s P=%d keep=%.1f: %s mse differs from cpu (max rel %.3g > %g)"
                            % (c["network"], c["population"], c["keep"], gpu["backend"], c["max_rel_err"], tol))
        row = {
            "network": c["network"], "title": net["title"], "population": c["population"], "keep": c["keep"],
            "batch": c["batch"], "kept_per_group": c["kept"], "useful_gflop": c["useful_gflop"],
            "emodir_" + gpu["backend"]: {
                "ms": gpu["ms"], "runs_ms": gpu["runs_ms"], "warmup_ms": gpu["warmup_ms"], "chunks": gpu["chunks"],
                "device_bytes": gpu["device_bytes"], "gflops": gpu["gflops"],
                "fraction_of_fp32_peak": gpu["gflops"] / (peak * 1e3) if peak and a.mode == "device" else None},
            "emodir_cpu": {"ms": cpu["ms"], "population": cpu["population"], "threads": cpu["threads"],
                           "ms_scaled_to_population": cpu["ms_scaled_to_population"], "gflops": cpu["gflops"]},
            "cuda_vs_cpu": {"max_rel_err": c["max_rel_err"], "tolerance": tol, "individuals": cpu["population"],
                            "ok": c["ok"]},
            "torch": {},
        }
        for variant in ("slice", "grouped", "slice_tf32"):
            t = torch_by.get((variant, c["network"], c["population"], c["keep"]))
            if t is None or t["type"] == "skipped":
                continue
            if t["type"] == "error":
                row["torch"][variant] = {"error": t["error"]}
                (failures if variant == "slice" else warnings).append(
                    "torch %s %s P=%d keep=%.1f: %s" % (variant, c["network"], c["population"], c["keep"], t["error"]))
                continue
            rel = max(abs(x - y) / max(abs(y), floor) for x, y in zip(t["mse"], c["mse_gpu"]))
            ok = rel <= tol or variant not in CHECKED_VARIANTS
            if not ok:
                failures.append("torch %s %s P=%d keep=%.1f: mse differs from emodir's by %.3g (relative, > %g)"
                                % (variant, c["network"], c["population"], c["keep"], rel, tol))
            row["torch"][variant] = {"ms": t["ms"], "runs_ms": t["runs_ms"], "gflops": t["gflops"],
                                     "speedup_of_emodir": t["ms"] / gpu["ms"],
                                     "mse_max_rel_diff_vs_emodir": rel, "checked": variant in CHECKED_VARIANTS,
                                     "ok": ok}
        rows.append(row)
    if a.mode == "device" and cases and not any("slice" in r["torch"] for r in rows):
        failures.append("no PyTorch slice baseline was measured")

    def goal_rows(pred):
        return [r for r in rows if pred(r) and r["population"] == 128 and r["keep"] == 0.5]

    gpu_key = "emodir_cuda"
    speedups = {r["network"]: r["torch"]["slice"]["speedup_of_emodir"]
                for r in goal_rows(lambda r: "ok" in r["torch"].get("slice", {}))}
    stage3 = goal_rows(lambda r: r["network"] == "r56_stage3" and gpu_key in r)
    fraction = stage3[0][gpu_key]["fraction_of_fp32_peak"] if stage3 else None
    goals = {
        "speedup_vs_torch_slice_keep0.5_P128": {
            "target": GOAL_SPEEDUP, "by_network": speedups,
            "met": bool(speedups) and min(speedups.values()) >= GOAL_SPEEDUP},
        "r56_stage3_fraction_of_fp32_peak_keep0.5_P128": {
            "target": GOAL_PEAK_FRACTION, "value": fraction,
            "met": fraction is not None and fraction >= GOAL_PEAK_FRACTION},
    }
    status = "failed" if failures else ("ok" if a.mode == "device" else "dry-run: no CUDA device")
    report = {
        "status": status, "mode": a.mode,
        "device": {"name": device, "driver": facts.get("driver"), "memory": facts.get("memory"),
                   "assumed_fp32_peak_tflops": peak},
        "toolchain": {k: facts.get(k) for k in ("nvcc", "cmake", "cuda_arch")},
        "torch": torch_env, "ctest": {"rc": facts.get("ctest_rc"), "cuda_vs_cpu": facts.get("cuda_test")},
        "bench": run, "cases": rows, "goals": goals, "failures": failures, "warnings": warnings,
    }
    with open(a.out, "w") as f:
        json.dump(report, f, indent=1)

    print("%-11s %4s %4s %10s %8s %6s %10s %10s %8s %8s  %s" % (
        "network", "P", "keep", "emodir ms", "GFLOP/s", "peak", "torch ms", "grouped ms", "speedup", "cpu ms*",
        "correct"))
    for r in rows:
        g = r.get(gpu_key) or r.get("emodir_cuda_emulated")
        ts, tg = r["torch"].get("slice", {}), r["torch"].get("grouped", {})
        frac = g.get("fraction_of_fp32_peak")
        correct = r["cuda_vs_cpu"]["ok"] and all(t.get("ok", False) for t in r["torch"].values())
        print("%-11s %4d %4.1f %10.1f %8.0f %6s %10s %10s %8s %8.0f  %s" % (
            r["network"], r["population"], r["keep"], g["ms"], g["gflops"],
            "%.1f%%" % (100 * frac) if frac is not None else "-",
            "%.1f" % ts["ms"] if "ms" in ts else "-", "%.1f" % tg["ms"] if "ms" in tg else "-",
            "%.2fx" % ts["speedup_of_emodir"] if "ms" in ts else "-", r["emodir_cpu"]["ms_scaled_to_population"],
            "yes" if correct else "NO"))
    print("(speedup = torch slice ms / emodir ms; cpu ms* = measured on %s individuals, scaled to P)"
          % ", ".join(sorted({str(r["emodir_cpu"]["population"]) for r in rows})))
    for name, g in goals.items():
        print("goal %s: %s" % (name, json.dumps(g)))
    for w in warnings:
        print("warning: " + w)
    for f in failures:
        print("FAIL: " + f)
    print("gpu-check report: %s -> %s" % (status, a.out))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
