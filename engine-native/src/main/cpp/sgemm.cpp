#include "sgemm.h"
#include "emodir_native.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

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

// One register tile of R <= kGemmMR rows x NP column panels of kGemmNR; inlined into every ISA variant below,
// so the row count of the last panel costs only its own FMAs (a pruned layer often keeps 8 or 11 rows). With
// NP = 2 (AVX-512: 32 zmm registers) 12 independent accumulators cover the FMA latency of both pipes and each
// broadcast of A feeds two FMAs; AVX2 keeps NP = 1 (2R ymm accumulators already fill its 16 registers).
template <int R, int NP>
__attribute__((always_inline)) inline void tile(int k, const float* a, const float* const* b, const int* off,
                                                const float* bias, float* c, int ldc, const int* cols, bool relu) {
    v16 acc[NP][R];
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) acc[q][r] = v16{} + (bias ? bias[r] : 0.0f);
    for (int kk = 0; kk < k; ++kk) {
        v16 bv[NP];
        for (int q = 0; q < NP; ++q) bv[q] = load16(b[q] + off[kk]);
        const float* ak = a + kk * kGemmMR;
        for (int r = 0; r < R; ++r) {
            const float ar = ak[r];
            for (int q = 0; q < NP; ++q) acc[q][r] += ar * bv[q];
        }
    }
    const v16 zero = v16{};
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) {
            v16 v = acc[q][r];
            if (relu) v = v > zero ? v : zero;
            float* dst = c + int64_t(r) * ldc + q * kGemmNR;
            if (cols[q] == kGemmNR) {
                store16(dst, v);
            } else {
                float tmp[kGemmNR];
                store16(tmp, v);
                std::memcpy(dst, tmp, sizeof(float) * size_t(cols[q]));
            }
        }
}

template <int NP>
__attribute__((always_inline)) inline void row_panels(int rows, int k, const float* a, const float* const* b,
                                                      const int* off, const float* bias, float* c, int ldc,
                                                      const int* cols, bool relu) {
    switch (rows) {
        case 6: tile<6, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
        case 5: tile<5, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
        case 4: tile<4, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
        case 3: tile<3, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
        case 2: tile<2, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
        default: tile<1, NP>(k, a, b, off, bias, c, ldc, cols, relu); break;
    }
}

// Column panels in groups of NP (the last group may hold one panel), every row panel of A against each group.
template <int NP>
__attribute__((always_inline)) inline void gemm(int m, int n, int k, const float* a_packed,
                                                const float* const* b_panels, const int* off, const float* bias,
                                                float* c, int ldc, bool relu) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int j = 0; j < n; j += NP * kGemmNR) {
        const int left = n - j;
        const float* const* bj = b_panels + j / kGemmNR;
        int cols[NP];
        for (int q = 0; q < NP; ++q) cols[q] = std::max(0, std::min(kGemmNR, left - q * kGemmNR));
        const bool full = NP == 1 || cols[NP - 1] > 0;
        for (int p = 0; p < panels; ++p) {
            const float* a = a_packed + int64_t(p) * k * kGemmMR;
            const RowPanel rp = row_panel(m, p);
            const float* bp = bias ? bias + rp.first : nullptr;
            float* cp = c + int64_t(rp.first) * ldc + j;
            const int rows = rp.rows;
            if (full)
                row_panels<NP>(rows, k, a, bj, off, bp, cp, ldc, cols, relu);
            else
                row_panels<1>(rows, k, a, bj, off, bp, cp, ldc, cols, relu);
        }
    }
}

__attribute__((target("arch=x86-64-v4"))) void sgemm_avx512(int m, int n, int k, const float* a, const float* const* b,
                                                            const int* off, const float* bias, float* c, int ldc,
                                                            bool relu) {
    gemm<2>(m, n, k, a, b, off, bias, c, ldc, relu);
}

__attribute__((target_clones("arch=x86-64-v3", "default")))
void sgemm_narrow(int m, int n, int k, const float* a, const float* const* b, const int* off, const float* bias,
                  float* c, int ldc, bool relu) {
    gemm<1>(m, n, k, a, b, off, bias, c, ldc, relu);
}

bool cpu_has_avx512() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v4");
}

void sgemm_gather(int m, int n, int k, const float* a_packed, const float* const* b_panels, const int* b_row_offsets,
                  const float* bias, float* c, int ldc, bool relu) {
    static const bool avx512 = cpu_has_avx512();
    if (avx512)
        sgemm_avx512(m, n, k, a_packed, b_panels, b_row_offsets, bias, c, ldc, relu);
    else
        sgemm_narrow(m, n, k, a_packed, b_panels, b_row_offsets, bias, c, ldc, relu);
}

// 12 independent FMA chains (2 FMA pipes x 4-cycle latency, with margin) on one vector width per clone.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
float fma_chains(int64_t iterations, float seed) {
    constexpr int kChains = 12;
    v16 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = v16{} + (seed + float(i));
    const v16 a = v16{} + 0.999999f, b = v16{} + 1e-7f;
    for (int64_t it = 0; it < iterations; ++it)
        for (int i = 0; i < kChains; ++i) acc[i] = acc[i] * a + b;
    v16 s = v16{};
    for (int i = 0; i < kChains; ++i) s += acc[i];
    float out = 0.0f;
    for (int l = 0; l < 16; ++l) out += s[l];
    return out;
}

}  // namespace emodir

extern "C" int64_t emodir_cpu_fma_probe(int32_t threads, int64_t iterations) {
    if (threads <= 0 || iterations <= 0) return -1;
    std::vector<std::thread> pool;
    std::vector<float> sink(size_t(threads), 0.0f);
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] { sink[size_t(t)] = emodir::fma_chains(iterations, float(t)); });
    for (auto& th : pool) th.join();
    volatile float keep = 0.0f;  // the sums are observable, so the chains cannot be optimised away
    for (float f : sink) keep = keep + f;
    return int64_t(threads) * iterations * 12 * 16 * 2;
}

// Mirrors the resolver of the target_clones above (highest priority first), so reports name the kernel that runs.
extern "C" const char* emodir_cpu_kernel_isa(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("x86-64-v4")) return "x86-64-v4 (AVX-512)";
    if (__builtin_cpu_supports("x86-64-v3")) return "x86-64-v3 (AVX2)";
    return "baseline";
}
