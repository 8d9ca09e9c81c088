#include "sgemm.h"
#include "emodir_native.h"

#include <immintrin.h>

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

// A wide conv's kept columns (GemmOut::keep_mask), compacted: rows of 16 lanes v[r] to dst + r * ld, and back.
// The AVX-512 forms (compress / expand) serve the CHAINS > 0 instantiations, once per tile (not inlined: the
// tile itself is generic code inlined into the AVX-512 clone).
__attribute__((target("avx512f"), noinline)) void store_kept_avx512(float* dst, int64_t ld, const float (*v)[kGemmNR],
                                                                   int rows, unsigned keep) {
    const __mmask16 out = __mmask16((1u << __builtin_popcount(keep)) - 1u);
    for (int r = 0; r < rows; ++r)
        _mm512_mask_storeu_ps(dst + r * ld, out, _mm512_maskz_compress_ps(__mmask16(keep), _mm512_loadu_ps(v[r])));
}
__attribute__((target("avx512f"), noinline)) void load_kept_avx512(float (*v)[kGemmNR], const float* src, int64_t ld,
                                                                  int rows, unsigned keep) {
    for (int r = 0; r < rows; ++r) _mm512_storeu_ps(v[r], _mm512_maskz_expandloadu_ps(__mmask16(keep), src + r * ld));
}
inline void store_kept(bool avx512, float* dst, int64_t ld, const float (*v)[kGemmNR], int rows, unsigned keep) {
    if (avx512) return store_kept_avx512(dst, ld, v, rows, keep);
    for (int r = 0; r < rows; ++r)
        for (int l = 0, o = 0; l < kGemmNR; ++l)
            if (keep >> l & 1u) dst[r * ld + o++] = v[r][l];
}
inline void load_kept(bool avx512, float (*v)[kGemmNR], const float* src, int64_t ld, int rows, unsigned keep) {
    if (avx512) return load_kept_avx512(v, src, ld, rows, keep);
    for (int r = 0; r < rows; ++r)
        for (int l = 0, o = 0; l < kGemmNR; ++l) v[r][l] = keep >> l & 1u ? src[r * ld + o++] : 0.0f;
}

#ifndef EMODIR_FP32_CHAINS
#define EMODIR_FP32_CHAINS 8  // 2 FMA pipes x 4 cycles
#endif

// The store of a tile whose columns are all whole and uncompacted (or compacted only in a dst it does not write):
// straight-line code per (RES, RELU, C, PAD) combination. The general store below tests each of these per vector
// and spills the accumulators: ~9 cycles per output vector, ~15 % of a conv with k = 72 (a pruned ResNet-56 conv2).
template <int R, int NP, int KS, bool RES, bool RELU, bool C, bool PAD>
__attribute__((always_inline)) inline void store_tile(const v16 (&acc)[KS][NP][R], const float* const* res,
                                                      int64_t ld_res, float* const* c, int ldc, float* const* pad,
                                                      int64_t ld_pad) {
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) {
            v16 v = KS == 2 ? acc[0][q][r] + acc[KS - 1][q][r] : acc[0][q][r];
            if (RES) v += load16(res[q] + r * ld_res);
            if (RELU) v = v > v16{} ? v : v16{};
            if (C) store16(c[q] + int64_t(r) * ldc, v);
            if (PAD) store16(pad[q] + r * ld_pad, v);
        }
}

// One register tile of R <= kGemmMR rows x NP column panels of kGemmNR; inlined into every ISA variant below,
// so the row count of the last panel costs only its own FMAs (a pruned layer often keeps 8 or 11 rows). With
// NP = 2 (AVX-512: 32 zmm registers) an 8-row tile has 16 independent accumulators, which cover the FMA latency
// of both pipes, and each B vector feeds 8 FMAs (a 16-channel layer runs as 2 tiles that load B twice, not 3
// tiles of 6 + 5 + 5 rows that load it 3 times). AVX2 keeps NP = 1 and at most 6 rows (12 ymm accumulators of its
// 16 registers). CHAINS > 0 (AVX-512 only): a tile with fewer accumulators than that (a lone last column panel,
// a 3-row panel) splits k into two interleaved accumulator sets, summed at the end, to keep both FMA pipes busy.
// a is the tile's first row in a packed panel of kGemmMR rows (an AVX2 8-row panel runs as two 4-row tiles).
template <int R, int NP, int CHAINS>
__attribute__((always_inline)) inline void tile(int k, const float* a, const float* const* b, const int* off,
                                                const float* bias, const float* const* res, float* const* c,
                                                int ldc, const int* cols, bool relu, float* const* pad,
                                                int64_t ld_pad, const uint16_t* kmask, int64_t ld_res,
                                                bool res_padded) {
    constexpr int KS = R * NP < CHAINS ? 2 : 1;
    v16 acc[KS][NP][R];
    for (int q = 0; q < NP; ++q)
        for (int r = 0; r < R; ++r) {
            acc[0][q][r] = v16{} + (bias ? bias[r] : 0.0f);
            if (KS == 2) acc[KS - 1][q][r] = v16{};
        }
    int kk = 0;
    for (; kk + KS <= k; kk += KS)
        for (int h = 0; h < KS; ++h) {
            v16 bv[NP];
            for (int q = 0; q < NP; ++q) bv[q] = load16(b[q] + off[kk + h]);
            const float* ak = a + (kk + h) * kGemmMR;
            for (int r = 0; r < R; ++r)
                for (int q = 0; q < NP; ++q) acc[h][q][r] += ak[r] * bv[q];
        }
    for (; kk < k; ++kk) {
        v16 bv[NP];
        for (int q = 0; q < NP; ++q) bv[q] = load16(b[q] + off[kk]);
        const float* ak = a + kk * kGemmMR;
        for (int r = 0; r < R; ++r)
            for (int q = 0; q < NP; ++q) acc[0][q][r] += ak[r] * bv[q];
    }
    bool whole = true;
    for (int q = 0; q < NP; ++q)
        whole = whole && cols[q] == kGemmNR &&
                (!kmask || kmask[q] == 0xffffu || (!c && (!res || res_padded)));
    if (whole) {
        const int mode = (res ? 1 : 0) | (relu ? 2 : 0) | (c ? 4 : 0) | (pad ? 8 : 0);
#define EMODIR_STORE(M)                                                                                         \
    case M:                                                                                                     \
        store_tile<R, NP, KS, (M & 1) != 0, (M & 2) != 0, (M & 4) != 0, (M & 8) != 0>(acc, res, ld_res, c, ldc, \
                                                                                      pad, ld_pad);             \
        return;
        EMODIR_STORE_MODES(mode, EMODIR_STORE)
#undef EMODIR_STORE
        return;
    }
    const v16 zero = v16{};
    for (int q = 0; q < NP; ++q) {
        const bool compact = kmask && kmask[q] != 0xffffu;
        float kept[R][kGemmNR];  // compact: residual in, results out
        // res_padded: the residual is read uncompacted from a padded layout (GemmOut::residual_pad).
        if (compact && res && !res_padded) load_kept(CHAINS > 0, kept, res[q], ldc, R, kmask[q]);
        for (int r = 0; r < R; ++r) {
            v16 v = KS == 2 ? acc[0][q][r] + acc[KS - 1][q][r] : acc[0][q][r];
            const int64_t at = int64_t(r) * ldc;
            if (res && compact && !res_padded) {
                v += load16(kept[r]);
            } else if (res) {
                if (cols[q] == kGemmNR || (compact && res_padded)) {
                    v += load16(res[q] + r * ld_res);
                } else {
                    float tmp[kGemmNR] = {};
                    std::memcpy(tmp, res[q] + r * ld_res, sizeof(float) * size_t(cols[q]));
                    v += load16(tmp);
                }
            }
            if (relu) v = v > zero ? v : zero;
            if (compact) store16(kept[r], v);
            for (int t = 0; t < 2; ++t) {
                float* dst = t == 0 ? (c && !compact ? c[q] + at : nullptr) : (pad ? pad[q] + r * ld_pad : nullptr);
                if (!dst) continue;
                if (cols[q] == kGemmNR) {
                    store16(dst, v);
                } else {
                    float tmp[kGemmNR];
                    store16(tmp, v);
                    std::memcpy(dst, tmp, sizeof(float) * size_t(cols[q]));
                }
            }
        }
        if (compact && c) store_kept(CHAINS > 0, c[q], ldc, kept, R, kmask[q]);
    }
}

template <int NP, int CHAINS>
__attribute__((always_inline)) inline void row_panels(int rows, int k, const float* a, const float* const* b,
                                                      const int* off, const float* bias, const float* const* res,
                                                      float* const* c, int ldc, const int* cols, bool relu,
                                                      float* const* pad, int64_t ld_pad, const uint16_t* kmask,
                                                      int64_t ld_res, bool res_padded) {
#define EMODIR_TILE(R) \
    tile<R, NP, CHAINS>(k, a, b, off, bias, res, c, ldc, cols, relu, pad, ld_pad, kmask, ld_res, res_padded)
    EMODIR_TILE_ROWS(rows, EMODIR_TILE)
#undef EMODIR_TILE
}

// A last column panel with only T <= kTailCols valid columns (7x7 maps: 49 = 3 x 16 + 1) as T dot-product columns:
// the rows of a panel in one 8-lane vector (A's packed k-major rows), 4 k-chains per column, instead of
// a full 16-column tile that would waste 16 - T of its FMAs.
constexpr int kTailCols = 4;
typedef float v8 __attribute__((vector_size(32)));
template <int T>
__attribute__((always_inline)) inline void tail_columns(int k, const float* a, const float* b, const int* off,
                                                        const float* bias, int rows, int first, int j0,
                                                        const GemmOut& out, int64_t pad_col, int64_t res_col) {
    v8 acc[T][4] = {};
    int kk = 0;
    for (; kk + 4 <= k; kk += 4)
        for (int u = 0; u < 4; ++u) {
            v8 av;
            std::memcpy(&av, a + (kk + u) * kGemmMR, sizeof av);
            for (int t = 0; t < T; ++t) acc[t][u] += av * b[off[kk + u] + t];
        }
    for (; kk < k; ++kk) {
        v8 av;
        std::memcpy(&av, a + kk * kGemmMR, sizeof av);
        for (int t = 0; t < T; ++t) acc[t][0] += av * b[off[kk] + t];
    }
    for (int t = 0; t < T; ++t) {
        const v8 v = (acc[t][0] + acc[t][1]) + (acc[t][2] + acc[t][3]);
        for (int r = 0; r < rows; ++r) {
            float x = v[r] + (bias ? bias[first + r] : 0.0f);
            const int64_t at = int64_t(first + r) * out.ldc + j0 + t;
            if (out.residual_pad) x += out.residual_pad[(first + r) * out.ld_residual + res_col + t];
            else if (out.residual) x += out.residual[at];
            if (out.relu && x < 0.0f) x = 0.0f;
            if (out.c) out.c[at] = x;
            if (out.pad) out.pad[(first + r) * out.ld_pad + pad_col + t] = x;
        }
    }
}

// Column panels in groups of NP (the last group may hold one panel), every row panel of A against each group.
// Few columns (a 7x7 map: 4 panels) and a long k: row panels outermost, so each A panel is fetched from memory
// once for all column groups (the B panels stay in L2) instead of once per column group.
template <int NP, int CHAINS>
__attribute__((always_inline)) inline void gemm(int m, int n, int k, const float* a_packed,
                                                const float* const* b_panels, const int* off, const float* bias,
                                                const GemmOut& out) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    const bool a_outer = n <= 4 * kGemmNR && panels > 1;
    const int tail = NP > 1 && (!out.keep_mask || out.exact_columns) && n > kGemmNR && n % kGemmNR <= kTailCols
                         ? n % kGemmNR
                         : 0;
    if (tail) {
        const int j0 = n - tail, pl = j0 / kGemmNR;
        const int64_t pad_col = out.pad ? out.pad_offsets[pl] : 0;
        const int64_t res_col = out.residual_pad ? out.residual_offsets[pl] : 0;
        for (int p = 0; p < panels; ++p) {
            const RowPanel rp = row_panel(m, p);
            const float* a = a_packed + int64_t(p) * k * kGemmMR;
            switch (tail) {
                case 1: tail_columns<1>(k, a, b_panels[pl], off, bias, rp.rows, rp.first, j0, out, pad_col, res_col); break;
                case 2: tail_columns<2>(k, a, b_panels[pl], off, bias, rp.rows, rp.first, j0, out, pad_col, res_col); break;
                case 3: tail_columns<3>(k, a, b_panels[pl], off, bias, rp.rows, rp.first, j0, out, pad_col, res_col); break;
                default: tail_columns<4>(k, a, b_panels[pl], off, bias, rp.rows, rp.first, j0, out, pad_col, res_col); break;
            }
        }
        n -= tail;
    }
    const int groups = (n + NP * kGemmNR - 1) / (NP * kGemmNR);
    for (int it = 0; it < groups * panels; ++it) {
        const int p = a_outer ? it / groups : it % panels;
        const int j = (a_outer ? it % groups : it / panels) * NP * kGemmNR;
        const int left = n - j;
        const float* const* bj = b_panels + j / kGemmNR;
        int cols[NP];
        for (int q = 0; q < NP; ++q) cols[q] = std::max(0, std::min(kGemmNR, left - q * kGemmNR));
        const bool full = NP == 1 || cols[NP - 1] > 0;
        const RowPanel rp = row_panel(m, p);
        uint16_t km[NP] = {};
        for (int q = 0; q < NP; ++q)
            if (out.keep_mask && cols[q] > 0) km[q] = out.keep_mask[(j + q * kGemmNR) / kGemmNR];
        const uint16_t* kmp = out.keep_mask ? km : nullptr;
        const bool res_padded = out.residual_pad != nullptr;
        const int64_t ld_res = res_padded ? out.ld_residual : out.ldc;
        // AVX2 (NP = 1) has registers for 6 rows: an 8-row panel runs as two tiles of 4 (7: 4 + 3).
        const int split = NP == 1 && rp.rows > 6 ? 4 : rp.rows;
        for (int r0 = 0; r0 < rp.rows; r0 += split) {
            const int first = rp.first + r0, rows = std::min(split, rp.rows - r0);
            float* cp[NP];
            const float* rs[NP];
            float* pp[NP];
            for (int q = 0; q < NP; ++q) {
                const int jq = j + q * kGemmNR;
                const int64_t cj = out.keep_mask ? (cols[q] > 0 ? out.keep_start[jq / kGemmNR] : 0) : jq;
                cp[q] = out.c ? out.c + int64_t(first) * out.ldc + cj : nullptr;
                rs[q] = res_padded ? (cols[q] > 0 ? out.residual_pad + first * out.ld_residual +
                                                        out.residual_offsets[jq / kGemmNR]
                                                  : nullptr)
                        : out.residual ? out.residual + int64_t(first) * out.ldc + cj
                                       : nullptr;
                pp[q] = out.pad && cols[q] > 0 ? out.pad + first * out.ld_pad + out.pad_offsets[jq / kGemmNR] : nullptr;
            }
            const float* a = a_packed + int64_t(p) * k * kGemmMR + r0;
            const float* bp = bias ? bias + first : nullptr;
            const float* const* rsp = out.residual || out.residual_pad ? rs : nullptr;
            float* const* cpp = out.c ? cp : nullptr;
            float* const* ppp = out.pad ? pp : nullptr;
            if (full)
                row_panels<NP, CHAINS>(rows, k, a, bj, off, bp, rsp, cpp, out.ldc, cols, out.relu, ppp, out.ld_pad,
                                       kmp, ld_res, res_padded);
            else
                row_panels<1, CHAINS>(rows, k, a, bj, off, bp, rsp, cpp, out.ldc, cols, out.relu, ppp, out.ld_pad,
                                      kmp, ld_res, res_padded);
        }
    }
}

__attribute__((target("arch=x86-64-v4"))) void sgemm_avx512(int m, int n, int k, const float* a, const float* const* b,
                                                            const int* off, const float* bias, const GemmOut& out) {
    // Three whole column panels (a 7x7 map: 48 columns and a tail column) as one tile of 24 accumulators,
    // rather than a 2-panel tile and a lone panel that loads A for half the FMAs.
    if (n >= 3 * kGemmNR && n < 4 * kGemmNR && n % kGemmNR <= kTailCols && (!out.keep_mask || out.exact_columns))
        gemm<3, EMODIR_FP32_CHAINS>(m, n, k, a, b, off, bias, out);
    else
        gemm<2, EMODIR_FP32_CHAINS>(m, n, k, a, b, off, bias, out);
}

__attribute__((target_clones("arch=x86-64-v3", "default")))
void sgemm_narrow(int m, int n, int k, const float* a, const float* const* b, const int* off, const float* bias,
                  const GemmOut& out) {
    gemm<1, 0>(m, n, k, a, b, off, bias, out);
}

bool cpu_has_avx512() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("x86-64-v4");
}

void sgemm_gather(int m, int n, int k, const float* a_packed, const float* const* b_panels, const int* b_row_offsets,
                  const float* bias, const GemmOut& out) {
    static const bool avx512 = cpu_has_avx512();
    if (avx512)
        sgemm_avx512(m, n, k, a_packed, b_panels, b_row_offsets, bias, out);
    else
        sgemm_narrow(m, n, k, a_packed, b_panels, b_row_offsets, bias, out);
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
