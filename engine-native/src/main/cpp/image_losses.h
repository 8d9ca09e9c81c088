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
