// CPU backend: every individual runs the program on compacted tensors holding only its kept channels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <sstream>
#include <vector>

#include <cstdint>

#include "image_losses.h"
#include "program.h"
#include "sgemm.h"
#include "thread_pool.h"

namespace emodir {
namespace {

// One individual's view of the program: the live-channel list of every op input/output.
struct IndividualPlan {
    ActiveChannels active;
    const std::vector<int>* list(int group) const { return group < 0 ? nullptr : &active.per_group[group]; }
    int count(int group, int dense) const { return group < 0 ? dense : int(active.per_group[group].size()); }
};

inline int channel_of(const std::vector<int>* list, int compact) { return list ? (*list)[compact] : compact; }

struct WideBounds {
    int64_t padded = 0, cols = 0;  // floats: padded input (with slack), GEMM output (out_c x columns)
    int64_t bf16_padded = 0;       // uint16: pair-interleaved bf16 padded input of the VDPBF16PS path
    int64_t bf16_packed = 0;       // uint32: all packed bf16 weights of one individual
};
WideBounds wide_bounds(const Program& prog);

// How a conv computes: fp32; bf16 on VDPBF16PS; or bf16-rounded operands through the fp32 kernel (emulated).
enum class ConvMath { kFp32, kBf16, kBf16Emulated };
ConvMath conv_math(const Program& prog, const OpInfo& oi);

// Per-thread scratch, sized once from the program's dense bounds.
struct Scratch {
    std::vector<float> slots[EMODIR_MAX_SLOTS];
    std::vector<float> col;                   // im2col matrix or zero-padded input (implicit GEMM)
    std::vector<float> wide;                  // GEMM output of a wide-row conv before its pad columns are dropped
    std::vector<const float*> panels;         // sgemm_gather's B panel bases
    std::vector<int> offsets;                 // sgemm_gather's B row offsets
    std::vector<std::vector<float>> packed;  // per op: packed gathered conv weights
    std::vector<std::vector<float>> bias;    // per op: gathered bias
    std::vector<std::vector<uint32_t>> packed16;  // per op: packed bf16 weight pairs (ConvMath::kBf16)
    std::vector<uint16_t> col16;                  // pair-interleaved bf16 padded input (ConvMath::kBf16)
    std::vector<const uint16_t*> panels16;
    void init(const Program& prog) {
        packed16.resize(prog.ops.size());
        col16.assign(size_t(wide_bounds(prog).bf16_padded), 0);
        for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) slots[s].resize(size_t(prog.max_slot_size[s]));
        col.assign(size_t(std::max(prog.max_col_size, wide_bounds(prog).padded)), 0.0f);
        wide.resize(size_t(wide_bounds(prog).cols));
        packed.resize(prog.ops.size());
        bias.resize(prog.ops.size());
    }
};

void pack_conv(const Program& prog, const OpInfo& oi, const IndividualPlan& plan, std::vector<float>& packed,
               std::vector<float>& bias, std::vector<uint32_t>& packed16) {
    const emodir_op& op = oi.op;
    const int nin = plan.count(oi.in_group, oi.in.c), nout = plan.count(op.mask_group, op.out_c);
    const auto* in_list = plan.list(oi.in_group);
    const auto* out_list = plan.list(op.mask_group);
    const int k2 = op.kernel * op.kernel, kdim = nin * k2;
    const float* w = prog.weights + op.weight_offset;
    const int panels = (nout + kGemmMR - 1) / kGemmMR;
    const ConvMath math = conv_math(prog, oi);
    if (math == ConvMath::kBf16) {
        // Step s = (pair cp, ky, kx); its k pair is channels 2cp and 2cp + 1 (0 past nin) at the same tap.
        const int steps = (nin + 1) / 2 * k2;
        packed16.resize(size_t(panels) * steps * kGemmMR);
        pack_a_bf16(nout, steps, packed16.data(), [&](int i, int kk) {
            const int st = kk / 2, ci = st / k2 * 2 + kk % 2;
            if (ci >= nin) return 0.0f;
            return w[(int64_t(channel_of(out_list, i)) * op.in_c + channel_of(in_list, ci)) * k2 + st % k2];
        });
    } else {
        const bool round = math == ConvMath::kBf16Emulated;
        packed.resize(size_t(panels) * kdim * kGemmMR);
        pack_a(nout, kdim, packed.data(), [&](int i, int kk) {
            int oc = channel_of(out_list, i), ic = channel_of(in_list, kk / k2);
            const float v = w[(int64_t(oc) * op.in_c + ic) * k2 + kk % k2];
            return round ? round_bf16(v) : v;
        });
    }
    bias.resize(size_t(nout));
    for (int i = 0; i < nout; ++i) bias[i] = prog.weights[op.bias_offset + channel_of(out_list, i)];
}

void im2col_any(int nin, int h, int w, int ho, int wo, int k, int s, int pad, int kdim, const float* src, float* col);

bool same_stride1(const OpInfo& oi) { return oi.op.stride == 1 && 2 * oi.op.pad == oi.op.kernel - 1; }

// Stride-1 "same" convs whose output rows are whole panels run as an implicit GEMM over a zero-padded copy
// of the input: panel (y, x0) row (ci, ky, kx) is padded[ci][y + ky][x0 + kx ...], 16 contiguous floats.
bool implicit_gemm_fits(const OpInfo& oi) { return same_stride1(oi) && oi.out.w % kGemmNR == 0; }

// Other stride-1 "same" convs (8x8 maps: ResNet-56 stage 3, 14x14, 7x7) run the implicit GEMM over the padded
// plane flattened row by row: column q = y * wp + x reads padded[q + ky * wp + kx], so every 16-column panel is
// contiguous and no im2col is needed. Columns with x >= wo (the pad positions, 2 of every wp) are computed and
// dropped while copying the rows out: 20% waste at 8x8 instead of an im2col pass that cost more than the GEMM.
bool wide_gemm_fits(const OpInfo& oi) { return same_stride1(oi) && !implicit_gemm_fits(oi); }

struct WideGeometry {
    int hp, wp;
    int64_t padded, cols;  // floats of the padded input incl. tail slack; GEMM columns (round_up(ho * wp, NR))
};
WideGeometry wide_geometry(const OpInfo& oi, int nin) {
    const int hp = oi.in.h + 2 * oi.op.pad, wp = oi.in.w + 2 * oi.op.pad;
    const int64_t cols = (int64_t(oi.out.h) * wp + kGemmNR - 1) / kGemmNR * kGemmNR;
    // The last panel of the last channel reads up to (k - 1) * (wp + 1) + cols - 1 past that channel's start.
    const int64_t padded = int64_t(nin) * hp * wp + kGemmNR + int64_t(oi.op.kernel) * (wp + 1);
    return {hp, wp, padded, cols};
}

// Zero-padded copy of src's nin planes into col with row stride wp, plane stride hp * wp, then zeros up to
// col_floats. Only the pad ring is cleared (the buffer is shared by convs of other layouts, so it is dirty).
void pad_planes(const float* src, float* col, int64_t col_floats, int nin, int h, int w, int hp, int wp, int pad) {
    const int right = wp - w - pad;
    for (int ci = 0; ci < nin; ++ci) {
        float* plane = col + int64_t(ci) * hp * wp;
        std::fill(plane, plane + int64_t(pad) * wp, 0.0f);
        for (int y = 0; y < h; ++y) {
            float* row = plane + int64_t(y + pad) * wp;
            std::fill(row, row + pad, 0.0f);
            std::memcpy(row + pad, src + (int64_t(ci) * h + y) * w, sizeof(float) * size_t(w));
            std::fill(row + pad + w, row + pad + w + right, 0.0f);
        }
        std::fill(plane + int64_t(pad + h) * wp, plane + int64_t(hp) * wp, 0.0f);
    }
    std::fill(col + int64_t(nin) * hp * wp, col + col_floats, 0.0f);
}

int64_t bf16_padded_elems(const OpInfo& oi, int nin) {
    const int hp = oi.in.h + 2 * oi.op.pad, wp = oi.in.w + 2 * oi.op.pad;
    return (int64_t((nin + 1) / 2) * hp * wp + kGemmNR + int64_t(oi.op.kernel) * (wp + 1)) * 2;
}

void round_to_bf16(float* v, int64_t n) {
    for (int64_t i = 0; i < n; ++i) v[i] = round_bf16(v[i]);
}

// relu: a ReLU that followed the conv in place is applied in the GEMM's store (the op itself is skipped).
void conv_image(const Program& prog, const OpInfo& oi, int nin, int nout, const float* src, float* dst, Scratch& sc,
                int op_index, bool relu) {
    const emodir_op& op = oi.op;
    const int h = oi.in.h, w = oi.in.w, ho = oi.out.h, wo = oi.out.w, k = op.kernel, s = op.stride, pad = op.pad;
    const int n = ho * wo, kdim = nin * k * k;
    const ConvMath math = conv_math(prog, oi);
    float* col = sc.col.data();
    sc.offsets.resize(size_t(kdim));
    const float* a = sc.packed[op_index].data();
    const float* bias = sc.bias[op_index].data();
    if (same_stride1(oi)) {
        // Implicit GEMM over the zero-padded input: whole-row panels (wo a multiple of 16) or wide rows.
        const bool wide = wide_gemm_fits(oi);
        const int hp = h + 2 * pad, wp = w + 2 * pad;
        const int64_t cols = wide ? wide_geometry(oi, nin).cols : n;
        const int panels = int((cols + kGemmNR - 1) / kGemmNR);
        auto panel_pixel = [&](int p) {  // offset of panel p's first column in a padded plane
            return wide ? int64_t(p) * kGemmNR : int64_t(p * kGemmNR / wo) * wp + p * kGemmNR % wo;
        };
        float* out = wide ? sc.wide.data() : dst;
        if (math == ConvMath::kBf16) {
            uint16_t* col16 = sc.col16.data();
            pad_planes_bf16(src, col16, bf16_padded_elems(oi, nin), nin, h, w, hp, wp, pad);
            const int steps = (nin + 1) / 2 * k * k;
            sc.offsets.resize(size_t(std::max(kdim, steps)));
            for (int cp = 0; cp < (nin + 1) / 2; ++cp)
                for (int ky = 0; ky < k; ++ky)
                    for (int kx = 0; kx < k; ++kx) sc.offsets[(cp * k + ky) * k + kx] = ((cp * hp + ky) * wp + kx) * 2;
            sc.panels16.resize(size_t(panels));
            for (int p = 0; p < panels; ++p) sc.panels16[p] = col16 + panel_pixel(p) * 2;
            sbgemm_gather(nout, int(cols), steps, sc.packed16[op_index].data(), sc.panels16.data(), sc.offsets.data(),
                          bias, out, int(cols), relu);
        } else {
            const int64_t padded = wide ? wide_geometry(oi, nin).padded : int64_t(nin) * hp * wp;
            pad_planes(src, col, padded, nin, h, w, hp, wp, pad);
            if (math == ConvMath::kBf16Emulated) round_to_bf16(col, int64_t(nin) * hp * wp);
            for (int ci = 0; ci < nin; ++ci)
                for (int ky = 0; ky < k; ++ky)
                    for (int kx = 0; kx < k; ++kx) sc.offsets[(ci * k + ky) * k + kx] = (ci * hp + ky) * wp + kx;
            sc.panels.resize(size_t(panels));
            for (int p = 0; p < panels; ++p) sc.panels[p] = col + panel_pixel(p);
            sgemm_gather(nout, int(cols), kdim, a, sc.panels.data(), sc.offsets.data(), bias, out, int(cols), relu);
        }
        if (wide)
            for (int o = 0; o < nout; ++o)
                for (int y = 0; y < ho; ++y)
                    std::memcpy(dst + (int64_t(o) * ho + y) * wo, out + o * cols + int64_t(y) * wp,
                                sizeof(float) * size_t(wo));
        return;
    }
    const int panels = (n + kGemmNR - 1) / kGemmNR;
    sc.panels.resize(size_t(panels));
    im2col_any(nin, h, w, ho, wo, k, s, pad, kdim, src, col);
    if (math == ConvMath::kBf16Emulated) round_to_bf16(col, int64_t(panels) * kdim * kGemmNR);
    for (int kk = 0; kk < kdim; ++kk) sc.offsets[kk] = kk * kGemmNR;
    for (int p = 0; p < panels; ++p) sc.panels[p] = col + int64_t(p) * kdim * kGemmNR;
    sgemm_gather(nout, n, kdim, a, sc.panels.data(), sc.offsets.data(), bias, dst, n, relu);
}

ConvMath conv_math(const Program& prog, const OpInfo& oi) {
    if (prog.precision != EMODIR_PRECISION_BF16) return ConvMath::kFp32;
    static const bool hardware = cpu_has_avx512_bf16();
    return hardware && same_stride1(oi) ? ConvMath::kBf16 : ConvMath::kBf16Emulated;
}

WideBounds wide_bounds(const Program& prog) {
    WideBounds b;
    for (const OpInfo& oi : prog.ops) {
        if (oi.op.kind != EMODIR_OP_CONV) continue;
        if (wide_gemm_fits(oi)) {
            const WideGeometry g = wide_geometry(oi, oi.in.c);
            b.padded = std::max(b.padded, g.padded);
            b.cols = std::max(b.cols, int64_t(oi.op.out_c) * g.cols);
        }
        if (conv_math(prog, oi) == ConvMath::kBf16) {
            b.bf16_padded = std::max(b.bf16_padded, bf16_padded_elems(oi, oi.in.c));
            const int64_t steps = int64_t(oi.in.c + 1) / 2 * oi.op.kernel * oi.op.kernel;
            b.bf16_packed += int64_t((oi.op.out_c + kGemmMR - 1) / kGemmMR) * kGemmMR * steps;
        }
    }
    return b;
}

// General im2col straight into sgemm's panel-major B layout: column n = y * wo + x of row kk lives at
// col[((n / NR) * kdim + kk) * NR + n % NR]; d walks it with a lane counter instead of divisions.
void im2col_any(int nin, int h, int w, int ho, int wo, int k, int s, int pad, int kdim, const float* src, float* col) {
    for (int ci = 0; ci < nin; ++ci)
        for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
                const int kk = (ci * k + ky) * k + kx;
                const float* plane = src + int64_t(ci) * h * w;
                float* d = col + int64_t(kk) * kGemmNR;
                int lane = 0;
                for (int y = 0; y < ho; ++y) {
                    const int iy = y * s - pad + ky;
                    const bool row_inside = iy >= 0 && iy < h;
                    for (int x = 0; x < wo; ++x) {
                        const int ix = x * s - pad + kx;
                        *d++ = (row_inside && ix >= 0 && ix < w) ? plane[int64_t(iy) * w + ix] : 0.0f;
                        if (++lane == kGemmNR) {
                            lane = 0;
                            d += int64_t(kdim - 1) * kGemmNR;
                        }
                    }
                }
            }
}

void maxpool_image(const OpInfo& oi, int channels, const float* src, float* dst) {
    const emodir_op& op = oi.op;
    for (int c = 0; c < channels; ++c)
        for (int y = 0; y < oi.out.h; ++y)
            for (int x = 0; x < oi.out.w; ++x) {
                float m = -std::numeric_limits<float>::infinity();
                for (int ky = 0; ky < op.kernel; ++ky)
                    for (int kx = 0; kx < op.kernel; ++kx) {
                        int iy = y * op.stride - op.pad + ky, ix = x * op.stride - op.pad + kx;
                        if (iy >= 0 && iy < oi.in.h && ix >= 0 && ix < oi.in.w)
                            m = std::max(m, src[(int64_t(c) * oi.in.h + iy) * oi.in.w + ix]);
                    }
                dst[(int64_t(c) * oi.out.h + y) * oi.out.w + x] = m;
            }
}

// relu: clamp the sums at 0 (a following in-place ReLU; only when the add covers every dst channel).
void add_image(const OpInfo& oi, const IndividualPlan& plan, const float* src, float* dst, bool relu) {
    const emodir_op& op = oi.op;
    const int step = op.stride <= 0 ? 1 : op.stride;
    const int nin = plan.count(oi.in_group, oi.in.c);
    const auto* in_list = plan.list(oi.in_group);
    const bool compact_dst = oi.out_group >= 0;  // same group as src: compact indices line up
    const int ho = oi.out.h, wo = oi.out.w;
    for (int ci = 0; ci < nin; ++ci) {
        const int dc = compact_dst ? ci : channel_of(in_list, ci) + op.pad;
        float* d = dst + int64_t(dc) * ho * wo;
        const float* sp = src + int64_t(ci) * oi.in.h * oi.in.w;
        if (step == 1) {
            for (int j = 0; j < ho * wo; ++j) {
                const float v = d[j] + sp[j];
                d[j] = relu && v < 0.0f ? 0.0f : v;
            }
            continue;
        }
        for (int y = 0; y < ho; ++y)
            for (int x = 0; x < wo; ++x) {
                const float v = d[y * wo + x] + sp[int64_t(y * step) * oi.in.w + x * step];
                d[y * wo + x] = relu && v < 0.0f ? 0.0f : v;
            }
    }
    if (!relu) return;
    // Channels the shortcut does not reach (a pruned src in a dense dst) still need the ReLU.
    const int nout = plan.count(oi.out_group, oi.out.c);
    if (nin == nout) return;
    std::vector<char> touched(size_t(nout), 0);
    for (int ci = 0; ci < nin; ++ci) touched[size_t(compact_dst ? ci : channel_of(in_list, ci))] = 1;
    for (int c = 0; c < nout; ++c)
        if (!touched[size_t(c)])
            for (int j = 0; j < ho * wo; ++j) dst[int64_t(c) * ho * wo + j] = std::max(dst[int64_t(c) * ho * wo + j], 0.0f);
}

void head_image(const Program& prog, const OpInfo& oi, const IndividualPlan& plan, const float* src, float* dst) {
    const emodir_op& op = oi.op;
    const int nin = plan.count(oi.in_group, oi.in.c);
    const auto* in_list = plan.list(oi.in_group);
    const int hw = oi.in.h * oi.in.w;
    std::vector<float> pooled(static_cast<size_t>(nin));
    for (int ci = 0; ci < nin; ++ci) {
        double s = 0.0;
        for (int i = 0; i < hw; ++i) s += src[int64_t(ci) * hw + i];
        pooled[ci] = float(s / hw);
    }
    const float* w = prog.weights + op.weight_offset;
    for (int o = 0; o < op.out_c; ++o) {
        float acc = prog.weights[op.bias_offset + o];
        for (int ci = 0; ci < nin; ++ci) acc += w[int64_t(o) * op.in_c + channel_of(in_list, ci)] * pooled[ci];
        dst[o] = acc;
    }
}

// True when op i + 1 is a ReLU in place on op i's output: the producer clamps while storing and the ReLU is skipped.
bool relu_follows(const Program& prog, size_t i) {
    if (i + 1 >= prog.ops.size()) return false;
    const emodir_op& next = prog.ops[i + 1].op;
    return next.kind == EMODIR_OP_RELU && next.src == prog.ops[i].op.dst && next.dst == next.src;
}

// Runs the program for one individual on one image; returns the output slot's data.
const float* run_image(const Program& prog, const IndividualPlan& plan, const float* image, Scratch& sc) {
    std::memcpy(sc.slots[0].data(), image, sizeof(float) * size_t(prog.input.size()));
    for (size_t i = 0; i < prog.ops.size(); ++i) {
        const OpInfo& oi = prog.ops[i];
        const emodir_op& op = oi.op;
        const float* src = sc.slots[op.src].data();
        float* dst = sc.slots[op.dst].data();
        const int nin = plan.count(oi.in_group, oi.in.c);
        switch (op.kind) {
            case EMODIR_OP_CONV: {
                const bool relu = relu_follows(prog, i);
                conv_image(prog, oi, nin, plan.count(op.mask_group, op.out_c), src, dst, sc, int(i), relu);
                i += relu ? 1 : 0;
                break;
            }
            case EMODIR_OP_RELU: {
                const int64_t n = int64_t(nin) * oi.in.h * oi.in.w;
                for (int64_t j = 0; j < n; ++j) dst[j] = src[j] > 0.0f ? src[j] : 0.0f;
                break;
            }
            case EMODIR_OP_ADD: {
                // The residual add touches every output channel unless it zero-pads channels (option A).
                const bool relu = relu_follows(prog, i) && op.pad == 0;
                add_image(oi, plan, src, dst, relu);
                i += relu ? 1 : 0;
                break;
            }
            case EMODIR_OP_MAXPOOL:
                maxpool_image(oi, nin, src, dst);
                break;
            case EMODIR_OP_HEAD:
                head_image(prog, oi, plan, src, dst);
                break;
        }
    }
    return sc.slots[prog.output_slot].data();
}

// Writes the compacted channels of `list` (ascending dense indices) to their dense places, zeros elsewhere.
void expand_channels(const float* compact, float* dense, int channels, int64_t hw, const std::vector<int>& list) {
    std::fill(dense, dense + int64_t(channels) * hw, 0.0f);
    for (size_t k = 0; k < list.size(); ++k)
        std::memcpy(dense + int64_t(list[k]) * hw, compact + int64_t(k) * hw, sizeof(float) * size_t(hw));
}

// Per-image losses, summed in image order afterwards so that an individual's objectives do not depend on
// how the call was split into threads, batch chunks or population chunks (bit-identical across splits).
struct ImageLoss {
    double sse = 0.0, ce = 0.0;
    int correct = 0;
};

// Bytes of one thread's Scratch at its dense bounds: slots, im2col, packed weights and biases of every conv,
// and sgemm_gather's panel/offset tables of the largest conv.
int64_t scratch_bytes_per_thread(const Program& prog) {
    const WideBounds wb = wide_bounds(prog);
    int64_t floats = std::max(prog.max_col_size, wb.padded) + wb.cols + (wb.bf16_padded + 1) / 2 + wb.bf16_packed,
            tables = 0;
    for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) floats += prog.max_slot_size[s];
    for (const OpInfo& oi : prog.ops) {
        if (oi.op.kind != EMODIR_OP_CONV) continue;
        const int64_t kdim = int64_t(oi.op.in_c) * oi.op.kernel * oi.op.kernel;
        floats += int64_t((oi.op.out_c + kGemmMR - 1) / kGemmMR) * kGemmMR * kdim + oi.op.out_c;
        const int64_t panels = wide_gemm_fits(oi) ? wide_geometry(oi, oi.in.c).cols / kGemmNR
                                                  : (int64_t(oi.out.h) * oi.out.w + kGemmNR - 1) / kGemmNR;
        tables = std::max(tables, panels * int64_t(sizeof(const float*)) + kdim * int64_t(sizeof(int)));
    }
    return floats * int64_t(sizeof(float)) + tables;
}

}  // namespace
}  // namespace emodir

using namespace emodir;

// outputs (population * batch * output_size floats) is optional: the forward API copies every image's output.
static int evaluate(const Program* prog, const uint8_t* masks, int32_t population, const float* input, int32_t batch,
                    const float* reference, const int32_t* labels, int32_t threads, float* objectives,
                    float* outputs) {
    if (threads <= 0) {
        set_last_error("emodir_cpu_evaluate: threads must be positive, got " + std::to_string(threads));
        return EMODIR_ERR_INVALID_ARGUMENT;
    }
    const int status = run_guarded("emodir_cpu_evaluate", EMODIR_ERR_INVALID_ARGUMENT, "out of memory", [&] {
        std::vector<ActiveChannels> active;
        const int rc = prepare_population("emodir_cpu_evaluate", prog, masks, population, input, batch, labels,
                                          objectives, active);
        if (rc != EMODIR_OK) return rc;
        std::vector<IndividualPlan> plans(static_cast<size_t>(population));
        for (int p = 0; p < population; ++p) plans[p].active = std::move(active[p]);
        // Split each individual's batch into chunks so that small populations still feed every thread.
        const int chunks_per_ind = std::max(1, std::min<int>(batch, (4 * threads + population - 1) / population));
        const int chunk = (batch + chunks_per_ind - 1) / chunks_per_ind;
        const int items = population * chunks_per_ind;
        std::vector<ImageLoss> losses(size_t(population) * size_t(batch));
        std::vector<Scratch> scratch(static_cast<size_t>(threads));
        const int64_t in_size = prog->input.size(), out_size = prog->output.size();
        // A channel-pruned output is compacted in the slot; it is reported zero-expanded to the dense width.
        const bool pruned_output = prog->output_group >= 0;
        const int64_t out_hw = int64_t(prog->output.h) * prog->output.w;
        parallel_for(items, threads, [&](int tid, int item) {
            Scratch& sc = scratch[tid];
            if (sc.packed.empty()) sc.init(*prog);
            const int p = item / chunks_per_ind, b0 = (item % chunks_per_ind) * chunk;
            const int b1 = std::min(batch, b0 + chunk);
            for (size_t i = 0; i < prog->ops.size(); ++i)
                if (prog->ops[i].op.kind == EMODIR_OP_CONV)
                    pack_conv(*prog, prog->ops[i], plans[p], sc.packed[i], sc.bias[i], sc.packed16[i]);
            for (int b = b0; b < b1; ++b) {
                const float* out = run_image(*prog, plans[p], input + int64_t(b) * in_size, sc);
                if (outputs) {
                    float* o = outputs + (int64_t(p) * batch + b) * out_size;
                    if (pruned_output)
                        expand_channels(out, o, prog->output.c, out_hw, plans[p].active.per_group[prog->output_group]);
                    else
                        std::memcpy(o, out, sizeof(float) * size_t(out_size));
                }
                ImageLoss& loss = losses[size_t(p) * batch + b];
                if (reference) {
                    const float* r = reference + int64_t(b) * out_size;
                    if (pruned_output) {
                        const auto& list = plans[p].active.per_group[prog->output_group];
                        loss.sse = squared_error_pruned(out, r, prog->output.c, long(out_hw), list.data(),
                                                        int(list.size()));
                    } else {
                        loss.sse = squared_error(out, r, long(out_size));
                    }
                }
                if (labels && prog->has_head) loss.ce = cross_entropy(out, prog->output.c, labels[b], &loss.correct);
            }
        });
        const float nan = std::numeric_limits<float>::quiet_NaN();
        for (int p = 0; p < population; ++p) {
            ImageLoss sum;
            for (int b = 0; b < batch; ++b) {
                const ImageLoss& q = losses[size_t(p) * batch + b];
                sum.sse += q.sse;
                sum.ce += q.ce;
                sum.correct += q.correct;
            }
            float* o = objectives + int64_t(p) * EMODIR_NUM_OBJECTIVES;
            o[EMODIR_OBJ_MSE] = reference ? float(sum.sse / (double(batch) * out_size)) : nan;
            const bool cls = labels && prog->has_head;
            o[EMODIR_OBJ_CROSS_ENTROPY] = cls ? float(sum.ce / batch) : nan;
            o[EMODIR_OBJ_TOP1] = cls ? float(sum.correct) : nan;
        }
        return EMODIR_OK;
    });
    if (status == EMODIR_OK) set_last_error("");
    return status;
}

extern "C" int emodir_cpu_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population,
                                   const float* input, int32_t batch, const float* reference, const int32_t* labels,
                                   int32_t threads, float* objectives) {
    return evaluate(reinterpret_cast<const Program*>(program), masks, population, input, batch, reference, labels,
                    threads, objectives, nullptr);
}

extern "C" int emodir_cpu_forward(const emodir_program* program, const uint8_t* masks, int32_t population,
                                  const float* input, int32_t batch, int32_t threads, float* outputs) {
    if (!outputs) {
        set_last_error("emodir_cpu_forward: outputs is NULL");
        return EMODIR_ERR_INVALID_ARGUMENT;
    }
    std::vector<float> objectives(size_t(population > 0 ? population : 0) * EMODIR_NUM_OBJECTIVES);
    return evaluate(reinterpret_cast<const Program*>(program), masks, population, input, batch, nullptr, nullptr,
                    threads, objectives.data(), outputs);
}

extern "C" int64_t emodir_cpu_scratch_bytes(const emodir_program* program, int32_t population, int32_t batch,
                                           int32_t threads) {
    const Program* prog = reinterpret_cast<const Program*>(program);
    if (!prog || population <= 0 || batch <= 0 || threads <= 0) {
        set_last_error("emodir_cpu_scratch_bytes: needs a program and positive population, batch and threads, got "
                       "population " + std::to_string(population) + ", batch " + std::to_string(batch) +
                       ", threads " + std::to_string(threads));
        return -1;
    }
    const int64_t per_thread = scratch_bytes_per_thread(*prog);
    // Per individual: its active-channel lists (at most every gene), one ImageLoss per image and the
    // objectives emodir_cpu_forward computes and drops.
    const int64_t per_individual = int64_t(prog->num_genes) * int64_t(sizeof(int)) +
                                   int64_t(batch) * int64_t(sizeof(ImageLoss)) +
                                   EMODIR_NUM_OBJECTIVES * int64_t(sizeof(float));
    return int64_t(threads) * per_thread + int64_t(population) * per_individual;
}

extern "C" int emodir_cpu_bf16_hardware(void) { return emodir::cpu_has_avx512_bf16() ? 1 : 0; }
