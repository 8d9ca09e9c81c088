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

// Output lane 2i takes lane i of the first 16 bf16, lane 2i + 1 lane i of the second 16 (pair interleave).
alignas(64) const short kInterleave[32] = {0, 16, 1, 17, 2,  18, 3,  19, 4,  20, 5,  21, 6,  22, 7,  23,
                                           8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31};

EMODIR_BF16_TARGET __attribute__((always_inline)) inline __m512i interleave_bf16(__m512 f0, __m512 f1) {
    const __m256i lo = (__m256i)_mm512_cvtneps_pbh(f0), hi = (__m256i)_mm512_cvtneps_pbh(f1);
    const __m512i z = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
    return _mm512_permutexvar_epi16(_mm512_load_si512(kInterleave), z);
}

// R rows x NP column panels: acc[q][r][lane] += a[r][2s] * b[q][2s][lane] + a[r][2s+1] * b[q][2s+1][lane].
// VDPBF16PS has a longer latency than the FMA: a tile with fewer than kChains accumulators (a pruned layer's
// 4- or 5-row panel, the lone last column panel of a wide 8x8 conv) splits the steps into two interleaved
// accumulator sets, summed at the end, so both pipes stay busy.
#ifndef EMODIR_BF16_CHAINS
#define EMODIR_BF16_CHAINS 12
#endif
constexpr int kChains = EMODIR_BF16_CHAINS;
// The store of a tile of whole, uncompacted column panels: no per-vector tests (see the general store in tile).
template <int R, int NP, int KS, bool RES, bool RELU, bool C, bool C16>
EMODIR_BF16_TARGET __attribute__((always_inline)) inline void store_tile(const __m512 (&acc)[KS][NP][R],
                                                                         const float* const* res, float* const* c,
                                                                         int ldc, uint16_t* const* c16, int64_t ldc16) {
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; r += 2) {
            __m512 v[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
            for (int h = 0; h < 2 && r + h < R; ++h) {
                const int rr = r + h;
                v[h] = KS == 2 ? _mm512_add_ps(acc[0][q][rr], acc[KS - 1][q][rr]) : acc[0][q][rr];
                if (RES) v[h] = _mm512_add_ps(v[h], _mm512_loadu_ps(res[q] + int64_t(rr) * ldc));
                if (RELU) v[h] = _mm512_max_ps(v[h], _mm512_setzero_ps());
                if (C) _mm512_storeu_ps(c[q] + int64_t(rr) * ldc, v[h]);
            }
            if (C16) _mm512_storeu_si512(c16[q] + (r / 2) * ldc16, interleave_bf16(v[0], v[1]));
        }
}

template <int R, int NP>
EMODIR_BF16_TARGET __attribute__((always_inline)) inline void tile(int steps, const uint32_t* a,
                                                                   const uint16_t* const* b, const int* off,
                                                                   const float* bias, const float* const* res,
                                                                   float* const* c, int ldc, const int* cols,
                                                                   bool relu, uint16_t* const* c16, int64_t ldc16,
                                                                   const uint16_t* kmask) {
    constexpr int KS = R * NP < kChains ? 2 : 1;
    __m512 acc[KS][NP][R];
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) {
            acc[0][q][r] = _mm512_set1_ps(bias ? bias[r] : 0.0f);
            if (KS == 2) acc[KS - 1][q][r] = _mm512_setzero_ps();
        }
    int s = 0;
    for (; s + KS <= steps; s += KS)
        for (int h = 0; h < KS; ++h) {
            __m512bh bv[NP];
            for (int q = 0; q < NP; ++q) bv[q] = (__m512bh)_mm512_loadu_si512(b[q] + off[s + h]);
            const uint32_t* as = a + (s + h) * kGemmMR;
            for (int r = 0; r < R; ++r) {
                const __m512bh ar = (__m512bh)_mm512_set1_epi32(int(as[r]));
                for (int q = 0; q < NP; ++q) acc[h][q][r] = _mm512_dpbf16_ps(acc[h][q][r], ar, bv[q]);
            }
        }
    for (; s < steps; ++s) {
        __m512bh bv[NP];
        for (int q = 0; q < NP; ++q) bv[q] = (__m512bh)_mm512_loadu_si512(b[q] + off[s]);
        const uint32_t* as = a + s * kGemmMR;
        for (int r = 0; r < R; ++r) {
            const __m512bh ar = (__m512bh)_mm512_set1_epi32(int(as[r]));
            for (int q = 0; q < NP; ++q) acc[0][q][r] = _mm512_dpbf16_ps(acc[0][q][r], ar, bv[q]);
        }
    }
    // Rows r and r + 1 together: the bf16 copy stores them as one channel pair (R is even but for an odd m's last
    // panel, whose missing partner is 0).
    bool whole = !kmask;
    for (int q = 0; q < NP; ++q) whole = whole && cols[q] == kGemmNR;
    if (whole) {  // straight-line code per (RES, RELU, C, C16), as sgemm.cpp's store_tile
        const int mode = (res ? 1 : 0) | (relu ? 2 : 0) | (c ? 4 : 0) | (c16 ? 8 : 0);
#define EMODIR_STORE(M)                                                                                        \
    case M:                                                                                                    \
        store_tile<R, NP, KS, (M & 1) != 0, (M & 2) != 0, (M & 4) != 0, (M & 8) != 0>(acc, res, c, ldc, c16, \
                                                                                     ldc16);                   \
        return;
        EMODIR_STORE_MODES(mode, EMODIR_STORE)
#undef EMODIR_STORE
        return;
    }
    for (int q = 0; q < NP; ++q) {
        const __mmask16 mask = __mmask16((1u << cols[q]) - 1u);
        for (int r = 0; r < R; r += 2) {
            __m512 v[2] = {_mm512_setzero_ps(), _mm512_setzero_ps()};
            for (int h = 0; h < 2 && r + h < R; ++h) {
                const int rr = r + h;
                v[h] = KS == 2 ? _mm512_add_ps(acc[0][q][rr], acc[KS - 1][q][rr]) : acc[0][q][rr];
                const int64_t at = int64_t(rr) * ldc;
                if (kmask) {  // wide conv: only the kept columns, compacted
                    const __mmask16 keep = kmask[q];
                    if (res) v[h] = _mm512_add_ps(v[h], _mm512_maskz_expandloadu_ps(keep, res[q] + at));
                    if (relu) v[h] = _mm512_max_ps(v[h], _mm512_setzero_ps());
                    if (c)
                        _mm512_mask_storeu_ps(c[q] + at, __mmask16((1u << __builtin_popcount(keep)) - 1u),
                                              _mm512_maskz_compress_ps(keep, v[h]));
                    continue;
                }
                if (res) v[h] = _mm512_add_ps(v[h], _mm512_maskz_loadu_ps(mask, res[q] + at));
                if (relu) v[h] = _mm512_max_ps(v[h], _mm512_setzero_ps());
                if (c) _mm512_mask_storeu_ps(c[q] + at, mask, v[h]);
            }
            if (c16) _mm512_mask_storeu_epi32(c16[q] + (r / 2) * ldc16, mask, interleave_bf16(v[0], v[1]));
        }
    }
}

template <int NP>
EMODIR_BF16_TARGET __attribute__((always_inline)) inline void row_panels(int rows, int steps, const uint32_t* a,
                                                                         const uint16_t* const* b, const int* off,
                                                                         const float* bias,
                                                                         const float* const* res, float* const* c,
                                                                         int ldc, const int* cols, bool relu,
                                                                         uint16_t* const* c16, int64_t ldc16,
                                                                         const uint16_t* kmask) {
#define EMODIR_TILE(R) tile<R, NP>(steps, a, b, off, bias, res, c, ldc, cols, relu, c16, ldc16, kmask)
    EMODIR_TILE_ROWS(rows, EMODIR_TILE)
#undef EMODIR_TILE
}

}  // namespace

EMODIR_BF16_TARGET void sbgemm_gather(int m, int n, int steps, const uint32_t* a_packed, const uint16_t* const* b_panels,
                                      const int* off, const float* bias, const GemmOut& out) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    // Few columns and many row panels: A panels outermost (see sgemm.cpp's gemm).
    const bool a_outer = n <= 4 * kGemmNR && panels > 1;
    const int groups = (n + 2 * kGemmNR - 1) / (2 * kGemmNR);
    for (int it = 0; it < groups * panels; ++it) {
        const int p = a_outer ? it / groups : it % panels;
        const int j = (a_outer ? it % groups : it / panels) * 2 * kGemmNR;
        const uint16_t* const* bj = b_panels + j / kGemmNR;
        int cols[2] = {std::min(kGemmNR, n - j), std::max(0, std::min(kGemmNR, n - j - kGemmNR))};
        const RowPanel rp = row_panel_pairs(m, p);
        const uint32_t* a = a_packed + int64_t(p) * steps * kGemmMR;
        const float* bp = bias ? bias + rp.first : nullptr;
        float* cp[2];
        const float* rs[2];
        uint16_t* c16[2];
        uint16_t km[2] = {0, 0};
        for (int q = 0; q < 2; ++q) {
            const int jq = j + q * kGemmNR;
            const int64_t cj = out.keep_mask ? (cols[q] > 0 ? out.keep_start[jq / kGemmNR] : 0) : jq;
            if (out.keep_mask && cols[q] > 0) km[q] = out.keep_mask[jq / kGemmNR];
            cp[q] = out.c ? out.c + int64_t(rp.first) * out.ldc + cj : nullptr;
            rs[q] = out.residual ? out.residual + int64_t(rp.first) * out.ldc + cj : nullptr;
            c16[q] = out.pad16 && cols[q] > 0
                         ? out.pad16 + int64_t(rp.first / 2) * out.ld_pad + out.pad_offsets[jq / kGemmNR] * 2
                         : nullptr;
        }
        const float* const* rsp = out.residual ? rs : nullptr;
        float* const* cpp = out.c ? cp : nullptr;
        uint16_t* const* c16p = out.pad16 ? c16 : nullptr;
        const uint16_t* kmp = out.keep_mask ? km : nullptr;
        if (cols[1] > 0)
            row_panels<2>(rp.rows, steps, a, bj, off, bp, rsp, cpp, out.ldc, cols, out.relu, c16p, out.ld_pad, kmp);
        else
            row_panels<1>(rp.rows, steps, a, bj, off, bp, rsp, cpp, out.ldc, cols, out.relu, c16p, out.ld_pad, kmp);
    }
}

EMODIR_BF16_TARGET void pad_planes_bf16(const float* src, uint16_t* col, int64_t col_elems, int nin, int h, int w,
                                        int hp, int wp, int pad) {
    const int pairs = (nin + 1) / 2, right = wp - w - pad;
    // Only the pad ring and the tail are cleared (the buffer is shared by convs of other layouts, so it is dirty).
    for (int cp = 0; cp < pairs; ++cp) {
        const float* s0 = src + int64_t(2 * cp) * h * w;
        const bool has1 = 2 * cp + 1 < nin;
        uint16_t* plane = col + int64_t(cp) * hp * wp * 2;
        std::fill(plane, plane + int64_t(pad) * wp * 2, uint16_t(0));
        for (int y = 0; y < h; ++y) {
            uint16_t* row = plane + (int64_t(y + pad) * wp + pad) * 2;
            std::fill(row - 2 * pad, row, uint16_t(0));
            for (int x = 0; x < w; x += 16) {
                const __mmask16 mask = __mmask16(w - x >= 16 ? 0xffffu : (1u << (w - x)) - 1u);
                const __m512 f0 = _mm512_maskz_loadu_ps(mask, s0 + int64_t(y) * w + x);
                const __m512 f1 = has1 ? _mm512_maskz_loadu_ps(mask, s0 + int64_t(h) * w + int64_t(y) * w + x)
                                       : _mm512_setzero_ps();
                // Lane 2i: channel 2cp's pixel x + i, lane 2i + 1: channel 2cp + 1's.
                _mm512_mask_storeu_epi32(row + 2 * x, mask, interleave_bf16(f0, f1));
            }
            std::fill(row + 2 * w, row + 2 * (w + right), uint16_t(0));
        }
        std::fill(plane + int64_t(pad + h) * wp * 2, plane + int64_t(hp) * wp * 2, uint16_t(0));
    }
    std::fill(col + int64_t(pairs) * hp * wp * 2, col + col_elems, uint16_t(0));
}

}  // namespace emodir
