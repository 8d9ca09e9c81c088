// EMODIR_PRECISION_BF16 against a naive reference that rounds every conv weight and input to bfloat16 and sums
// in double (test_support.h): every conv (stride 1, stride 2 over the stride phases, 1x1, 7x7) runs VDPBF16PS
// when the CPU has AVX512_BF16, else the emulated path (bf16-rounded operands through the fp32 kernel); the
// ctest bf16_emulated runs this test with EMODIR_BF16_EMULATE=1 so the emulated path is checked everywhere.
// Tolerance: outputs within 2e-3 x max|output| (fp32 accumulation order; an activation near a bf16 rounding
// boundary may round the other way). The bf16 outputs must also be measurably different from fp32 ones (else the
// precision switch did nothing), and the objectives must not depend on how the population is split into threads.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "test_support.h"

using namespace test;

namespace {

void check(const Net& net, const std::string& tag) {
    emodir_program* prog = emodir_program_create(net.ops.data(), int(net.ops.size()), net.weights.data(),
                                                 int64_t(net.weights.size()), net.in_c, net.in_h, net.in_w,
                                                 net.groups.data(), int(net.groups.size()));
    expect(prog != nullptr, tag + ": program_create: " + emodir_last_error());
    if (!prog) return;
    const int P = 6, B = 3, genes = net.num_genes();
    std::mt19937 rng(5);
    std::vector<uint8_t> masks = random_masks(rng, P, genes, 0.5);
    std::fill(masks.begin(), masks.begin() + genes, 1);
    ensure_nonempty(net, masks, P);
    const int64_t in_size = emodir_program_input_size(prog), out_size = emodir_program_output_size(prog);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> input(size_t(B) * in_size);
    for (auto& f : input) f = nd(rng);
    std::vector<float> fp32(size_t(P) * B * out_size), bf16(fp32.size());
    expect(emodir_cpu_forward(prog, masks.data(), P, input.data(), B, 2, fp32.data()) == EMODIR_OK, emodir_last_error());
    expect(emodir_program_set_precision(prog, EMODIR_PRECISION_BF16) == EMODIR_OK, emodir_last_error());
    expect(emodir_cpu_forward(prog, masks.data(), P, input.data(), B, 2, bf16.data()) == EMODIR_OK, emodir_last_error());
    double worst_ref = 0, worst_fp32 = 0, scale_all = 0;
    for (int p = 0; p < P; ++p)
        for (int b = 0; b < B; ++b) {
            auto ref = naive_forward(net, masks.data() + size_t(p) * genes, input.data() + b * in_size, true);
            const float* got = bf16.data() + (size_t(p) * B + b) * out_size;
            const float* f32 = fp32.data() + (size_t(p) * B + b) * out_size;
            double scale = 0, diff = 0, dfp = 0;
            for (int64_t i = 0; i < out_size; ++i) {
                scale = std::max(scale, double(std::fabs(ref[i])));
                diff = std::max(diff, double(std::fabs(ref[i] - got[i])));
                dfp = std::max(dfp, double(std::fabs(f32[i] - got[i])));
            }
            expect(diff <= 2e-3 * scale, tag + ": individual " + std::to_string(p) + " image " + std::to_string(b) +
                                             ": bf16 output off the bf16 reference by " + std::to_string(diff) +
                                             " (scale " + std::to_string(scale) + ")");
            worst_ref = std::max(worst_ref, diff / scale);
            worst_fp32 = std::max(worst_fp32, dfp / scale);
            scale_all = std::max(scale_all, scale);
        }
    expect(worst_fp32 > 4 * worst_ref && worst_fp32 > 1e-4,
           tag + ": bf16 outputs are not distinguishable from fp32 (vs fp32 " + std::to_string(worst_fp32) +
               ", vs bf16 reference " + std::to_string(worst_ref) + ")");
    // Split calls (one individual, 1 and 3 threads) give the same bits as one call.
    std::vector<float> single(bf16.size());
    for (int threads : {1, 3}) {
        for (int p = 0; p < P; ++p)
            expect(emodir_cpu_forward(prog, masks.data() + size_t(p) * genes, 1, input.data(), B, threads,
                                      single.data() + size_t(p) * B * out_size) == EMODIR_OK, emodir_last_error());
        expect(std::memcmp(single.data(), bf16.data(), bf16.size() * sizeof(float)) == 0,
               tag + ": split bf16 calls differ with " + std::to_string(threads) + " threads");
    }
    std::printf("%s: bf16 vs bf16 reference %.2e, vs fp32 %.2e (relative to max|output|)\n", tag.c_str(), worst_ref,
                worst_fp32);
    expect(emodir_program_set_precision(prog, 7) == EMODIR_ERR_INVALID_ARGUMENT, "precision 7 is rejected");
    emodir_program_destroy(prog);
}

}  // namespace

int main() {
    const char* emulate = std::getenv("EMODIR_BF16_EMULATE");
    std::printf("bf16 kernel: %s\n", emulate && std::strcmp(emulate, "0") != 0 ? "emulated (EMODIR_BF16_EMULATE)"
                                     : emodir_cpu_bf16_hardware()          ? "VDPBF16PS"
                                                                            : "emulated (no AVX512_BF16)");
    for (int size : {9, 16, 32}) check(resnet_like(31, false, size), "resnet_like " + std::to_string(size));
    check(resnet_like(32, true, 16), "resnet_like head 16");
    check(vgg_like(33, false, 16), "vgg_like 16");
    for (int size : {23, 40}) check(geometry_like(34, size), "geometry " + std::to_string(size));
    for (int size : {8, 9, 16}) check(resnet_chain(35, size), "chain " + std::to_string(size));
    if (failures) {
        std::fprintf(stderr, "%d failures\n", failures);
        return 1;
    }
    std::printf("bf16: all checks passed\n");
    return 0;
}
