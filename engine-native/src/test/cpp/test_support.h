// Shared by the ctests: a random ResNet-like program (identity, option-A and 1x1-conv shortcuts, maxpool,
// optional head) and a naive dense reference that prunes by zeroing channels, the textbook semantics.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "emodir_native.h"

namespace test {

struct Net {
    std::vector<emodir_op> ops;
    std::vector<float> weights;
    std::vector<int32_t> groups;
    int in_c = 8, in_h = 9, in_w = 9;
    int num_genes() const {
        int n = 0;
        for (int g : groups) n += g;
        return n;
    }
};

inline emodir_op make_op(int kind, int dst, int src, const char* name) {
    emodir_op op;
    std::memset(&op, 0, sizeof op);
    op.kind = kind;
    op.dst = dst;
    op.src = src;
    op.mask_group = -1;
    std::snprintf(op.name, sizeof op.name, "%s", name);
    return op;
}

class NetBuilder {
   public:
    explicit NetBuilder(unsigned seed) : rng_(seed) {}
    Net net;
    void conv(int dst, int src, int in_c, int out_c, int k, int s, int pad, bool masked, const char* name) {
        emodir_op op = make_op(EMODIR_OP_CONV, dst, src, name);
        op.in_c = in_c;
        op.out_c = out_c;
        op.kernel = k;
        op.stride = s;
        op.pad = pad;
        if (masked) {
            op.mask_group = int(net.groups.size());
            net.groups.push_back(out_c);
        }
        std::normal_distribution<float> n(0.0f, std::sqrt(2.0f / float(in_c * k * k)));
        op.weight_offset = int64_t(net.weights.size());
        for (int i = 0; i < out_c * in_c * k * k; ++i) net.weights.push_back(n(rng_));
        op.bias_offset = int64_t(net.weights.size());
        for (int i = 0; i < out_c; ++i) net.weights.push_back(0.1f * n(rng_));
        net.ops.push_back(op);
    }
    void relu(int slot) { net.ops.push_back(make_op(EMODIR_OP_RELU, slot, slot, "relu")); }
    void add(int dst, int src, int step, int pad) {
        emodir_op op = make_op(EMODIR_OP_ADD, dst, src, "add");
        op.stride = step;
        op.pad = pad;
        net.ops.push_back(op);
    }
    void maxpool(int dst, int src, int k, int s, int pad) {
        emodir_op op = make_op(EMODIR_OP_MAXPOOL, dst, src, "maxpool");
        op.kernel = k;
        op.stride = s;
        op.pad = pad;
        net.ops.push_back(op);
    }
    void head(int dst, int src, int in_c, int classes) {
        emodir_op op = make_op(EMODIR_OP_HEAD, dst, src, "fc");
        op.in_c = in_c;
        op.out_c = classes;
        std::normal_distribution<float> n(0.0f, 1.0f / std::sqrt(float(in_c)));
        op.weight_offset = int64_t(net.weights.size());
        for (int i = 0; i < classes * in_c; ++i) net.weights.push_back(n(rng_));
        op.bias_offset = int64_t(net.weights.size());
        for (int i = 0; i < classes; ++i) net.weights.push_back(0.1f * n(rng_));
        net.ops.push_back(op);
    }

   private:
    std::mt19937 rng_;
};

// Three blocks: identity shortcut, option-A shortcut (stride 2, channel pad), 1x1-conv shortcut. The default
// odd 9x9 input exercises the general im2col; 32x32 the whole-panel-row path (widths multiple of 16).
inline Net resnet_like(unsigned seed, bool with_head, int size = 9) {
    NetBuilder b(seed);
    b.net.in_h = b.net.in_w = size;
    b.conv(1, 0, 8, 8, 3, 1, 1, true, "block0.conv1");
    b.relu(1);
    b.conv(2, 1, 8, 8, 3, 1, 1, false, "block0.conv2");
    b.add(2, 0, 1, 0);
    b.relu(2);
    b.conv(3, 2, 8, 16, 3, 2, 1, true, "block1.conv1");
    b.relu(3);
    b.conv(4, 3, 16, 16, 3, 1, 1, false, "block1.conv2");
    b.add(4, 2, 2, 4);
    b.relu(4);
    b.conv(5, 4, 16, 12, 3, 2, 1, true, "block2.conv1");
    b.relu(5);
    b.conv(6, 5, 12, 24, 3, 1, 1, false, "block2.conv2");
    b.conv(7, 4, 16, 24, 1, 2, 0, false, "block2.shortcut");
    b.add(6, 7, 1, 0);
    b.relu(6);
    if (with_head) {
        b.maxpool(1, 6, 2, 1, 0);
        b.head(2, 1, 24, 10);
    }
    return b.net;
}

// VGG-like: every conv output prunable, the program ends with the pruned output of a prunable conv (then
// optionally a max-pool, which keeps the pruning): the output is reported zero-expanded to the dense width.
inline Net vgg_like(unsigned seed, bool pool_last, int size = 9) {
    NetBuilder b(seed);
    b.net.in_h = b.net.in_w = size;
    b.conv(1, 0, 8, 8, 3, 1, 1, true, "features.0");
    b.relu(1);
    b.conv(2, 1, 8, 12, 3, 1, 1, true, "features.3");
    b.relu(2);
    b.maxpool(3, 2, 2, 2, 0);
    b.conv(4, 3, 12, 16, 3, 1, 1, true, "features.7");
    b.relu(4);
    if (pool_last) b.maxpool(5, 4, 2, 2, 0);
    return b.net;
}

// Three stride-1 basic blocks in a row: a conv fused with the residual add (and ReLU, not in the last block) also
// writes the next block's conv1 input, conv1 writes only conv2's zero-padded input.
inline Net resnet_chain(unsigned seed, int size) {
    NetBuilder b(seed);
    b.net.in_h = b.net.in_w = size;
    b.conv(1, 0, 8, 8, 3, 1, 1, true, "block0.conv1");
    b.relu(1);
    b.conv(2, 1, 8, 8, 3, 1, 1, false, "block0.conv2");
    b.add(2, 0, 1, 0);
    b.relu(2);
    b.conv(1, 2, 8, 8, 3, 1, 1, true, "block1.conv1");
    b.relu(1);
    b.conv(3, 1, 8, 8, 3, 1, 1, false, "block1.conv2");
    b.add(3, 2, 1, 0);
    b.relu(3);
    b.conv(1, 3, 8, 11, 3, 1, 1, true, "block2.conv1");
    b.relu(1);
    b.conv(4, 1, 11, 8, 3, 1, 1, false, "block2.conv2");
    b.add(4, 3, 1, 0);
    return b.net;
}

// Two ResNet-50 bottlenecks: 1x1 (masked) -> 3x3 (masked) -> 1x1 expansion with a 1x1 downsample, then an identity
// block whose 1x1 conv1 reads the previous sum where it lies (the in-place 1x1 path: no handover, no copy). At
// 7x7 the last column panel takes the tail-column path, at 14x14 it reads past the last channel plane (the slot's
// slack), at 8x8 the wide-row path, at 16x16 row-exact panels.
inline Net bottleneck_chain(unsigned seed, int size) {
    NetBuilder b(seed);
    b.net.in_c = 16;
    b.net.in_h = b.net.in_w = size;
    b.conv(1, 0, 16, 8, 1, 1, 0, true, "block0.conv1");
    b.relu(1);
    b.conv(2, 1, 8, 8, 3, 1, 1, true, "block0.conv2");
    b.relu(2);
    b.conv(3, 2, 8, 32, 1, 1, 0, false, "block0.conv3");
    b.conv(4, 0, 16, 32, 1, 1, 0, false, "block0.downsample");
    b.add(3, 4, 1, 0);
    b.relu(3);
    b.conv(1, 3, 32, 8, 1, 1, 0, true, "block1.conv1");
    b.relu(1);
    b.conv(2, 1, 8, 8, 3, 1, 1, true, "block1.conv2");
    b.relu(2);
    b.conv(0, 2, 8, 32, 1, 1, 0, false, "block1.conv3");  // over the input slot, with a larger map
    b.add(0, 3, 1, 0);
    b.relu(0);
    return b.net;
}

// Conv geometries beyond ResNet basic blocks, for the implicit GEMM over stride phases: a 7x7 stride-2 stem,
// 3x3 stride 2, a 3x3 "valid" conv (pad 0), a 1x1 stride-2 projection, a 5x5 and a 3x3 stride-3 conv.
inline Net geometry_like(unsigned seed, int size) {
    NetBuilder b(seed);
    b.net.in_c = 3;
    b.net.in_h = b.net.in_w = size;
    b.conv(1, 0, 3, 8, 7, 2, 3, true, "stem");
    b.relu(1);
    b.conv(2, 1, 8, 12, 3, 2, 1, true, "down");
    b.relu(2);
    b.conv(3, 2, 12, 10, 3, 1, 0, true, "valid");
    b.relu(3);
    b.conv(4, 3, 10, 16, 1, 2, 0, false, "proj");
    b.conv(5, 4, 16, 9, 5, 1, 2, true, "five");
    b.relu(5);
    b.conv(6, 5, 9, 8, 3, 3, 1, false, "s3");
    return b.net;
}

struct Tensor {
    int c = 0, h = 0, w = 0;
    std::vector<float> v;
    float& at(int ch, int y, int x) { return v[(size_t(ch) * h + y) * w + x]; }
};

// Dense forward of one image; a masked conv's pruned channels are set to zero (bias included).
// bf16: every conv product uses its weight and input value rounded to bfloat16 (nearest even), the sums stay wide,
// which is what EMODIR_PRECISION_BF16 promises.
inline float bf16_rounded(float f) {
    uint32_t u;
    std::memcpy(&u, &f, sizeof u);
    const uint32_t lsb = (u >> 16) & 1u;
    u = (u + 0x7fffu + lsb) & 0xffff0000u;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline std::vector<float> naive_forward(const Net& net, const uint8_t* genes, const float* image, bool bf16 = false) {
    auto q = [bf16](float f) { return bf16 ? bf16_rounded(f) : f; };
    Tensor slots[EMODIR_MAX_SLOTS];
    slots[0] = {net.in_c, net.in_h, net.in_w, std::vector<float>(image, image + net.in_c * net.in_h * net.in_w)};
    std::vector<int> offsets;
    int off = 0;
    for (int g : net.groups) {
        offsets.push_back(off);
        off += g;
    }
    for (const emodir_op& op : net.ops) {
        Tensor src = slots[op.src];
        const float* w = net.weights.data() + op.weight_offset;
        const float* bias = net.weights.data() + op.bias_offset;
        Tensor out;
        if (op.kind == EMODIR_OP_CONV) {
            int ho = (src.h + 2 * op.pad - op.kernel) / op.stride + 1, wo = (src.w + 2 * op.pad - op.kernel) / op.stride + 1;
            out = {op.out_c, ho, wo, std::vector<float>(size_t(op.out_c) * ho * wo)};
            for (int o = 0; o < op.out_c; ++o)
                for (int y = 0; y < ho; ++y)
                    for (int x = 0; x < wo; ++x) {
                        double acc = bias[o];
                        for (int i = 0; i < op.in_c; ++i)
                            for (int ky = 0; ky < op.kernel; ++ky)
                                for (int kx = 0; kx < op.kernel; ++kx) {
                                    int iy = y * op.stride - op.pad + ky, ix = x * op.stride - op.pad + kx;
                                    if (iy < 0 || iy >= src.h || ix < 0 || ix >= src.w) continue;
                                    acc += double(q(w[((o * op.in_c + i) * op.kernel + ky) * op.kernel + kx])) *
                                           q(src.at(i, iy, ix));
                                }
                        bool kept = op.mask_group < 0 || genes[offsets[op.mask_group] + o];
                        out.at(o, y, x) = kept ? float(acc) : 0.0f;
                    }
        } else if (op.kind == EMODIR_OP_RELU) {
            out = src;
            for (float& f : out.v) f = f > 0 ? f : 0;
        } else if (op.kind == EMODIR_OP_ADD) {
            out = slots[op.dst];
            for (int c = 0; c < src.c; ++c)
                for (int y = 0; y < out.h; ++y)
                    for (int x = 0; x < out.w; ++x) out.at(c + op.pad, y, x) += src.at(c, y * op.stride, x * op.stride);
        } else if (op.kind == EMODIR_OP_MAXPOOL) {
            int ho = (src.h + 2 * op.pad - op.kernel) / op.stride + 1, wo = (src.w + 2 * op.pad - op.kernel) / op.stride + 1;
            out = {src.c, ho, wo, std::vector<float>(size_t(src.c) * ho * wo)};
            for (int c = 0; c < src.c; ++c)
                for (int y = 0; y < ho; ++y)
                    for (int x = 0; x < wo; ++x) {
                        float m = -INFINITY;
                        for (int ky = 0; ky < op.kernel; ++ky)
                            for (int kx = 0; kx < op.kernel; ++kx) {
                                int iy = y * op.stride - op.pad + ky, ix = x * op.stride - op.pad + kx;
                                if (iy >= 0 && iy < src.h && ix >= 0 && ix < src.w) m = std::fmax(m, src.at(c, iy, ix));
                            }
                        out.at(c, y, x) = m;
                    }
        } else if (op.kind == EMODIR_OP_HEAD) {
            out = {op.out_c, 1, 1, std::vector<float>(size_t(op.out_c))};
            for (int o = 0; o < op.out_c; ++o) {
                double acc = bias[o];
                for (int c = 0; c < src.c; ++c) {
                    double s = 0;
                    for (int i = 0; i < src.h * src.w; ++i) s += src.v[size_t(c) * src.h * src.w + i];
                    acc += double(w[o * op.in_c + c]) * s / (src.h * src.w);
                }
                out.v[o] = float(acc);
            }
        }
        slots[op.dst] = out;
    }
    return slots[net.ops.back().dst].v;
}

inline std::vector<uint8_t> random_masks(std::mt19937& rng, int population, int genes, double keep) {
    std::bernoulli_distribution b(keep);
    std::vector<uint8_t> m(size_t(population) * genes);
    for (auto& x : m) x = b(rng) ? 1 : 0;
    return m;
}

// Forces at least one kept channel per group so random masks are valid individuals.
inline void ensure_nonempty(const Net& net, std::vector<uint8_t>& masks, int population) {
    const int genes = net.num_genes();
    for (int p = 0; p < population; ++p) {
        int off = 0;
        for (size_t g = 0; g < net.groups.size(); ++g) {
            bool any = false;
            for (int c = 0; c < net.groups[g]; ++c) any |= masks[size_t(p) * genes + off + c] != 0;
            if (!any) masks[size_t(p) * genes + off + (p % net.groups[g])] = 1;
            off += net.groups[g];
        }
    }
}

inline int failures = 0;
inline void expect(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what.c_str());
        ++failures;
    }
}

inline bool close(double a, double b, double rel, double abs_floor) {
    return std::fabs(a - b) <= rel * std::fmax(std::fabs(b), abs_floor);
}

}  // namespace test
