// CPU-only profiling driver (issue 17): times emodir_cpu_evaluate on one ResNet-56 stage (9 basic blocks,
// conv1's output channels masked, option-A shortcut in a downsampling stage) and reports useful GFLOP/s next
// to the FMA peak measured by emodir_cpu_fma_probe in the same process. No JVM, no libtorch: for perf/profiling
// of the kernels; the JMH PopulationEvalBenchmark is the benchmark of record.
//
//   bench_cpu_stages [--stage 1|2|3] [--keep K] [--pop P] [--batch B] [--threads T] [--reps R] [--peak] [--bf16]
//                    [--r50]   (--r50: ResNet-50 stage S at 224 px instead of a ResNet-56 stage)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "emodir_native.h"

namespace {

struct Net {
    std::vector<emodir_op> ops;
    std::vector<float> weights;
    std::vector<int32_t> groups;
    int in_c = 0, in_hw = 0;
    double flop_per_image = 0;  // useful (kept channels only), filled for a given keep
};

emodir_op make_op(int kind, int dst, int src) {
    emodir_op op;
    std::memset(&op, 0, sizeof op);
    op.kind = kind;
    op.dst = dst;
    op.src = src;
    op.mask_group = -1;
    std::snprintf(op.name, sizeof op.name, "op%d", kind);
    return op;
}

// Slots: x alternates 0/2 (block input/output), 1 holds conv1's output.
Net stage(int s, int kept_of_width, std::mt19937& rng) {
    const int width = 16 << (s - 1), in_c = s == 1 ? 16 : width / 2, in_hw = s == 1 ? 32 : 64 >> (s - 1);
    Net n;
    n.in_c = in_c;
    n.in_hw = in_hw;
    std::normal_distribution<float> g(0.0f, 1.0f);
    int x = 0, c = in_c, hw = in_hw;
    auto conv = [&](int dst, int src, int ci, int co, int stride, int group) {
        emodir_op op = make_op(EMODIR_OP_CONV, dst, src);
        op.in_c = ci;
        op.out_c = co;
        op.kernel = 3;
        op.stride = stride;
        op.pad = 1;
        op.mask_group = group;
        op.weight_offset = int64_t(n.weights.size());
        const float scale = std::sqrt(2.0f / float(ci * 9));
        for (int i = 0; i < co * ci * 9; ++i) n.weights.push_back(g(rng) * scale);
        op.bias_offset = int64_t(n.weights.size());
        for (int i = 0; i < co; ++i) n.weights.push_back(0.1f * g(rng));
        n.ops.push_back(op);
    };
    for (int b = 0; b < 9; ++b) {
        const int stride = b == 0 && s > 1 ? 2 : 1, ho = hw / stride, y = x == 0 ? 2 : 0;
        const int grp = int(n.groups.size());
        n.groups.push_back(width);
        conv(1, x, c, width, stride, grp);
        n.ops.push_back(make_op(EMODIR_OP_RELU, 1, 1));
        conv(y, 1, width, width, 1, -1);
        emodir_op add = make_op(EMODIR_OP_ADD, y, x);
        add.stride = stride;
        add.pad = (width - c) / 2;
        n.ops.push_back(add);
        n.ops.push_back(make_op(EMODIR_OP_RELU, y, y));
        n.flop_per_image += 2.0 * 9 * ho * ho * (double(kept_of_width) * c + double(width) * kept_of_width);
        x = y;
        c = width;
        hw = ho;
    }
    return n;
}

// ResNet-50 stage s at 224 px (ResNet50StageBenchmark): 3 / 4 / 6 / 3 bottlenecks of width 64 << (s - 1) on the
// previous stage's output (stage 1: the 64x56x56 stem output), the first with the 1x1 downsample and (stages 2-4)
// the stride-2 3x3; conv1 and conv2 of every block masked (kept of the width).
Net r50_stage(int s, int kept, std::mt19937& rng) {
    Net n;
    const int width = 64 << (s - 1), out_c = 4 * width, blocks = s == 1 ? 3 : s == 2 ? 4 : s == 3 ? 6 : 3;
    const int hw = 56 >> (s - 1);
    n.in_c = s == 1 ? 64 : 2 * width;
    n.in_hw = s == 1 ? 56 : 2 * hw;
    std::normal_distribution<float> g(0.0f, 1.0f);
    auto conv = [&](int dst, int src, int ci, int co, int k, int stride, bool masked, int hw_out) {
        emodir_op op = make_op(EMODIR_OP_CONV, dst, src);
        op.in_c = ci;
        op.out_c = co;
        op.kernel = k;
        op.stride = stride;
        op.pad = k / 2;
        op.mask_group = -1;
        if (masked) {
            op.mask_group = int(n.groups.size());
            n.groups.push_back(co);
        }
        op.weight_offset = int64_t(n.weights.size());
        const float scale = std::sqrt(2.0f / float(ci * k * k));
        for (int i = 0; i < co * ci * k * k; ++i) n.weights.push_back(g(rng) * scale);
        op.bias_offset = int64_t(n.weights.size());
        for (int i = 0; i < co; ++i) n.weights.push_back(0.1f * g(rng));
        n.ops.push_back(op);
        return 2.0 * hw_out * hw_out * k * k;  // FLOPs per (input, output) channel pair
    };
    // slots: x, h1, h2, y rotate through 0..4
    int x = 0;
    for (int b = 0; b < blocks; ++b) {
        const int in_c = b == 0 ? n.in_c : out_c, stride = b == 0 && s > 1 ? 2 : 1, hw_in = b == 0 ? n.in_hw : hw;
        const int y = b == 0 ? 3 : (x == 3 ? 0 : 3);
        n.flop_per_image += conv(1, x, in_c, width, 1, 1, true, hw_in) * in_c * kept;
        n.ops.push_back(make_op(EMODIR_OP_RELU, 1, 1));
        n.flop_per_image += conv(2, 1, width, width, 3, stride, true, hw) * double(kept) * kept;
        n.ops.push_back(make_op(EMODIR_OP_RELU, 2, 2));
        n.flop_per_image += conv(y, 2, width, out_c, 1, 1, false, hw) * double(kept) * out_c;
        int sc = x;
        if (b == 0) {
            n.flop_per_image += conv(4, x, in_c, out_c, 1, stride, false, hw) * double(in_c) * out_c;
            sc = 4;
        }
        n.ops.push_back(make_op(EMODIR_OP_ADD, y, sc));
        n.ops.push_back(make_op(EMODIR_OP_RELU, y, y));
        x = y;
    }
    return n;
}

double now_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

int main(int argc, char** argv) {
    int st = 3, pop = 32, batch = 128, threads = 2, reps = 5;
    double keep = 0.5;
    bool peak = false, bf16 = false, r50 = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool v = i + 1 < argc;
        if (a == "--stage" && v) st = std::atoi(argv[++i]);
        else if (a == "--keep" && v) keep = std::atof(argv[++i]);
        else if (a == "--pop" && v) pop = std::atoi(argv[++i]);
        else if (a == "--batch" && v) batch = std::atoi(argv[++i]);
        else if (a == "--threads" && v) threads = std::atoi(argv[++i]);
        else if (a == "--reps" && v) reps = std::atoi(argv[++i]);
        else if (a == "--peak") peak = true;
        else if (a == "--bf16") bf16 = true;
        else if (a == "--r50") r50 = true;
        else {
            std::fprintf(stderr, "usage: bench_cpu_stages [--stage S] [--keep K] [--pop P] [--batch B] [--threads T] "
                                 "[--reps R] [--peak] [--bf16] [--r50]\n");
            return 2;
        }
    }
    if (peak) {
        const int64_t iters = 20000000;
        emodir_cpu_fma_probe(threads, iters / 10);  // warm-up (clock ramp)
        const double t0 = now_s();
        const int64_t flops = emodir_cpu_fma_probe(threads, iters);
        std::printf("fma_probe threads=%d gflops=%.1f isa=%s\n", threads, double(flops) / (now_s() - t0) * 1e-9,
                    emodir_cpu_kernel_isa());
        return 0;
    }
    std::mt19937 rng(42);
    const int width = r50 ? 64 << (st - 1) : 16 << (st - 1);
    const int kept = std::clamp(int(std::lround(keep * width)), 1, width);
    Net n = r50 ? r50_stage(st, kept, rng) : stage(st, kept, rng);
    emodir_program* prog = emodir_program_create(n.ops.data(), int32_t(n.ops.size()), n.weights.data(),
                                                 int64_t(n.weights.size()), n.in_c, n.in_hw, n.in_hw, n.groups.data(),
                                                 int32_t(n.groups.size()));
    if (!prog) {
        std::fprintf(stderr, "program: %s\n", emodir_last_error());
        return 1;
    }
    if (bf16 && emodir_program_set_precision(prog, EMODIR_PRECISION_BF16) != EMODIR_OK) {
        std::fprintf(stderr, "precision: %s\n", emodir_last_error());
        return 1;
    }
    const int genes = emodir_program_num_genes(prog);
    std::vector<uint8_t> masks(size_t(pop) * genes, 0);
    for (int p = 0; p < pop; ++p)
        for (size_t g = 0; g < n.groups.size(); ++g) {
            std::vector<int> order(static_cast<size_t>(width));
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(), rng);
            for (int j = 0; j < kept; ++j) masks[size_t(p) * genes + g * width + order[j]] = 1;
        }
    std::normal_distribution<float> gd(0.0f, 1.0f);
    std::vector<float> input(size_t(batch) * n.in_c * n.in_hw * n.in_hw);
    for (float& f : input) f = gd(rng);
    std::vector<float> ref(size_t(batch) * emodir_program_output_size(prog), 0.0f);
    std::vector<float> obj(size_t(pop) * EMODIR_NUM_OBJECTIVES);
    // cpu_ms: process CPU time of the call (all threads), robust to time slicing on a shared host.
    std::vector<double> ms, cpu;
    for (int r = 0; r < reps + 1; ++r) {
        const double t0 = now_s();
        const std::clock_t c0 = std::clock();
        if (emodir_cpu_evaluate(prog, masks.data(), pop, input.data(), batch, ref.data(), nullptr, threads,
                                obj.data()) != EMODIR_OK) {
            std::fprintf(stderr, "evaluate: %s\n", emodir_last_error());
            return 1;
        }
        if (r > 0) ms.push_back((now_s() - t0) * 1e3);
        if (r > 0) cpu.push_back(double(std::clock() - c0) * 1e3 / CLOCKS_PER_SEC);
    }
    std::sort(ms.begin(), ms.end());
    std::sort(cpu.begin(), cpu.end());
    const double med = ms[ms.size() / 2];
    std::printf("%s%s stage=%d keep=%.2f kept=%d P=%d B=%d threads=%d median_ms=%.1f min_ms=%.1f ind_img_per_s=%.0f "
                "useful_gflops=%.1f mse0=%.6g cpu_ms=%.1f\n",
                bf16 ? "bf16" : "fp32", r50 ? " r50" : "", st, keep, kept, pop, batch, threads, med, ms.front(),
                pop * batch / med * 1e3,
                n.flop_per_image * pop * batch / med * 1e-6, double(obj[0]), cpu[cpu.size() / 2]);
    emodir_program_destroy(prog);
    return 0;
}
