// CPU backend (and the host emulation of the CUDA kernels) against a naive dense conv reference that
// prunes by zeroing channels, including programs whose output is channel-pruned (reported zero-expanded).
// Tolerances: outputs max |diff| <= 1e-4 * max|output| (float32 GEMM vs double accumulation); mse/ce
// relative 1e-4; top-1 counts identical.
#include <algorithm>
#include <cstdio>

#include "gpu_emulation.h"
#include "test_support.h"

using namespace test;

namespace {

struct Expected {
    double mse = 0, ce = 0;
    int top1 = 0;
};

Expected naive_objectives(const std::vector<float>& out, const std::vector<float>& ref, const std::vector<int32_t>& labels,
                          int batch, bool head) {
    Expected e;
    const size_t n = out.size() / batch;
    for (size_t i = 0; i < out.size(); ++i) e.mse += double(out[i] - ref[i]) * (out[i] - ref[i]);
    e.mse /= double(out.size());
    if (head)
        for (int b = 0; b < batch; ++b) {
            const float* l = out.data() + b * n;
            int best = int(std::max_element(l, l + n) - l);
            double mx = l[best], s = 0;
            for (size_t c = 0; c < n; ++c) s += std::exp(l[c] - mx);
            e.ce += std::log(s) + mx - l[labels[b]];
            e.top1 += best == labels[b];
        }
    e.ce /= batch;
    return e;
}

void check_net(const Net& net, bool head, const std::string& tag, const char* second_group_layer);

void check_net(bool head, int size) {
    const std::string tag = std::string(head ? "with head" : "feature map") + " " + std::to_string(size) + "x" +
                            std::to_string(size);
    check_net(resnet_like(head ? 11 : 7, head, size), head, tag, "block1.conv1");
}

// The output is channel-pruned: forward must give the zero-expanded dense tensor (the naive reference zeroes
// dropped channels), mse must compare it over the dense size (dropped channels contribute ref^2).
void check_pruned_output(bool pool_last, int size) {
    const std::string tag = std::string("pruned output") + (pool_last ? " + maxpool " : " ") + std::to_string(size) +
                            "x" + std::to_string(size);
    Net net = vgg_like(pool_last ? 41 : 43, pool_last, size);
    check_net(net, false, tag, "features.3");
    emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                 int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                 net.groups.data(), int(net.groups.size()));
    if (!prog) return;
    expect(emodir_program_output_size(prog) == int64_t(16) * (pool_last ? (size / 2) / 2 : size / 2) *
                                                   (pool_last ? (size / 2) / 2 : size / 2),
           tag + ": output size is the dense width");
    // Keep only channel 5 of the last group: every other output channel must come back exactly zero.
    const int genes = net.num_genes(), last = genes - net.groups.back();
    std::vector<uint8_t> one(size_t(genes), 1);
    std::fill(one.begin() + last, one.end(), 0);
    one[size_t(last) + 5] = 1;
    const int64_t in_size = emodir_program_input_size(prog), out_size = emodir_program_output_size(prog);
    const int64_t hw = out_size / 16;
    std::vector<float> input(size_t(in_size), 0.5f), out(size_t(out_size), -1.0f);
    expect(emodir_cpu_forward(prog, one.data(), 1, input.data(), 1, 1, out.data()) == EMODIR_OK, emodir_last_error());
    bool zeros = true;
    for (int64_t i = 0; i < out_size; ++i)
        if (i / hw != 5) zeros &= out[size_t(i)] == 0.0f;
    expect(zeros, tag + ": dropped output channels are zero");
    // mse against the output itself is 0; against zeros it is mean(out^2) (emulated cuda: relative 1e-4).
    std::vector<float> zero_ref(size_t(out_size), 0.0f), cpu(3), emu(3);
    expect(emodir_cpu_evaluate(prog, one.data(), 1, input.data(), 1, out.data(), nullptr, 1, cpu.data()) == EMODIR_OK &&
               cpu[0] == 0.0f, tag + ": mse against its own forward is " + std::to_string(cpu[0]));
    double sq = 0;
    for (float f : out) sq += double(f) * f;
    expect(emodir_cpu_evaluate(prog, one.data(), 1, input.data(), 1, zero_ref.data(), nullptr, 1, cpu.data()) ==
                   EMODIR_OK && close(cpu[0], sq / double(out_size), 1e-6, 1e-12),
           tag + ": mse against zeros");
    const int rc = emodir_emulated_cuda_evaluate(prog, one.data(), 1, input.data(), 1, zero_ref.data(), nullptr,
                                                 emu.data());
    expect(rc == EMODIR_OK && close(emu[0], cpu[0], 1e-4, 1e-12),
           tag + ": emulated cuda mse against zeros " + std::to_string(emu[0]) + " vs cpu " + std::to_string(cpu[0]));
    emodir_program_destroy(prog);
}

void check_net(const Net& net, bool head, const std::string& tag, const char* second_group_layer) {
    emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                 int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                 net.groups.data(), int(net.groups.size()));
    expect(prog != nullptr, std::string("program_create: ") + emodir_last_error());
    if (!prog) return;
    const int P = 9, B = 5, genes = net.num_genes();
    expect(emodir_program_num_genes(prog) == genes, "num_genes");
    std::mt19937 rng(3);
    std::vector<uint8_t> masks = random_masks(rng, P, genes, 0.5);
    std::fill(masks.begin(), masks.begin() + genes, 1);  // individual 0: dense
    ensure_nonempty(net, masks, P);
    const int64_t in_size = emodir_program_input_size(prog), out_size = emodir_program_output_size(prog);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> input(size_t(B) * in_size), ref(size_t(B) * out_size);
    for (auto& f : input) f = nd(rng);
    for (auto& f : ref) f = nd(rng);
    std::vector<int32_t> labels(B);
    for (int b = 0; b < B; ++b) labels[b] = int32_t(rng() % 10);

    std::vector<float> cpu(size_t(P) * 3), emu(size_t(P) * 3), outs(size_t(P) * B * out_size);
    expect(emodir_cpu_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(), 2, cpu.data()) ==
               EMODIR_OK, std::string("cpu_evaluate: ") + emodir_last_error());
    expect(emodir_emulated_cuda_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(),
                                         emu.data()) == EMODIR_OK,
           std::string("emulated cuda: ") + emodir_last_error());
    expect(emodir_cpu_forward(prog, masks.data(), P, input.data(), B, 2, outs.data()) == EMODIR_OK,
           std::string("cpu_forward: ") + emodir_last_error());
    for (int p = 0; p < P; ++p) {
        std::vector<float> out;
        for (int b = 0; b < B; ++b) {
            auto o = naive_forward(net, masks.data() + size_t(p) * genes, input.data() + b * in_size);
            out.insert(out.end(), o.begin(), o.end());
        }
        float scale = 0, maxdiff = 0;
        for (size_t i = 0; i < out.size(); ++i) {
            scale = std::max(scale, std::fabs(out[i]));
            maxdiff = std::max(maxdiff, std::fabs(out[i] - outs[size_t(p) * B * out_size + i]));
        }
        expect(maxdiff <= 1e-4f * scale, tag + ": forward of individual " + std::to_string(p) +
                                             " differs by " + std::to_string(maxdiff) + " (scale " +
                                             std::to_string(scale) + ")");
        Expected e = naive_objectives(out, ref, labels, B, head);
        for (const auto* got : {&cpu, &emu}) {
            const char* who = got == &cpu ? "cpu" : "emulated cuda";
            const float* o = got->data() + p * 3;
            expect(close(o[EMODIR_OBJ_MSE], e.mse, 1e-4, 1e-6),
                   tag + " " + who + ": mse of individual " + std::to_string(p) + " = " +
                       std::to_string(o[0]) + ", naive " + std::to_string(e.mse));
            if (head) {
                expect(close(o[EMODIR_OBJ_CROSS_ENTROPY], e.ce, 1e-4, 1e-6),
                       tag + " " + who + ": ce of individual " + std::to_string(p) + " = " +
                           std::to_string(o[1]) + ", naive " + std::to_string(e.ce));
                expect(int(o[EMODIR_OBJ_TOP1]) == e.top1, tag + " " + who + ": top1 of individual " +
                                                              std::to_string(p) + " = " + std::to_string(o[2]) +
                                                              ", naive " + std::to_string(e.top1));
            } else {
                expect(std::isnan(o[EMODIR_OBJ_CROSS_ENTROPY]) && std::isnan(o[EMODIR_OBJ_TOP1]),
                       tag + " " + who + ": ce/top1 must be NaN without a head");
            }
        }
    }
    // Thread count changes only the summation order.
    std::vector<float> one(size_t(P) * 3);
    emodir_cpu_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(), 1, one.data());
    for (int i = 0; i < P * 3; ++i)
        expect(close(one[i], cpu[i], 1e-5, 1e-6) || (std::isnan(one[i]) && std::isnan(cpu[i])),
               tag + ": 1 thread vs 2 threads differ at " + std::to_string(i));

    // An individual pruning every channel of block1.conv1 is an error naming that layer.
    std::vector<uint8_t> empty(masks.begin(), masks.begin() + genes);
    std::fill(empty.begin() + net.groups[0], empty.begin() + net.groups[0] + net.groups[1], 0);
    int rc = emodir_cpu_evaluate(prog, empty.data(), 1, input.data(), B, ref.data(), nullptr, 1, cpu.data());
    expect(rc == EMODIR_ERR_EMPTY_MASK && std::string(emodir_last_error()).find(second_group_layer) != std::string::npos,
           std::string("empty mask error: ") + emodir_last_error());
    if (head) {
        std::vector<int32_t> bad(labels);
        bad[2] = 10;
        rc = emodir_cpu_evaluate(prog, masks.data(), P, input.data(), B, nullptr, bad.data(), 1, cpu.data());
        expect(rc == EMODIR_ERR_INVALID_ARGUMENT && std::string(emodir_last_error()).find("label 10") != std::string::npos,
               std::string("bad label error: ") + emodir_last_error());
    }
    emodir_program_destroy(prog);
}

void check_invalid_programs() {
    Net net = resnet_like(1, false);
    net.ops[2].weight_offset = int64_t(net.weights.size()) - 10;  // block0.conv2 runs past the blob
    emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                 int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                 net.groups.data(), int(net.groups.size()));
    expect(prog == nullptr && std::string(emodir_last_error()).find("block0.conv2") != std::string::npos,
           std::string("out-of-range weights: ") + emodir_last_error());
    net = resnet_like(1, false);
    net.ops[0].in_c = 7;
    prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(), int64_t(net.weights.size()),
                                 net.in_c, net.in_h, net.in_w, net.groups.data(), int(net.groups.size()));
    expect(prog == nullptr && std::string(emodir_last_error()).find("7 input channels") != std::string::npos,
           std::string("channel mismatch: ") + emodir_last_error());
}

// A pruned tensor added into a dense one (pad 0) with the ReLU fused into the add: the channels the shortcut
// does not reach must still be clamped. 8x8 maps: the wide-row implicit GEMM with its fused ReLU.
void check_pruned_residual() {
    NetBuilder b(23);
    b.net.in_h = b.net.in_w = 8;
    b.conv(1, 0, 8, 12, 3, 1, 1, true, "block0.conv1");
    b.relu(1);
    b.conv(2, 1, 12, 12, 3, 1, 1, false, "block0.conv2");
    b.add(2, 1, 1, 0);
    b.relu(2);
    b.conv(3, 2, 12, 10, 3, 1, 1, true, "block1.conv1");
    b.relu(3);
    check_net(b.net, false, "pruned residual 8x8", "block1.conv1");
}

}  // namespace

int main() {
    // 16x16: row-exact panels at 16x16, the wide-row path at 8x8 and 4x4 (stride-1 convs and stride 2 over the
    // stride phases of the padded input).
    check_net(false, 16);
    check_net(true, 16);
    check_pruned_residual();
    check_net(false, 9);
    check_net(true, 9);
    check_net(false, 32);
    for (int size : {23, 40, 64}) check_net(geometry_like(13, size), false, "geometry " + std::to_string(size), "down");
    for (int size : {8, 9, 16})
        check_net(resnet_chain(17, size), false, "chain " + std::to_string(size), "block1.conv1");
    for (int size : {7, 8, 14, 16})
        check_net(bottleneck_chain(29, size), false, "bottleneck " + std::to_string(size), "block0.conv2");
    check_pruned_output(false, 9);
    check_pruned_output(true, 9);
    check_pruned_output(false, 32);
    check_invalid_programs();
    if (failures) {
        std::fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    std::printf("cpu_vs_naive: all checks passed\n");
    return 0;
}
