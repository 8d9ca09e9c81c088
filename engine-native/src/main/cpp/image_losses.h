// Per-image loss terms shared by the CPU backend, the CUDA kernels and the host emulation of them.
#pragma once
#include <math.h>

#ifdef __CUDACC__
#define EMODIR_HD __host__ __device__
#else
#define EMODIR_HD
#endif

namespace emodir {

// Sum of squared differences over n floats (accumulated in double: n reaches 16k per image).
EMODIR_HD inline double squared_error(const float* out, const float* ref, long n) {
    double s = 0.0;
    for (long i = 0; i < n; ++i) {
        double d = double(out[i]) - double(ref[i]);
        s += d * d;
    }
    return s;
}

// squared_error of a channel-pruned output against the dense reference: `out` holds only the kept channels
// (dense channel idx[0..cnt), ascending, hw floats each), dropped channels count as zeros. Channels are
// walked in dense order, so the sum equals squared_error over the zero-expanded tensor bit for bit.
EMODIR_HD inline double squared_error_pruned(const float* out, const float* ref, int channels, long hw, const int* idx,
                                             int cnt) {
    double s = 0.0;
    int k = 0;
    for (int c = 0; c < channels; ++c) {
        const float* r = ref + long(c) * hw;
        if (k < cnt && idx[k] == c) {
            const float* o = out + long(k) * hw;
            for (long i = 0; i < hw; ++i) {
                double d = double(o[i]) - double(r[i]);
                s += d * d;
            }
            ++k;
        } else {
            for (long i = 0; i < hw; ++i) {
                double d = 0.0 - double(r[i]);
                s += d * d;
            }
        }
    }
    return s;
}

// Cross-entropy of one logit row against `label`; *correct = 1 when the first arg-max equals label.
EMODIR_HD inline double cross_entropy(const float* logits, int classes, int label, int* correct) {
    int best = 0;
    for (int i = 1; i < classes; ++i)
        if (logits[i] > logits[best]) best = i;
    double mx = logits[best], sum = 0.0;
    for (int i = 0; i < classes; ++i) sum += exp(double(logits[i]) - mx);
    *correct = best == label ? 1 : 0;
    return log(sum) + mx - double(logits[label]);
}

}  // namespace emodir
