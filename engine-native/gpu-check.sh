#!/usr/bin/env bash
# Device check of the CUDA backend (issue 13): one call on a lent GPU machine proves it and measures it.
#
#   bash engine-native/gpu-check.sh        (from the repository root; benchmarks/README-native.md has the call)
#
# 1. builds engine-native (Release, CUDA arch EMODIR_CUDA_ARCH, default 90 = H100/H200) into build/gpu-check
# 2. ctest (cuda_vs_cpu must pass, not skip, on a GPU)
# 3. on a GPU: bench_population (emodir CUDA vs CPU on ResNet-56 stages 1-3 and ResNet-50 layer3 shapes,
#    objectives checked), scripts/torch_slice_bench.py (PyTorch-CUDA baselines on the very same sub-networks,
#    their mse checked against emodir's) and scripts/gpu_check_report.py -> $OUT/gpu-check.json
#    without one: a tiny pass of the same benchmark against the host emulation of the CUDA backend (and of
#    the PyTorch script on the CPU when torch imports), then a stop with exit 77.
# Writes $OUT/gpu-check.log (everything printed) and $OUT/gpu-check.json; OUT defaults to build/gpu-check/out.
# Exit: 0 all passed on a GPU; 77 all passed up to the first step that needs a GPU, and there is none;
# anything else: a step failed (the log says which). Every device step still runs after a failed one, so one
# call collects everything.
#
# GPU_CHECK_BUDGET_S (default 300): wall-clock budget of the whole script; the benchmark and PyTorch steps
# shorten their repeats and skip their last cases (reported) to stay inside it. PYTHON (default python3).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build/gpu-check
OUT=${OUT:-$BUILD/out}
PY=${PYTHON:-python3}
ARCH=${EMODIR_CUDA_ARCH:-90}
BUDGET=${GPU_CHECK_BUDGET_S:-300}
SCRIPTS=$ROOT/engine-native/scripts
mkdir -p "$OUT"

step() { echo; echo "== [$SECONDS s] $*"; }

main() {
    local facts=() rc
    # nvcc may sit in the CUDA default prefix without being on PATH.
    if ! command -v nvcc >/dev/null && [ -x /usr/local/cuda/bin/nvcc ]; then PATH=/usr/local/cuda/bin:$PATH; fi

    step "toolchain and device"
    local nvcc_v cmake_v smi=""
    nvcc_v=$( (nvcc --version 2>/dev/null || echo "no nvcc") | tail -n 1)
    cmake_v=$(cmake --version | sed -n 1p)
    echo "$nvcc_v"; echo "$cmake_v"; echo "cores: $(nproc)"
    if command -v nvidia-smi >/dev/null; then
        smi=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed -n 1p)
    fi
    echo "nvidia-smi: ${smi:-none}"
    facts+=(--set "nvcc=$nvcc_v" --set "cmake=$cmake_v" --set "cuda_arch=$ARCH")
    if [ -n "$smi" ]; then
        IFS=',' read -r name driver memory <<<"$smi"
        facts+=(--set "device_name=$name" --set "driver=${driver# }" --set "memory=${memory# }")
    fi

    step "configure and build engine-native (Release, CUDA arch $ARCH)"
    local gen=()
    command -v ninja >/dev/null && gen=(-G Ninja)
    [ -f "$BUILD/CMakeCache.txt" ] && gen=()  # keep the generator of an earlier run
    if ! cmake -S "$ROOT/engine-native" -B "$BUILD" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
            -DEMODIR_CUDA_ARCHITECTURES="$ARCH" || ! cmake --build "$BUILD" -j "$(nproc)"; then
        echo "GPU CHECK FAILED: build"; return 1
    fi

    step "ctest"
    ctest --test-dir "$BUILD" --output-on-failure 2>&1 | tee "$OUT/ctest.log"
    local ctest_rc=${PIPESTATUS[0]} cuda_test=failed
    grep -Eq 'cuda_vs_cpu \.+ +Passed' "$OUT/ctest.log" && cuda_test=passed
    grep -Eq 'cuda_vs_cpu \.+\*+Skipped' "$OUT/ctest.log" && cuda_test=skipped
    facts+=(--set "build_rc=0" --set "ctest_rc=$ctest_rc" --set "cuda_test=$cuda_test")

    step "device probe (libemodir_native's own view)"
    "$BUILD/bench_population" --probe
    rc=$?
    if [ "$rc" = 77 ]; then
        if [ "$ctest_rc" != 0 ]; then echo "GPU CHECK FAILED: ctest"; return 1; fi
        dry_run "${facts[@]}"
        rc=$?
        # A GPU that nvidia-smi lists but the library cannot use (driver older than the CUDA runtime, ...)
        # is a failure, not "no device".
        if [ "$rc" = 77 ] && [ -n "$smi" ]; then
            echo "GPU CHECK FAILED: nvidia-smi lists '$smi' but libemodir_native cannot use it (probe above)"
            return 1
        fi
        return "$rc"
    elif [ "$rc" != 0 ]; then
        echo "GPU CHECK FAILED: device probe exited $rc"; return 1
    fi
    # On a GPU a failed ctest does not stop the call: the benchmark's numbers are still worth the device time.
    [ "$ctest_rc" != 0 ] && echo "ctest FAILED (cuda_vs_cpu: $cuda_test); the device steps run all the same"

    local left=$((BUDGET - SECONDS))
    step "benchmark: emodir CUDA vs CPU, P = 32/128, keep 1.0/0.5, B = 128 (budget $((left / 2)) s)"
    "$BUILD/bench_population" --out "$OUT/bench.jsonl" --budget-s $((left / 2))
    local bench_rc=$?

    left=$((BUDGET - SECONDS - 10))
    step "PyTorch-CUDA baselines on the same sub-networks (budget $left s)"
    "$PY" "$SCRIPTS/torch_slice_bench.py" --bench "$OUT/bench.jsonl" --out "$OUT/torch.jsonl" --device cuda \
        --budget-s "$left"
    local torch_rc=$?

    step "report"
    "$PY" "$SCRIPTS/gpu_check_report.py" --mode device --bench "$OUT/bench.jsonl" --torch "$OUT/torch.jsonl" \
        --out "$OUT/gpu-check.json" "${facts[@]}" --set "bench_rc=$bench_rc" --set "torch_rc=$torch_rc"
    rc=$?
    if [ "$rc" != 0 ] || [ "$ctest_rc" != 0 ] || [ "$bench_rc" != 0 ] || [ "$torch_rc" != 0 ] ||
            [ "$cuda_test" != passed ]; then
        echo "GPU CHECK FAILED (see the FAIL lines above)"; return 1
    fi
    echo "GPU CHECK PASSED in $SECONDS s: $OUT/gpu-check.json"
}

# No usable device: run what the CPU can of the device steps, then stop with 77.
dry_run() {
    step "benchmark, tiny pass without a GPU (CUDA backend emulated on the host)"
    if ! "$BUILD/bench_population" --tiny --out "$OUT/bench-tiny.jsonl"; then
        echo "GPU CHECK FAILED: tiny benchmark"; return 1
    fi
    step "python scripts"
    local torch_args=()
    if ! command -v "$PY" >/dev/null; then
        echo "no $PY: scripts not checked"
    elif ! "$PY" -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' \
            "$SCRIPTS/torch_slice_bench.py" "$SCRIPTS/gpu_check_report.py"; then
        echo "GPU CHECK FAILED: python syntax"; return 1
    else
        if "$PY" -c 'import torch' 2>/dev/null; then
            echo "torch imports: the PyTorch baselines run the tiny cases on the CPU"
            "$PY" "$SCRIPTS/torch_slice_bench.py" --bench "$OUT/bench-tiny.jsonl" --out "$OUT/torch-tiny.jsonl" \
                --device cpu || { echo "GPU CHECK FAILED: torch_slice_bench.py"; return 1; }
            torch_args=(--torch "$OUT/torch-tiny.jsonl")
        else
            echo "torch does not import: syntax checked only"
        fi
        "$PY" "$SCRIPTS/gpu_check_report.py" --mode dry-run --bench "$OUT/bench-tiny.jsonl" "${torch_args[@]}" \
            --out "$OUT/gpu-check.json" "$@" || { echo "GPU CHECK FAILED: report"; return 1; }
    fi
    echo
    echo "STOP after $SECONDS s: no usable CUDA device here. Everything up to the device steps passed; the"
    echo "benchmark on a GPU, the PyTorch-CUDA baselines and the device report need one (exit 77)."
    return 77
}

main 2>&1 | tee "$OUT/gpu-check.log"
exit "${PIPESTATUS[0]}"
