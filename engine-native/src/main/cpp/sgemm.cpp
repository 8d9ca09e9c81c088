#include "sgemm.h"

#include <cstring>

namespace emodir {

namespace {
// GCC vector extension: one source, compiled per ISA by target_clones (zmm, 2x ymm, or 4x xmm).
typedef float v16 __attribute__((vector_size(64)));

inline v16 load16(const float* p) {
    v16 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store16(float* p, v16 v) { std::memcpy(p, &v, sizeof v); }
}  // namespace

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void sgemm_packed(int m, int n, int k, const float* a_packed, const float* b_packed, const float* bias, float* c,
                  int ldc) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int j = 0; j < n; j += kGemmNR) {
        const int cols = n - j < kGemmNR ? n - j : kGemmNR;
        for (int p = 0; p < panels; ++p) {
            const float* a = a_packed + int64_t(p) * k * kGemmMR;
            const float* bj = b_packed + int64_t(j / kGemmNR) * k * kGemmNR;
            v16 acc0 = {}, acc1 = {}, acc2 = {}, acc3 = {}, acc4 = {}, acc5 = {};
            for (int kk = 0; kk < k; ++kk) {
                const v16 bv = load16(bj + kk * kGemmNR);
                const float* ak = a + kk * kGemmMR;
                acc0 += ak[0] * bv;
                acc1 += ak[1] * bv;
                acc2 += ak[2] * bv;
                acc3 += ak[3] * bv;
                acc4 += ak[4] * bv;
                acc5 += ak[5] * bv;
            }
            v16 acc[kGemmMR] = {acc0, acc1, acc2, acc3, acc4, acc5};
            const int rows = m - p * kGemmMR < kGemmMR ? m - p * kGemmMR : kGemmMR;
            for (int r = 0; r < rows; ++r) {
                const int i = p * kGemmMR + r;
                v16 v = acc[r] + (bias ? bias[i] : 0.0f);
                float* dst = c + int64_t(i) * ldc + j;
                if (cols == kGemmNR) {
                    store16(dst, v);
                } else {
                    float tmp[kGemmNR];
                    store16(tmp, v);
                    std::memcpy(dst, tmp, sizeof(float) * cols);
                }
            }
        }
    }
}

}  // namespace emodir
