// CUDA backend against the CPU backend on the random ResNet-like program; exit 77 (ctest: skipped)
// when the library has no CUDA backend or no device is visible. Tolerance: relative 1e-4 on mse/ce,
// identical top-1 counts.
#include <cstdio>

#include "test_support.h"

using namespace test;

int main() {
    if (!emodir_cuda_available()) {
        std::printf("skipped: %s\n", emodir_last_error());
        return 77;
    }
    for (int variant : {0, 1, 2}) {
        const bool head = variant == 1;
        // variant 2: the output is channel-pruned (VGG-like sub-network ending in a prunable conv)
        Net net = variant == 2 ? vgg_like(25, false) : resnet_like(head ? 21 : 23, head);
        emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                     int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                     net.groups.data(), int(net.groups.size()));
        expect(prog != nullptr, std::string("program_create: ") + emodir_last_error());
        if (!prog) continue;
        const int P = 33, B = 6, genes = net.num_genes();
        std::mt19937 rng(5);
        std::vector<uint8_t> masks = random_masks(rng, P, genes, 0.5);
        ensure_nonempty(net, masks, P);
        std::normal_distribution<float> nd(0.0f, 1.0f);
        std::vector<float> input(size_t(B) * emodir_program_input_size(prog)),
            ref(size_t(B) * emodir_program_output_size(prog));
        for (auto& f : input) f = nd(rng);
        for (auto& f : ref) f = nd(rng);
        std::vector<int32_t> labels(B);
        for (auto& l : labels) l = int32_t(rng() % 10);
        std::vector<float> cpu(size_t(P) * 3), gpu(size_t(P) * 3);
        expect(emodir_cpu_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(), 2, cpu.data()) ==
                   EMODIR_OK, emodir_last_error());
        expect(emodir_cuda_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(), gpu.data()) ==
                   EMODIR_OK, emodir_last_error());
        for (int p = 0; p < P; ++p) {
            const float* c = &cpu[p * 3];
            const float* g = &gpu[p * 3];
            expect(close(g[0], c[0], 1e-4, 1e-6), "mse of individual " + std::to_string(p) + ": cuda " +
                                                      std::to_string(g[0]) + " cpu " + std::to_string(c[0]));
            if (head) {
                expect(close(g[1], c[1], 1e-4, 1e-6), "ce of individual " + std::to_string(p));
                expect(g[2] == c[2], "top1 of individual " + std::to_string(p));
            }
        }
        emodir_program_destroy(prog);
    }
    if (failures) {
        std::fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    std::printf("cuda_vs_cpu: all checks passed\n");
    return 0;
}
