#include "sgemm.h"
#include "emodir_native.h"

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

// One register tile of R <= kGemmMR rows x kGemmNR columns; inlined into every ISA clone below, so the
// row count of the last panel costs only its own FMAs (a pruned layer often keeps 8 or 11 rows).
template <int R>
__attribute__((always_inline)) inline void tile(int k, const float* a, const float* b, const int* off,
                                                const float* bias, float* c, int ldc, int cols) {
    v16 acc[R];
    for (int r = 0; r < R; ++r) acc[r] = v16{} + (bias ? bias[r] : 0.0f);
    for (int kk = 0; kk < k; ++kk) {
        const v16 bv = load16(b + off[kk]);
        const float* ak = a + kk * kGemmMR;
        for (int r = 0; r < R; ++r) acc[r] += ak[r] * bv;
    }
    for (int r = 0; r < R; ++r) {
        float* dst = c + int64_t(r) * ldc;
        if (cols == kGemmNR) {
            store16(dst, acc[r]);
        } else {
            float tmp[kGemmNR];
            store16(tmp, acc[r]);
            std::memcpy(dst, tmp, sizeof(float) * cols);
        }
    }
}

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void sgemm_gather(int m, int n, int k, const float* a_packed, const float* const* b_panels, const int* b_row_offsets,
                  const float* bias, float* c, int ldc) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int j = 0; j < n; j += kGemmNR) {
        const int cols = n - j < kGemmNR ? n - j : kGemmNR;
        const float* bj = b_panels[j / kGemmNR];
        for (int p = 0; p < panels; ++p) {
            const float* a = a_packed + int64_t(p) * k * kGemmMR;
            const float* bp = bias ? bias + p * kGemmMR : nullptr;
            float* cp = c + int64_t(p) * kGemmMR * ldc + j;
            const int* off = b_row_offsets;
            switch (m - p * kGemmMR < kGemmMR ? m - p * kGemmMR : kGemmMR) {
                case 6: tile<6>(k, a, bj, off, bp, cp, ldc, cols); break;
                case 5: tile<5>(k, a, bj, off, bp, cp, ldc, cols); break;
                case 4: tile<4>(k, a, bj, off, bp, cp, ldc, cols); break;
                case 3: tile<3>(k, a, bj, off, bp, cp, ldc, cols); break;
                case 2: tile<2>(k, a, bj, off, bp, cp, ldc, cols); break;
                default: tile<1>(k, a, bj, off, bp, cp, ldc, cols); break;
            }
        }
    }
}

}  // namespace emodir

// Mirrors the resolver of the target_clones above (highest priority first), so reports name the kernel that runs.
extern "C" const char* emodir_cpu_kernel_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2)";
    return "baseline";
}
