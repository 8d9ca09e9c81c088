// Small single-threaded SGEMM for the conv layers: C[m][n] = bias[m] + sum_k A[m][k] * B[k][n].
#pragma once
#include <cstdint>

namespace emodir {

constexpr int kGemmMR = 6;   // rows of the register tile (packed A panel height)
constexpr int kGemmNR = 16;  // columns of the register tile (one AVX-512 vector, two AVX2 vectors)

// The m rows of A are split into ceil(m / kGemmMR) panels of near-equal height (8 rows: 4 + 4, not 6 + 2), so
// a pruned layer's last panel still has enough independent accumulators to hide the FMA latency.
struct RowPanel {
    int first, rows;
};
inline RowPanel row_panel(int m, int p) {
    const int panels = (m + kGemmMR - 1) / kGemmMR, base = m / panels, extra = m % panels;
    return {p * base + (p < extra ? p : extra), base + (p < extra ? 1 : 0)};
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

// C[m][n] = bias + A * B where B's kGemmNR-column panel p, row kk, is the 16 contiguous floats at
// b_panels[p] + b_row_offsets[kk]. Packed B: b_panels[p] = b + p * k * NR, offsets kk * NR. Implicit conv
// GEMM: b_panels[p] points into a zero-padded input plane, offsets select (channel, ky, kx), so no im2col.
// Every addressed 16-float run must be readable; only the first n columns are stored.
// c has m rows of stride ldc; bias may be null; relu clamps the stored values at 0 (a fused following ReLU).
// Dispatches at first call to AVX-512 (2 column panels per tile) / AVX2 / baseline.
void sgemm_gather(int m, int n, int k, const float* a_packed, const float* const* b_panels, const int* b_row_offsets,
                  const float* bias, float* c, int ldc, bool relu);

}  // namespace emodir
