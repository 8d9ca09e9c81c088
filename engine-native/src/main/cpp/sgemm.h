// Small single-threaded SGEMM for the conv layers: C[m][n] = bias[m] + sum_k A[m][k] * B[k][n].
#pragma once
#include <cstdint>

namespace emodir {

constexpr int kGemmMR = 6;   // rows of the register tile (packed A panel height)
constexpr int kGemmNR = 16;  // columns of the register tile (one AVX-512 vector, two AVX2 vectors)

// Packs rows of A into panels of kGemmMR rows, k-major inside a panel; rows past m are zero.
// a_at(i, k) supplies element (i, k). Returns the packed size in floats.
template <class At>
int64_t pack_a(int m, int k, float* packed, At a_at) {
    int panels = (m + kGemmMR - 1) / kGemmMR;
    for (int p = 0; p < panels; ++p) {
        float* dst = packed + int64_t(p) * k * kGemmMR;
        for (int kk = 0; kk < k; ++kk)
            for (int r = 0; r < kGemmMR; ++r) {
                int i = p * kGemmMR + r;
                dst[kk * kGemmMR + r] = i < m ? a_at(i, kk) : 0.0f;
            }
    }
    return int64_t(panels) * k * kGemmMR;
}

// b has k rows of stride ldb >= round_up(n, kGemmNR) whose padding columns are readable.
// c has m rows of stride ldc; bias may be null. Dispatches at load time to AVX-512 / AVX2 / baseline.
void sgemm_packed(int m, int n, int k, const float* a_packed, const float* b, int ldb, const float* bias, float* c,
                  int ldc);

}  // namespace emodir
