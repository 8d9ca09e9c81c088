// The size queries the Java memory budget relies on: emodir_cuda_scratch_bytes equals what the CUDA
// orchestration allocates (run on the host emulation), both queries are affine in the population, and CPU
// objectives are bit-identical however a population is split into calls or threads.
#include <cstdio>
#include <cstring>

#include "gpu_emulation.h"
#include "test_support.h"

using namespace test;

namespace {

int check(const Net& net) {
    emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                 int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                 net.groups.data(), int(net.groups.size()));
    expect(prog != nullptr, std::string("program_create: ") + emodir_last_error());
    if (!prog) return 1;
    const int P = 7, B = 5, genes = net.num_genes();
    std::mt19937 rng(9);
    std::vector<uint8_t> masks = random_masks(rng, P, genes, 0.5);
    ensure_nonempty(net, masks, P);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> input(size_t(B) * emodir_program_input_size(prog)),
        ref(size_t(B) * emodir_program_output_size(prog));
    for (auto& f : input) f = nd(rng);
    for (auto& f : ref) f = nd(rng);
    std::vector<int32_t> labels(B);
    for (auto& l : labels) l = int32_t(rng() % 10);

    std::vector<float> emulated(size_t(P) * 3);
    expect(emodir_emulated_cuda_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(),
                                         emulated.data()) == EMODIR_OK, emodir_last_error());
    const int64_t predicted = emodir_cuda_scratch_bytes(prog, P, B);
    expect(emodir_emulated_cuda_device_bytes() == predicted,
           "device bytes: allocated " + std::to_string(emodir_emulated_cuda_device_bytes()) + ", predicted " +
               std::to_string(predicted));
    const int64_t g1 = emodir_cuda_scratch_bytes(prog, 1, B), g2 = emodir_cuda_scratch_bytes(prog, 2, B);
    expect(predicted == g1 + (P - 1) * (g2 - g1), "cuda bytes affine in the population");
    const int64_t c1 = emodir_cpu_scratch_bytes(prog, 1, B, 2), c2 = emodir_cpu_scratch_bytes(prog, 2, B, 2);
    expect(c1 > 0 && c2 > c1 && emodir_cpu_scratch_bytes(prog, P, B, 2) == c1 + (P - 1) * (c2 - c1),
           "cpu bytes affine in the population");
    expect(emodir_cpu_scratch_bytes(prog, 0, B, 2) == -1 && emodir_cuda_scratch_bytes(prog, P, 0) == -1,
           "non-positive sizes are rejected");

    // One call with 2 threads versus one call per individual with 1 and 3 threads: identical bits.
    std::vector<float> whole(size_t(P) * 3), single(size_t(P) * 3);
    expect(emodir_cpu_evaluate(prog, masks.data(), P, input.data(), B, ref.data(), labels.data(), 2, whole.data()) ==
               EMODIR_OK, emodir_last_error());
    for (int threads : {1, 3}) {
        for (int p = 0; p < P; ++p)
            expect(emodir_cpu_evaluate(prog, masks.data() + size_t(p) * genes, 1, input.data(), B, ref.data(),
                                       labels.data(), threads, single.data() + size_t(p) * 3) == EMODIR_OK,
                   emodir_last_error());
        expect(std::memcmp(whole.data(), single.data(), whole.size() * sizeof(float)) == 0,
               "split calls with " + std::to_string(threads) + " threads differ from one call");
    }
    emodir_program_destroy(prog);
    return 0;
}

}  // namespace

int main() {
    check(resnet_like(31, true));
    check(vgg_like(33, false));  // channel-pruned output: no extra device or host scratch
    if (failures) {
        std::fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    std::printf("scratch_bytes: all checks passed\n");
    return 0;
}
