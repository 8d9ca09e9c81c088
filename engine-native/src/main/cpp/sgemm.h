// Small single-threaded SGEMM for the conv layers: C[m][n] = bias[m] + sum_k A[m][k] * B[k][n].
#pragma once
#include <cstdint>
#include <cstring>

namespace emodir {

constexpr int kGemmMR = 8;   // rows of the register tile (packed A panel height)
constexpr int kGemmNR = 16;  // columns of the register tile (one AVX-512 vector, two AVX2 vectors)

// The m rows of A are split into ceil(m / kGemmMR) panels of near-equal height (11 rows: 6 + 5, not 8 + 3), so
// a pruned layer's last panel still has enough independent accumulators to hide the FMA latency.
struct RowPanel {
    int first, rows;
};
inline RowPanel row_panel(int m, int p) {
    const int panels = (m + kGemmMR - 1) / kGemmMR, base = m / panels, extra = m % panels;
    return {p * base + (p < extra ? p : extra), base + (p < extra ? 1 : 0)};
}

// The bf16 kernel's split: panels start at even rows (whole channel pairs, so a tile can store its rows as the
// pair-interleaved bf16 input of the next conv), near-equal in pairs; only the last panel of an odd m is odd.
inline RowPanel row_panel_pairs(int m, int p) {
    const int panels = (m + kGemmMR - 1) / kGemmMR, pairs = (m + 1) / 2, base = pairs / panels,
              extra = pairs % panels;
    const int first = 2 * (p * base + (p < extra ? p : extra)), np = base + (p < extra ? 1 : 0);
    return {first, 2 * np < m - first ? 2 * np : m - first};
}

// A register tile's row count as a template argument: runs T(8) ... T(1) for rows (1 to kGemmMR).
#define EMODIR_TILE_ROWS(rows, T) \
    switch (rows) {               \
        case 8: T(8); break;      \
        case 7: T(7); break;      \
        case 6: T(6); break;      \
        case 5: T(5); break;      \
        case 4: T(4); break;      \
        case 3: T(3); break;      \
        case 2: T(2); break;      \
        default: T(1); break;     \
    }
// The store combinations of a tile that writes something (mode bits: 1 residual, 2 ReLU, 4 dst, 8 the next conv's
// padded input): S(M) is a case label and its code; a mode without an output stores nothing.
#define EMODIR_STORE_MODES(mode, S)                                                  \
    switch (mode) {                                                                  \
        S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13) S(14) S(15) default : break; \
    }

// Packs rows of A into those panels, kGemmMR floats per k inside a panel (k-major), unused rows zero.
// a_at(i, k) supplies element (i, k). Returns the packed size in floats.
template <class At>
int64_t pack_a(int m, int k, float* packed, At a_at) {
    int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int p = 0; p < panels; ++p) {
        const RowPanel rp = row_panel(m, p);
        float* dst = packed + int64_t(p) * k * kGemmMR;
        for (int kk = 0; kk < k; ++kk)
            for (int r = 0; r < kGemmMR; ++r) dst[kk * kGemmMR + r] = r < rp.rows ? a_at(rp.first + r, kk) : 0.0f;
    }
    return int64_t(panels) * k * kGemmMR;
}

// Index of element (row kk, column j) of B packed in column panels of kGemmNR: [n/NR][k][NR]. Panel-major
// B keeps the kernel's loads contiguous; a row-major B with a power-of-two row stride (1024 floats for a
// 32x32 map) thrashes L1 sets and halves throughput.
inline int64_t packed_b_index(int k, int kk, int j) {
    return (int64_t(j / kGemmNR) * k + kk) * kGemmNR + j % kGemmNR;
}

// Floats of a packed B: k * round_up(n, kGemmNR); the padding columns must be readable (values unused).
inline int64_t packed_b_size(int n, int k) { return int64_t((n + kGemmNR - 1) / kGemmNR) * kGemmNR * k; }

// Where and how a GEMM stores C = bias + A * B (+ residual, then ReLU if relu):
//  - c (may be null): row i, column j at c + i * ldc + j; residual (null or laid out like c) is added to the sums
//    (a fused residual add) before the ReLU (a fused following ReLU). With keep_mask (a wide conv: columns
//    y * wpp + x, those with x >= wo dropped) only the columns whose bit is set in their panel's keep_mask[j / 16]
//    are stored, compacted: panel p's kept columns go to c + i * ldc + keep_start[p] + 0, 1, ... (the residual is
//    read the same way);
//  - pad / pad16 (may be null): the same values also (or only) into the zero-padded input of the next conv,
//    column j of row i at pad + i * ld_pad + pad_offsets[j / 16] + j % 16 (fp32, sgemm_gather), or in bf16 with
//    channel pairs interleaved (pad_planes_bf16's layout) at pad16 + (i / 2) * ld_pad + (pad_offsets[j / 16] +
//    j % 16) * 2 + i % 2 (sbgemm_gather; an odd m's last partner is 0).
struct GemmOut {
    float* c = nullptr;
    int ldc = 0;
    const float* residual = nullptr;
    bool relu = false;
    float* pad = nullptr;
    uint16_t* pad16 = nullptr;
    int64_t ld_pad = 0;
    const int64_t* pad_offsets = nullptr;
    const int64_t* keep_start = nullptr;
    const uint16_t* keep_mask = nullptr;
    // A wide conv without junk columns (row pitch = output width, e.g. a 1x1 conv): column j is output pixel j,
    // so the last columns may take the tail path of a row-exact map.
    bool exact_columns = false;
    // Instead of residual (sgemm_gather only): the residual read from a zero-padded layout like pad's, row i,
    // column j at residual_pad + i * ld_residual + residual_offsets[j / 16] + j % 16 (for a wide conv all 16
    // columns of a panel are read, the dropped ones land in the row gaps). The conv's output may be stored over it
    // in place (pad == residual_pad, same offsets): every element is read before the tile that owns it stores it.
    const float* residual_pad = nullptr;
    int64_t ld_residual = 0;
    const int64_t* residual_offsets = nullptr;
};

// C[m][n] = bias + A * B where B's kGemmNR-column panel p, row kk, is the 16 contiguous floats at
// b_panels[p] + b_row_offsets[kk]. Packed B: b_panels[p] = b + p * k * NR, offsets kk * NR. Implicit conv
// GEMM: b_panels[p] points into a zero-padded input plane, offsets select (channel, ky, kx), so no im2col.
// Every addressed 16-float run must be readable; only the first n columns are stored.
// bias may be null. Dispatches at first call to AVX-512 (2 column panels per tile) / AVX2 / baseline.
void sgemm_gather(int m, int n, int k, const float* a_packed, const float* const* b_panels, const int* b_row_offsets,
                  const float* bias, const GemmOut& out);

// ---- bf16 (issue 17) ----

// float -> bfloat16 bits, round to nearest even (what VCVTNEPS2BF16 does); NaN stays a quiet NaN.
inline uint16_t to_bf16(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return uint16_t(u >> 16);
}
// f rounded to the nearest bfloat16, as a float.
inline float round_bf16(float f) {
    const uint32_t u = uint32_t(to_bf16(f)) << 16;
    float r;
    std::memcpy(&r, &u, sizeof r);
    return r;
}

// True when the CPU has AVX512_BF16 (VDPBF16PS) and AVX512BW: sbgemm_gather and pad_planes_bf16 may run.
bool cpu_has_avx512_bf16();

// Packs A for sbgemm_gather: row panels of row_panel_pairs; step s holds k indices 2s and 2s + 1 of each row as one
// uint32 (bf16 of a_at(i, 2s) in the low half). a_at(i, kk) may be called with kk up to 2 * steps - 1.
template <class At>
int64_t pack_a_bf16(int m, int steps, uint32_t* packed, At a_at) {
    const int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int p = 0; p < panels; ++p) {
        const RowPanel rp = row_panel_pairs(m, p);
        uint32_t* dst = packed + int64_t(p) * steps * kGemmMR;
        for (int st = 0; st < steps; ++st)
            for (int r = 0; r < kGemmMR; ++r)
                dst[st * kGemmMR + r] = r < rp.rows ? uint32_t(to_bf16(a_at(rp.first + r, 2 * st))) |
                                                          uint32_t(to_bf16(a_at(rp.first + r, 2 * st + 1))) << 16
                                                    : 0u;
    }
    return int64_t(panels) * steps * kGemmMR;
}

// C = bias + A * B in fp32 from bf16 operands: B's panel p, step s is the 32 bf16 (16 columns x a k pair,
// pair-interleaved) at b_panels[p] + b_step_offsets[s]. Needs cpu_has_avx512_bf16().
void sbgemm_gather(int m, int n, int steps, const uint32_t* a_packed, const uint16_t* const* b_panels,
                   const int* b_step_offsets, const float* bias, const GemmOut& out);

// pad_planes in bf16 with channel pairs interleaved: element (ci, y, x) of the padded input is at
// ((ci / 2 * hp + y) * wp + x) * 2 + ci % 2; an odd last channel's partner is 0; the rest of col_elems is 0.
// Needs cpu_has_avx512_bf16().
void pad_planes_bf16(const float* src, uint16_t* col, int64_t col_elems, int nin, int h, int w, int hp, int wp,
                     int pad);

}  // namespace emodir
