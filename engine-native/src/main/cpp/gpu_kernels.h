// Point functions of the CUDA backend: each computes ONE output element for individual p.
// Compiled by nvcc as __device__ code and by the host compiler for the CPU emulation that the tests run
// where no GPU exists, so the indexing logic is checked everywhere.
//
// Device tensor layout of a slot: [P][B][C][H][W] where C is the dense channel count but only the first
// count(p) channels are live (compacted in the order of the individual's active-channel list).
#pragma once
#include <stdint.h>

#include "image_losses.h"

namespace emodir {

// Live channel list of one tensor: null idx = dense.
struct ChannelList {
    const int* idx = nullptr;  // [P][stride] compact -> channel
    const int* cnt = nullptr;  // [P]
    int stride = 0;
    int dense = 0;
    EMODIR_HD int count(int p) const { return cnt ? cnt[p] : dense; }
    EMODIR_HD int channel(int p, int compact) const { return idx ? idx[p * stride + compact] : compact; }
};

struct ConvPoint {
    float* dst;
    const float* src;
    const float* w;
    const float* bias;
    int64_t src_image, dst_image;  // floats per (p, b) image in each slot buffer
    int B, cin, h, w_, cout, ho, wo, k, s, pad;
    ChannelList in, out;
    EMODIR_HD void run(int p, int64_t i) const {
        const int x = int(i % wo), y = int(i / wo % ho), co = int(i / (int64_t(wo) * ho) % cout),
                  b = int(i / (int64_t(wo) * ho * cout));
        if (co >= out.count(p)) return;  // pruned output channel: no work at all
        const int oc = out.channel(p, co);
        const float* sb = src + (int64_t(p) * B + b) * src_image;
        float acc = bias[oc];
        const int nin = in.count(p);
        for (int ci = 0; ci < nin; ++ci) {
            const int ic = in.channel(p, ci);
            const float* wk = w + (int64_t(oc) * cin + ic) * k * k;
            const float* plane = sb + int64_t(ci) * h * w_;
            for (int ky = 0; ky < k; ++ky) {
                const int iy = y * s - pad + ky;
                if (iy < 0 || iy >= h) continue;
                for (int kx = 0; kx < k; ++kx) {
                    const int ix = x * s - pad + kx;
                    if (ix < 0 || ix >= w_) continue;
                    acc += wk[ky * k + kx] * plane[iy * w_ + ix];
                }
            }
        }
        dst[(int64_t(p) * B + b) * dst_image + (int64_t(co) * ho + y) * wo + x] = acc;
    }
};

struct ReluPoint {
    float* dst;
    const float* src;
    int64_t src_image, dst_image;
    int B, c, hw;
    ChannelList in;
    EMODIR_HD void run(int p, int64_t i) const {
        const int ch = int(i / hw % c);
        if (ch >= in.count(p)) return;
        const int64_t b = i / (int64_t(hw) * c), within = i % (int64_t(hw) * c);
        const float v = src[(int64_t(p) * B + b) * src_image + within];
        dst[(int64_t(p) * B + b) * dst_image + within] = v > 0.0f ? v : 0.0f;
    }
};

// dst += shortcut(src); indexed over the src's compact channels and the dst's spatial grid.
struct AddPoint {
    float* dst;
    const float* src;
    int64_t src_image, dst_image;
    int B, cin, hin, win, ho, wo, step, pad, compact_dst;
    ChannelList in;
    EMODIR_HD void run(int p, int64_t i) const {
        const int x = int(i % wo), y = int(i / wo % ho), ci = int(i / (int64_t(wo) * ho) % cin),
                  b = int(i / (int64_t(wo) * ho * cin));
        if (ci >= in.count(p)) return;
        const int dc = compact_dst ? ci : in.channel(p, ci) + pad;
        const float v = src[(int64_t(p) * B + b) * src_image + (int64_t(ci) * hin + y * step) * win + x * step];
        dst[(int64_t(p) * B + b) * dst_image + (int64_t(dc) * ho + y) * wo + x] += v;
    }
};

struct MaxPoolPoint {
    float* dst;
    const float* src;
    int64_t src_image, dst_image;
    int B, c, h, w_, ho, wo, k, s, pad;
    ChannelList in;
    EMODIR_HD void run(int p, int64_t i) const {
        const int x = int(i % wo), y = int(i / wo % ho), ch = int(i / (int64_t(wo) * ho) % c),
                  b = int(i / (int64_t(wo) * ho * c));
        if (ch >= in.count(p)) return;
        const float* plane = src + (int64_t(p) * B + b) * src_image + int64_t(ch) * h * w_;
        float m = -INFINITY;
        for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
                const int iy = y * s - pad + ky, ix = x * s - pad + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < w_ && plane[iy * w_ + ix] > m) m = plane[iy * w_ + ix];
            }
        dst[(int64_t(p) * B + b) * dst_image + (int64_t(ch) * ho + y) * wo + x] = m;
    }
};

// logits[p][b][o] = bias[o] + sum over live channels of w[o][c] * mean(src[c]).
struct HeadPoint {
    float* dst;
    const float* src;
    const float* w;
    const float* bias;
    int64_t src_image, dst_image;
    int B, cin, hw, classes;
    ChannelList in;
    EMODIR_HD void run(int p, int64_t i) const {
        const int o = int(i % classes), b = int(i / classes);
        const float* sb = src + (int64_t(p) * B + b) * src_image;
        float acc = bias[o];
        const int nin = in.count(p);
        for (int ci = 0; ci < nin; ++ci) {
            double s = 0.0;
            for (int j = 0; j < hw; ++j) s += sb[int64_t(ci) * hw + j];
            acc += w[int64_t(o) * cin + in.channel(p, ci)] * float(s / hw);
        }
        dst[(int64_t(p) * B + b) * dst_image + o] = acc;
    }
};

// Per (p, b) loss terms of the output slot; summed per individual on the host. A channel-pruned output
// (channels.idx set) is compared as its zero-expanded dense tensor: dropped channels contribute ref^2.
struct LossPoint {
    const float* out;
    const float* reference;  // [B][n] or null
    const int* labels;       // [B] or null (only with a head)
    double* sse;             // [P][B]
    double* ce;              // [P][B]
    int* correct;            // [P][B]
    int64_t image, n;
    int B;
    ChannelList channels;    // the output's live channels (dense: idx null)
    int64_t hw;              // floats per output channel
    EMODIR_HD void run(int p, int64_t b) const {
        const float* o = out + (int64_t(p) * B + b) * image;
        const int64_t k = int64_t(p) * B + b;
        if (reference)
            sse[k] = channels.idx ? squared_error_pruned(o, reference + b * n, channels.dense, long(hw),
                                                         channels.idx + int64_t(p) * channels.stride, channels.count(p))
                                  : squared_error(o, reference + b * n, long(n));
        if (labels) {
            int ok = 0;
            ce[k] = cross_entropy(o, int(n), labels[b], &ok);
            correct[k] = ok;
        }
    }
};

}  // namespace emodir
