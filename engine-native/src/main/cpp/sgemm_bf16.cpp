// bf16 implicit-GEMM conv kernel (issue 17): bf16 weights and inputs, fp32 accumulation with VDPBF16PS
// (AVX512_BF16), which does two multiply-adds per fp32 lane and instruction, twice the fp32 FMA rate.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "sgemm.h"

// GCC 12 flags the deliberately undefined upper half of _mm512_castsi256_si512 (immediately overwritten).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace emodir {

bool cpu_has_avx512_bf16() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw");
}

#define EMODIR_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,fma")))

namespace {

// R rows x NP column panels: acc[q][r][lane] += a[r][2s] * b[q][2s][lane] + a[r][2s+1] * b[q][2s+1][lane].
template <int R, int NP>
EMODIR_BF16_TARGET __attribute__((always_inline)) inline void tile(int steps, const uint32_t* a,
                                                                   const uint16_t* const* b, const int* off,
                                                                   const float* bias, float* c, int ldc,
                                                                   const int* cols, bool relu) {
    __m512 acc[NP][R];
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) acc[q][r] = _mm512_set1_ps(bias ? bias[r] : 0.0f);
    for (int s = 0; s < steps; ++s) {
        __m512bh bv[NP];
        for (int q = 0; q < NP; ++q) bv[q] = (__m512bh)_mm512_loadu_si512(b[q] + off[s]);
        const uint32_t* as = a + s * kGemmMR;
        for (int r = 0; r < R; ++r) {
            const __m512bh ar = (__m512bh)_mm512_set1_epi32(int(as[r]));
            for (int q = 0; q < NP; ++q) acc[q][r] = _mm512_dpbf16_ps(acc[q][r], ar, bv[q]);
        }
    }
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) {
            __m512 v = acc[q][r];
            if (relu) v = _mm512_max_ps(v, _mm512_setzero_ps());
            float* dst = c + int64_t(r) * ldc + q * kGemmNR;
            _mm512_mask_storeu_ps(dst, __mmask16((1u << cols[q]) - 1u), v);
        }
}

template <int NP>
EMODIR_BF16_TARGET __attribute__((always_inline)) inline void row_panels(int rows, int steps, const uint32_t* a,
                                                                         const uint16_t* const* b, const int* off,
                                                                         const float* bias, float* c, int ldc,
                                                                         const int* cols, bool relu) {
    switch (rows) {
        case 6: tile<6, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
        case 5: tile<5, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
        case 4: tile<4, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
        case 3: tile<3, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
        case 2: tile<2, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
        default: tile<1, NP>(steps, a, b, off, bias, c, ldc, cols, relu); break;
    }
}

}  // namespace

EMODIR_BF16_TARGET void sbgemm_gather(int m, int n, int steps, const uint32_t* a_packed, const uint16_t* const* b_panels,
                                      const int* off, const float* bias, float* c, int ldc, bool relu) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int j = 0; j < n; j += 2 * kGemmNR) {
        const uint16_t* const* bj = b_panels + j / kGemmNR;
        int cols[2] = {std::min(kGemmNR, n - j), std::max(0, std::min(kGemmNR, n - j - kGemmNR))};
        for (int p = 0; p < panels; ++p) {
            const RowPanel rp = row_panel(m, p);
            const uint32_t* a = a_packed + int64_t(p) * steps * kGemmMR;
            const float* bp = bias ? bias + rp.first : nullptr;
            float* cp = c + int64_t(rp.first) * ldc + j;
            if (cols[1] > 0)
                row_panels<2>(rp.rows, steps, a, bj, off, bp, cp, ldc, cols, relu);
            else
                row_panels<1>(rp.rows, steps, a, bj, off, bp, cp, ldc, cols, relu);
        }
    }
}

EMODIR_BF16_TARGET void pad_planes_bf16(const float* src, uint16_t* col, int64_t col_elems, int nin, int h, int w,
                                        int hp, int wp, int pad) {
    std::fill(col, col + col_elems, uint16_t(0));
    // Output lane 2i takes channel 2cp's pixel i, lane 2i + 1 channel 2cp + 1's (the halves of z below).
    alignas(64) static const short kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                                      8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};
    const __m512i idx = _mm512_load_si512(kInterleave);
    const int pairs = (nin + 1) / 2;
    for (int cp = 0; cp < pairs; ++cp) {
        const float* s0 = src + int64_t(2 * cp) * h * w;
        const bool has1 = 2 * cp + 1 < nin;
        for (int y = 0; y < h; ++y) {
            uint16_t* row = col + ((int64_t(cp) * hp + y + pad) * wp + pad) * 2;
            for (int x = 0; x < w; x += 16) {
                const __mmask16 mask = __mmask16(w - x >= 16 ? 0xffffu : (1u << (w - x)) - 1u);
                const __m512 f0 = _mm512_maskz_loadu_ps(mask, s0 + int64_t(y) * w + x);
                const __m512 f1 = has1 ? _mm512_maskz_loadu_ps(mask, s0 + int64_t(h) * w + int64_t(y) * w + x)
                                       : _mm512_setzero_ps();
                const __m256i lo = (__m256i)_mm512_cvtneps_pbh(f0), hi = (__m256i)_mm512_cvtneps_pbh(f1);
                const __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
                _mm512_mask_storeu_epi32(row + 2 * x, mask, _mm512_permutexvar_epi16(idx, z));
            }
        }
    }
}

}  // namespace emodir
