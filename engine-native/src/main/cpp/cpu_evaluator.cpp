// CPU backend: every individual runs the program on compacted tensors holding only its kept channels.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <limits>
#include <sstream>
#include <vector>

#include <cstdint>
#ifdef EMODIR_CPU_PROFILE
#include <atomic>
#include <chrono>
#include <cstdio>
#endif

#include "image_losses.h"
#include "program.h"
#include "sgemm.h"
#include "thread_pool.h"

namespace emodir {
namespace {

// Profiling build (-DEMODIR_CPU_PROFILE, e.g. for bench_cpu_stages): wall time per phase summed over all
// threads, and each conv's GEMM time and rate, printed to stderr at exit. Compiled out otherwise.
#ifdef EMODIR_CPU_PROFILE
enum ProfCat { kProfPack, kProfFill, kProfGemm, kProfCopy, kProfAdd, kProfRelu, kProfLoss, kProfCount };
struct ProfTotals {
    std::atomic<int64_t> ns[kProfCount] = {};
    static constexpr int kOps = 256;       // per-op GEMM time and useful multiply-adds (conv_image)
    std::atomic<int64_t> op_ns[kOps] = {};
    std::atomic<int64_t> op_fma[kOps] = {};
    ~ProfTotals() {
        for (int i = 0; i < kOps; ++i)
            if (op_ns[i].load())
                std::fprintf(stderr, "op %3d %9.1f ms %7.1f GFLOP/s per thread\n", i, double(op_ns[i].load()) * 1e-6,
                             2.0 * double(op_fma[i].load()) / double(op_ns[i].load()));
        static const char* names[kProfCount] = {"pack", "fill", "gemm", "copy", "add", "relu", "loss"};
        double all = 0;
        for (auto& n : ns) all += double(n.load());
        for (int c = 0; c < kProfCount; ++c)
            std::fprintf(stderr, "profile %-5s %9.1f ms %5.1f %%\n", names[c], double(ns[c].load()) * 1e-6,
                         100.0 * double(ns[c].load()) / std::max(all, 1.0));
    }
};
ProfTotals& prof_totals() {
    static ProfTotals t;
    return t;
}
struct ProfScope {
    int cat;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    explicit ProfScope(int c) : cat(c) {}
    ~ProfScope() {
        prof_totals().ns[cat] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now() - t0).count();
    }
};
struct OpProfScope {
    int op;
    int64_t fma;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    OpProfScope(int o, int64_t f) : op(o < ProfTotals::kOps ? o : ProfTotals::kOps - 1), fma(f) {}
    ~OpProfScope() {
        prof_totals().op_ns[op] += std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - t0).count();
        prof_totals().op_fma[op] += fma;
    }
};
#define EMODIR_PROF_OP(op, fma) OpProfScope prof_op_scope(op, fma)
#define EMODIR_PROF_CAT2(a, b) a##b
#define EMODIR_PROF_CAT(a, b) EMODIR_PROF_CAT2(a, b)
#define EMODIR_PROF(cat) ProfScope EMODIR_PROF_CAT(prof_scope_, __LINE__)(cat)
#else
#define EMODIR_PROF(cat) (void)0
#define EMODIR_PROF_OP(op, fma) (void)0
#endif

// One individual's view of the program: the live-channel list of every op input/output.
struct IndividualPlan {
    ActiveChannels active;
    const std::vector<int>* list(int group) const { return group < 0 ? nullptr : &active.per_group[group]; }
    int count(int group, int dense) const { return group < 0 ? dense : int(active.per_group[group].size()); }
};

inline int channel_of(const std::vector<int>* list, int compact) { return list ? (*list)[compact] : compact; }

struct WideBounds {
    int64_t padded = 0;            // floats: phase planes (with slack)
    int64_t panels = 0;            // column panels of the widest GEMM
    int64_t bf16_padded = 0;       // uint16: pair-interleaved bf16 padded input of the VDPBF16PS path
    int64_t bf16_packed = 0;       // uint32: all packed bf16 weights of one individual
};
WideBounds wide_bounds(const Program& prog);

// How a conv computes: fp32; bf16 on VDPBF16PS; or bf16-rounded operands through the fp32 kernel (emulated).
enum class ConvMath { kFp32, kBf16, kBf16Emulated };
ConvMath conv_math(const Program& prog, const OpInfo& oi);

// The zero-padded layout last written into a handoff buffer: its pad ring (and tail) are zero for it.
struct RingState {
    int hp = -1, wp = -1, pad = -1, h = -1, w = -1, unused = 0;
};

// Packed weights of the convs that are the same for every individual (neither input nor output channels
// masked, e.g. a ResNet-50 downsample): gathered once per call and shared by the threads.
struct SharedPack {
    std::vector<std::vector<float>> packed, bias;
    std::vector<std::vector<uint32_t>> packed16;
    std::vector<char> has;  // per op
};

// Per-thread scratch, sized once from the program's dense bounds.
struct Scratch {
    const SharedPack* shared = nullptr;
    std::vector<float> slots[EMODIR_MAX_SLOTS];
    std::vector<float> col;                   // zero-padded input phase planes (implicit GEMM)
    std::vector<const float*> panels;         // sgemm_gather's B panel bases
    std::vector<std::vector<float>> packed;  // per op: packed gathered conv weights
    std::vector<std::vector<float>> bias;    // per op: gathered bias
    std::vector<std::vector<uint32_t>> packed16;  // per op: packed bf16 weight pairs (ConvMath::kBf16)
    std::vector<uint16_t> col16;                  // pair-interleaved bf16 padded input (ConvMath::kBf16)
    std::vector<const uint16_t*> panels16;
    std::vector<float> handoff[2];      // a conv's output written as the next conv's zero-padded input (ping-pong)
    std::vector<uint16_t> handoff16[2];  // the same for ConvMath::kBf16 (pad_planes_bf16's layout)
    RingState ring[2], ring16[2];        // the layout whose pad ring handoff[i] / handoff16[i] holds zeroed
    // Per conv op, the index tables of its GEMM, which depend on the op's geometry only: built at the op's first
    // image, then reused for every image and individual (rebuilding them cost ~5 % of a pruned stage).
    struct OpTables {
        bool built = false;
        std::vector<int> taps;       // B row offsets for the dense input (a pruned input uses a prefix)
        std::vector<int64_t> pixel;  // each column panel's first pixel in a phase plane
        std::vector<int64_t> out_offsets, res_offsets, keep_start;  // GemmOut's
        std::vector<uint16_t> keep_mask;
    };
    std::vector<OpTables> tables;
    void init(const Program& prog) {
        for (int i = 0; i < 2; ++i) {
            handoff[i].assign(size_t(wide_bounds(prog).padded), 0.0f);
            handoff16[i].assign(size_t(wide_bounds(prog).bf16_padded), 0);
        }
        packed16.resize(prog.ops.size());
        col16.assign(size_t(wide_bounds(prog).bf16_padded), 0);
        for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) slots[s].assign(size_t(prog.max_slot_size[s] + kGemmNR), 0.0f);
        col.assign(size_t(wide_bounds(prog).padded), 0.0f);
        packed.resize(prog.ops.size());
        bias.resize(prog.ops.size());
        tables.resize(prog.ops.size());
    }
};

// Gathers the kept weights of one individual into the GEMM's packed A layout (row panels of kGemmMR, see pack_a
// and pack_a_bf16) with plain loops: no per-element index arithmetic, it runs once per individual and batch chunk.
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
    // Output-row pointers of one panel; the loops write the packed panel sequentially (k-major, kGemmMR rows per k).
    const float* row_w[kGemmMR];
    if (math == ConvMath::kBf16) {
        // Step s = (pair cp, tap t); its k pair is channels 2cp and 2cp + 1 (0 past nin) at the same tap.
        const int pairs = (nin + 1) / 2, steps = pairs * k2;
        packed16.resize(size_t(panels) * steps * kGemmMR);
        for (int p = 0; p < panels; ++p) {
            const RowPanel rp = row_panel_pairs(nout, p);
            for (int r = 0; r < rp.rows; ++r)
                row_w[r] = w + int64_t(channel_of(out_list, rp.first + r)) * op.in_c * k2;
            uint32_t* d = packed16.data() + int64_t(p) * steps * kGemmMR;
            for (int cp = 0; cp < pairs; ++cp) {
                const int64_t i0 = int64_t(channel_of(in_list, 2 * cp)) * k2;
                const bool has1 = 2 * cp + 1 < nin;
                const int64_t i1 = has1 ? int64_t(channel_of(in_list, 2 * cp + 1)) * k2 : 0;
                for (int t = 0; t < k2; ++t, d += kGemmMR)
                    for (int r = 0; r < kGemmMR; ++r)
                        d[r] = r < rp.rows ? uint32_t(to_bf16(row_w[r][i0 + t])) |
                                                 (has1 ? uint32_t(to_bf16(row_w[r][i1 + t])) << 16 : 0u)
                                           : 0u;
            }
        }
    } else {
        const bool round = math == ConvMath::kBf16Emulated;
        const int panels32 = (nout + kGemmMR - 1) / kGemmMR;
        packed.resize(size_t(panels32) * kdim * kGemmMR + 8);  // + the 8-float reads of sgemm's tail columns
        std::fill(packed.end() - 8, packed.end(), 0.0f);
        for (int p = 0; p < panels32; ++p) {
            const RowPanel rp = row_panel(nout, p);
            for (int r = 0; r < rp.rows; ++r)
                row_w[r] = w + int64_t(channel_of(out_list, rp.first + r)) * op.in_c * k2;
            float* d = packed.data() + int64_t(p) * kdim * kGemmMR;
            if (rp.rows == kGemmMR && !round) {  // the common case without per-element tests (ResNet-50 stage 4 at
                                                 // batch 8 spent 13 % of its time here)
                for (int ci = 0; ci < nin; ++ci) {
                    const int64_t ic = int64_t(channel_of(in_list, ci)) * k2;
                    for (int t = 0; t < k2; ++t, d += kGemmMR)
                        for (int r = 0; r < kGemmMR; ++r) d[r] = row_w[r][ic + t];
                }
                continue;
            }
            for (int ci = 0; ci < nin; ++ci) {
                const int64_t ic = int64_t(channel_of(in_list, ci)) * k2;
                for (int t = 0; t < k2; ++t, d += kGemmMR)
                    for (int r = 0; r < kGemmMR; ++r) {
                        const float v = r < rp.rows ? row_w[r][ic + t] : 0.0f;
                        d[r] = round ? round_bf16(v) : v;
                    }
            }
        }
    }
    bias.resize(size_t(nout));
    for (int i = 0; i < nout; ++i) bias[i] = prog.weights[op.bias_offset + channel_of(out_list, i)];
}

// Every conv runs as an implicit GEMM over a zero-padded copy of its input, split into stride phases: phase
// (a, b) holds padded[s * i + a][s * j + b], so tap (ky, kx) of output (y, x) is phase (ky % s, kx % s) at
// (y + ky / s, x + kx / s) and 16 consecutive outputs of a row read 16 contiguous floats (stride 1: one phase,
// the padded plane itself). Outputs whose width is a multiple of 16 form whole-row panels; other widths (8x8
// maps: ResNet-56 stage 3, 14x14, 7x7) run over the phase plane flattened row by row: column q = y * wpp + x
// reads phase[q + (ky / s) * wpp + kx / s], so every 16-column panel is contiguous; the columns with x >= wo
// are computed and dropped while copying the rows out (20% waste at 8x8 instead of an im2col pass).
struct ConvGeometry {
    int s, nph, pad, hp, wp, hpp, wpp;  // stride, phases per axis (min(k, s)), pad, padded and phase plane sizes
    int64_t plane;                 // hpp * wpp
    bool wide;                     // columns q = y * wpp + x (pad columns dropped); else whole-row panels
    int64_t cols;                  // GEMM columns
    int64_t padded;                // floats of the phase planes of nin channels incl. the tail slack of wide panels
    int64_t padded16;              // uint16 of the pair-interleaved bf16 phase planes incl. the slack
};
ConvGeometry conv_geometry(const OpInfo& oi, int nin) {
    ConvGeometry g;
    const int k = oi.op.kernel, pad = oi.op.pad;
    g.s = oi.op.stride;
    g.nph = std::min(k, g.s);
    g.pad = pad;
    g.hp = oi.in.h + 2 * pad;
    g.wp = oi.in.w + 2 * pad;
    g.hpp = (g.hp + g.s - 1) / g.s;
    g.wpp = (g.wp + g.s - 1) / g.s;
    g.plane = int64_t(g.hpp) * g.wpp;
    g.wide = oi.out.w % kGemmNR != 0;
    g.cols = g.wide ? (int64_t(oi.out.h) * g.wpp + kGemmNR - 1) / kGemmNR * kGemmNR : int64_t(oi.out.h) * oi.out.w;
    // The last wide panel reads up to cols - 1 + (k - 1) / s * (wpp + 1) past its channel's last phase plane start.
    const int64_t slack = kGemmNR + int64_t((k - 1) / g.s + 1) * (g.wpp + 1);
    g.padded = int64_t(nin) * g.nph * g.nph * g.plane + slack;
    g.padded16 = (int64_t((nin + 1) / 2) * g.nph * g.nph * g.plane + slack) * 2;
    return g;
}

// A 1x1 stride-1 conv without padding in fp32 reads its input where it is: the dense channel planes are already
// its phase planes (row pitch w, plane h * w), so nothing is copied and no producer hands its output over
// (ResNet-50's bottlenecks: a 256-channel map written once instead of twice, read in place instead of copied).
// Slot buffers carry kGemmNR floats of slack for the last column panel's reads. (A conv never writes its own input
// slot: program_create allows that for relu only.)
bool reads_in_place(const Program& prog, const OpInfo& oi) {
    return oi.op.kind == EMODIR_OP_CONV && oi.op.kernel == 1 && oi.op.stride == 1 && oi.op.pad == 0 &&
           conv_math(prog, oi) == ConvMath::kFp32;
}

// Where each column panel of a conv's output starts in a zero-padded map of geometry pg (the next conv's input, or
// the residual handed over in one): a wide map's panels run on in the padded row pitch, a row-exact map's panels
// start at whole rows of width wo.
const int64_t* panel_offsets(std::vector<int64_t>& offsets, const ConvGeometry& pg, bool wide, int panels, int wo) {
    offsets.resize(size_t(panels));
    for (int p = 0; p < panels; ++p)
        offsets[p] = wide ? int64_t(pg.pad) * pg.wp + pg.pad + int64_t(p) * kGemmNR
                          : int64_t(p * kGemmNR / wo + pg.pad) * pg.wp + pg.pad + p * kGemmNR % wo;
    return offsets.data();
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

// Strided convs: the phase planes of the zero-padded input, [ci][a][b][i][j] = padded[ci][s * i + a][s * j + b]
// for a, b < nph, then zeros up to col_floats.
void phase_planes(const float* src, float* col, int64_t col_floats, int nin, int h, int w, const ConvGeometry& g,
                  int pad) {
    std::fill(col, col + col_floats, 0.0f);
    const int s = g.s, nph = g.nph;
    for (int ci = 0; ci < nin; ++ci)
        for (int y = 0; y < h; ++y) {
            const int py = y + pad, a = py % s;
            if (a >= nph) continue;
            const float* row = src + (int64_t(ci) * h + y) * w;
            for (int b = 0; b < nph; ++b) {
                const int x0 = ((b - pad) % s + s) % s;  // first x with (x + pad) % s == b
                float* d = col + (int64_t(ci * nph + a) * nph + b) * g.plane + int64_t(py / s) * g.wpp + (x0 + pad) / s;
                for (int x = x0, j = 0; x < w; x += s, ++j) d[j] = row[x];
            }
        }
}

void round_to_bf16(float* v, int64_t n) {
    for (int64_t i = 0; i < n; ++i) v[i] = round_bf16(v[i]);
}

// How one conv of run_image is wired to its neighbours.
enum class Handoff : char { kNone, kOnly, kAlso };
struct ConvIo {
    bool relu = false;                 // a following in-place ReLU runs in the GEMM's store
    const float* residual = nullptr;   // a following identity-shortcut add (nout x ho x wo) runs in the store
    const OpInfo* consumer = nullptr;  // the stride-1 conv reading the output next: it is written zero-padded
    Handoff handoff = Handoff::kNone;  // kOnly: only there (dst stays stale), kAlso: to dst too
    int out_buf = 0;                   // sc.handoff[out_buf] / handoff16[out_buf] receives it
    int in_buf = -1;                   // >= 0: the input is already zero-padded in sc.handoff[in_buf] (or 16)
    int res_buf = -1;                  // >= 0: read the residual from sc.handoff[res_buf] (ResidualPlan)
    const OpInfo* res_layout = nullptr;  // the conv whose zero-padded input layout sc.handoff[res_buf] holds
    bool drop_c = false;               // kAlso without the dst store (ResidualPlan::drop_c)
    const float* shared_in = nullptr;      // the input planes, prepared once for all individuals (SharedInput)
    const uint16_t* shared_in16 = nullptr;
};

// The zero-padded phase planes conv oi reads (nin channels of src, geometry conv_geometry(oi, nin)): fp32 into
// col, or for ConvMath::kBf16 pair-interleaved bf16 into col16 (a strided bf16 conv stages its phases in col).
void prepare_planes(const OpInfo& oi, int nin, ConvMath math, const float* src, float* col, uint16_t* col16) {
    const ConvGeometry g = conv_geometry(oi, nin);
    const int h = oi.in.h, w = oi.in.w, pad = oi.op.pad, s = g.s, nph = g.nph;
    if (math == ConvMath::kBf16 && s == 1) {
        pad_planes_bf16(src, col16, g.padded16, nin, h, w, g.hp, g.wp, pad);
    } else if (math == ConvMath::kBf16) {
        phase_planes(src, col, int64_t(nin) * nph * nph * g.plane, nin, h, w, g, pad);
        const int rows = nph * nph * g.hpp;
        pad_planes_bf16(col, col16, g.padded16, nin, rows, g.wpp, rows, g.wpp, 0);
    } else if (s == 1) {
        pad_planes(src, col, g.padded, nin, h, w, g.hp, g.wp, pad);
    } else {
        phase_planes(src, col, g.padded, nin, h, w, g, pad);
    }
    if (math == ConvMath::kBf16Emulated) round_to_bf16(col, int64_t(nin) * nph * nph * g.plane);
}

void conv_image(const Program& prog, const OpInfo& oi, int nin, int nout, const float* src, float* dst, Scratch& sc,
                int op_index, const ConvIo& io) {
    const emodir_op& op = oi.op;
    const int ho = oi.out.h, wo = oi.out.w, k = op.kernel;
    const ConvGeometry g = conv_geometry(oi, nin);
    const int s = g.s, nph = g.nph;
    const ConvMath math = conv_math(prog, oi);
    const bool ready = io.in_buf >= 0;
    // The phase planes the GEMM reads: filled here, handed over zero-padded by the producer's store, or shared by
    // every individual (the evaluation's first conv, SharedInput).
    const bool in_place = !ready && !io.shared_in && reads_in_place(prog, oi);
    const float* planes = io.shared_in  ? io.shared_in
                          : ready       ? sc.handoff[io.in_buf].data()
                          : in_place    ? src
                                        : sc.col.data();
    const uint16_t* planes16 = io.shared_in16 ? io.shared_in16
                               : ready        ? sc.handoff16[io.in_buf].data()
                                              : sc.col16.data();
    const int panels = int((g.cols + kGemmNR - 1) / kGemmNR);
    const bool bf16 = math == ConvMath::kBf16;
    // Wide: nothing past the last output pixel (the consumer's bottom pad rows; fewer junk columns).
    const int n = g.wide ? (ho - 1) * g.wpp + wo : int(g.cols);
    Scratch::OpTables& tab = sc.tables[size_t(op_index)];
    if (!tab.built) {
        tab.built = true;
        // Offset of tap (ky, kx) of channel (bf16: channel pair, in uint16) c from a panel's first column.
        const int units = bf16 ? (oi.in.c + 1) / 2 : oi.in.c;
        tab.taps.resize(size_t(units) * k * k);
        for (int c = 0; c < units; ++c)
            for (int ky = 0; ky < k; ++ky)
                for (int kx = 0; kx < k; ++kx)
                    tab.taps[size_t((c * k + ky) * k + kx)] =
                        int(((int64_t(c * nph + ky % s) * nph + kx % s) * g.plane + int64_t(ky / s) * g.wpp + kx / s) *
                            (bf16 ? 2 : 1));
        tab.pixel.resize(size_t(panels));
        for (int p = 0; p < panels; ++p)
            tab.pixel[size_t(p)] = g.wide ? int64_t(p) * kGemmNR : int64_t(p * kGemmNR / wo) * g.wpp + p * kGemmNR % wo;
        if (io.handoff != Handoff::kOnly && io.res_buf >= 0)
            panel_offsets(tab.res_offsets, conv_geometry(*io.res_layout, nout), g.wide, panels, wo);
        if (io.handoff != Handoff::kOnly && g.wide) {
            tab.keep_start.resize(size_t(panels));
            tab.keep_mask.resize(size_t(panels));
            for (int p = 0; p < panels; ++p) {
                int64_t start = 0;
                unsigned mask = 0;
                for (int l = kGemmNR - 1; l >= 0; --l) {
                    const int q = p * kGemmNR + l, y = q / g.wpp, x = q % g.wpp;
                    if (q < n && x < wo) {
                        mask |= 1u << l;
                        start = int64_t(y) * wo + x;  // ends at the first kept column
                    }
                }
                tab.keep_start[size_t(p)] = start;
                tab.keep_mask[size_t(p)] = uint16_t(mask);
            }
        }
        if (io.handoff != Handoff::kNone)
            panel_offsets(tab.out_offsets, conv_geometry(*io.consumer, nout), g.wide, panels, wo);
    }
    if (!ready && !io.shared_in && !io.shared_in16 && !in_place) {
        EMODIR_PROF(kProfFill);
        prepare_planes(oi, nin, math, src, sc.col.data(), sc.col16.data());
    } else if (ready && math == ConvMath::kBf16Emulated) {  // a handed-over input is rounded here
        round_to_bf16(sc.handoff[io.in_buf].data(), int64_t(nin) * nph * nph * g.plane);
    }
    // Outputs: dst (a wide map's pad columns dropped in the store) and/or the consumer's zero-padded input.
    GemmOut out;
    out.relu = io.relu;
    if (io.handoff != Handoff::kOnly) {
        out.c = io.drop_c ? nullptr : dst;
        out.ldc = ho * wo;
        if (io.res_buf >= 0) {  // the residual as the last conv handed it over (ResidualPlan)
            out.residual_pad = sc.handoff[io.res_buf].data();
            out.ld_residual = conv_geometry(*io.res_layout, nout).plane;
            out.residual_offsets = tab.res_offsets.data();
        } else {
            out.residual = io.residual;
        }
        if (g.wide) {
            out.keep_start = tab.keep_start.data();
            out.keep_mask = tab.keep_mask.data();
            out.exact_columns = g.wpp == wo;
        }
    }
    ConvGeometry cg{};
    if (io.handoff != Handoff::kNone) {
        cg = conv_geometry(*io.consumer, nout);
        if (bf16) {
            out.pad16 = sc.handoff16[io.out_buf].data();
            out.ld_pad = cg.plane * 2;
        } else {
            out.pad = sc.handoff[io.out_buf].data();
            out.ld_pad = cg.plane;
        }
        out.pad_offsets = tab.out_offsets.data();
        // The store writes only the interior (and, for a wide map, junk into the gaps between rows): the rest
        // of the ring stays zero from the last conv of this layout that used the buffer.
        RingState& ring = bf16 ? sc.ring16[io.out_buf] : sc.ring[io.out_buf];
        if (ring.hp != cg.hp || ring.wp != cg.wp || ring.pad != cg.pad || ring.h != ho || ring.w != wo) {
            ring = RingState{cg.hp, cg.wp, cg.pad, ho, wo, 0};
            // Zero for every channel count of this layout (the dense bound), slack included.
            const ConvGeometry dense = conv_geometry(*io.consumer, io.consumer->in.c);
            if (bf16)
                std::fill_n(sc.handoff16[io.out_buf].data(), dense.padded16, uint16_t(0));
            else
                std::fill_n(sc.handoff[io.out_buf].data(), dense.padded, 0.0f);
        }
    }
    const bool shared = sc.shared && sc.shared->has[size_t(op_index)];
    const float* bias = (shared ? sc.shared->bias : sc.bias)[op_index].data();
    {
        EMODIR_PROF(kProfGemm);
        EMODIR_PROF_OP(op_index, int64_t(nout) * nin * k * k * ho * wo);
        if (bf16) {
            const int steps = (nin + 1) / 2 * k * k;
            sc.panels16.resize(size_t(panels));
            for (int p = 0; p < panels; ++p) sc.panels16[p] = planes16 + tab.pixel[size_t(p)] * 2;
            sbgemm_gather(nout, n, steps, (shared ? sc.shared->packed16 : sc.packed16)[op_index].data(),
                          sc.panels16.data(), tab.taps.data(), bias, out);
        } else {
            sc.panels.resize(size_t(panels));
            for (int p = 0; p < panels; ++p) sc.panels[p] = planes + tab.pixel[size_t(p)];
            sgemm_gather(nout, n, nin * k * k, (shared ? sc.shared->packed : sc.packed)[op_index].data(),
                         sc.panels.data(), tab.taps.data(), bias, out);
        }
    }
    if (io.handoff != Handoff::kNone && g.wide) {  // zero the junk columns the store put into the row gaps
        EMODIR_PROF(kProfCopy);
        const int nch = bf16 ? (nout + 1) / 2 : nout, gap = cg.wp - wo;
        for (int c = 0; c < nch; ++c)
            for (int y = 0; y + 1 < ho; ++y) {
                const int64_t at = c * cg.plane + int64_t(cg.pad + y) * cg.wp + cg.pad + wo;
                if (bf16) {
                    uint32_t* d = reinterpret_cast<uint32_t*>(sc.handoff16[io.out_buf].data()) + at;  // one pair
                    for (int t = 0; t < gap; ++t) d[t] = 0;
                } else {
                    float* d = sc.handoff[io.out_buf].data() + at;
                    for (int t = 0; t < gap; ++t) d[t] = 0.0f;
                }
            }
    }
}

bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

ConvMath conv_math(const Program& prog, const OpInfo& oi) {
    if (prog.precision != EMODIR_PRECISION_BF16) return ConvMath::kFp32;
    // EMODIR_BF16_EMULATE=1 forces the emulated path (a ctest runs it on hosts with AVX512_BF16 too).
    static const bool hardware = cpu_has_avx512_bf16() && !env_flag("EMODIR_BF16_EMULATE");
    return hardware ? ConvMath::kBf16 : ConvMath::kBf16Emulated;
}

WideBounds wide_bounds(const Program& prog) {
    WideBounds b;
    for (const OpInfo& oi : prog.ops) {
        if (oi.op.kind != EMODIR_OP_CONV) continue;
        const ConvGeometry g = conv_geometry(oi, oi.in.c);
        b.padded = std::max(b.padded, g.padded);
        b.panels = std::max(b.panels, (g.cols + kGemmNR - 1) / kGemmNR);
        if (conv_math(prog, oi) == ConvMath::kBf16) {
            b.bf16_padded = std::max(b.bf16_padded, g.padded16);
            const int64_t steps = int64_t(oi.in.c + 1) / 2 * oi.op.kernel * oi.op.kernel;
            b.bf16_packed += int64_t((oi.op.out_c + kGemmMR - 1) / kGemmMR) * kGemmMR * steps;
        }
    }
    return b;
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

// True when op i (a conv not followed by a ReLU) is followed by an identity-shortcut add into its output whose
// channels line up with the conv's (both dense or both of the same mask group): the add, and a ReLU after it,
// run in the conv's store.
bool add_fuses(const Program& prog, size_t i) {
    if (i + 1 >= prog.ops.size() || relu_follows(prog, i)) return false;
    const OpInfo& next = prog.ops[i + 1];
    return next.op.kind == EMODIR_OP_ADD && next.op.dst == prog.ops[i].op.dst && next.op.stride <= 1 &&
           next.op.pad == 0 && next.in_group == prog.ops[i].op.mask_group && next.in.c == prog.ops[i].out.c &&
           next.in.h == prog.ops[i].out.h && next.in.w == prog.ops[i].out.w;
}

// Per op: whether conv op i also (kAlso) or only (kOnly) writes its output zero-padded into the input buffer of
// the stride-1 conv that reads it next. kOnly: after a fused ReLU, when that conv is the slot's only reader (the
// slot is never written). kAlso: a conv with a fused residual add (the next block's conv1 reads the sum).
std::vector<Handoff> handoff_plan(const Program& prog) {
    const size_t n = prog.ops.size();
    std::vector<Handoff> plan(n, Handoff::kNone);
    for (size_t i = 0; i < n; ++i) {
        const OpInfo& oi = prog.ops[i];
        if (oi.op.kind != EMODIR_OP_CONV) continue;
        const bool fused_add = add_fuses(prog, i);
        size_t j = i + 1;
        if (fused_add) j += 1 + (relu_follows(prog, i + 1) ? 1 : 0);
        else if (relu_follows(prog, i)) j += 1;
        if (j >= n) continue;
        const OpInfo& cj = prog.ops[j];
        const int slot = oi.op.dst;
        if (cj.op.kind != EMODIR_OP_CONV || cj.op.src != slot || cj.op.stride != 1) continue;
        // A wide output (q = y * wpp + x) maps onto the padded rows only if both row pitches agree.
        if (oi.out.w % kGemmNR != 0 && conv_geometry(oi, oi.in.c).wpp != conv_geometry(cj, cj.in.c).wp) continue;
        if (fused_add) {
            // The sum goes to dst anyway: a consumer that reads in place takes it from there.
            plan[i] = reads_in_place(prog, cj) ? Handoff::kNone : Handoff::kAlso;
            continue;
        }
        bool ok = true, overwritten = false;
        for (size_t q = j + 1; q < n && ok && !overwritten; ++q) {
            const emodir_op& o = prog.ops[q].op;
            if (o.src == slot || (o.kind == EMODIR_OP_ADD && o.dst == slot))
                ok = false;
            else if (o.dst == slot)
                overwritten = true;
        }
        if (ok && (overwritten || slot != prog.output_slot)) plan[i] = Handoff::kOnly;
    }
    return plan;
}

// The next conv reading the output of conv i (after its fused add and ReLUs), as handoff_plan wires it.
size_t consumer_of(const Program& prog, size_t i) {
    size_t j = i + 1;
    if (add_fuses(prog, i)) j += 1 + (relu_follows(prog, i + 1) ? 1 : 0);
    else if (relu_follows(prog, i)) j += 1;
    return j;
}

// Residual adds read from the handed-over input instead of a slot (fp32 only: in bf16 the handoff holds bf16).
// In a chain of identity blocks P (conv with fused add, kAlso) -> J (kOnly) -> C (conv with a fused add whose
// residual is P's output), P's output is still zero-padded in the handoff buffer J read, and C's own handoff
// goes to that same buffer (ping-pong): C reads the residual there and stores its output over it in place.
// res_from[C] = J (the layout of that buffer). drop_c[P]: nothing else reads P's dst slot before it is
// overwritten, so P skips that store (the residual adds of ResNet stage 1 at keep 0.5: 16 full-width output
// channels of a conv2 with k = 72 stored once instead of twice).
struct ResidualPlan {
    std::vector<int> res_from;
    std::vector<char> drop_c;
};
ResidualPlan residual_plan(const Program& prog, const std::vector<Handoff>& handoff) {
    const size_t n = prog.ops.size();
    ResidualPlan rp;
    rp.res_from.assign(n, -1);
    rp.drop_c.assign(n, 0);
    if (prog.precision == EMODIR_PRECISION_BF16) return rp;
    for (size_t i = 0; i < n; ++i) {
        if (prog.ops[i].op.kind != EMODIR_OP_CONV || handoff[i] != Handoff::kAlso) continue;
        const OpInfo& p = prog.ops[i];
        const int slot = p.op.dst;
        const size_t j = consumer_of(prog, i);
        if (j >= n || handoff[j] != Handoff::kOnly) continue;
        const OpInfo& cj = prog.ops[j];
        const size_t c = consumer_of(prog, j);
        if (c + 1 >= n || cj.op.dst == slot) continue;
        const OpInfo& cc = prog.ops[c];
        if (cc.op.kind != EMODIR_OP_CONV || cc.op.src != cj.op.dst || cc.op.stride != 1 || cc.op.dst == slot ||
            !add_fuses(prog, c) || prog.ops[c + 1].op.src != slot)
            continue;
        if (cc.op.mask_group != p.op.mask_group || cc.out.c != p.out.c || cc.out.h != p.out.h || cc.out.w != p.out.w)
            continue;
        // C's output maps onto J's padded layout: its columns (wide: the same row pitch) and, when it hands its
        // output on, the consumer's padded layout is J's (so the buffer's pad ring is not re-zeroed).
        const ConvGeometry gj = conv_geometry(cj, cj.in.c), gc = conv_geometry(cc, cc.in.c);
        if (gc.wide && gc.wpp != gj.wp) continue;
        if (handoff[c] != Handoff::kNone) {
            const size_t k = consumer_of(prog, c);
            const ConvGeometry gk = conv_geometry(prog.ops[k], prog.ops[k].in.c);
            if (gk.hp != gj.hp || gk.wp != gj.wp || gk.pad != gj.pad) continue;
        }
        rp.res_from[c] = int(j);
        // P's dst slot: read by J (from the handoff) and C's fused add (from the handoff) only, until overwritten.
        bool needed = slot == prog.output_slot;
        for (size_t q = j; q < n; ++q) {
            const emodir_op& o = prog.ops[q].op;
            if (q == j || q == c + 1) continue;
            if (o.src == slot || (o.kind == EMODIR_OP_ADD && o.dst == slot)) {
                needed = true;
                break;
            }
            if (o.dst == slot) {
                needed = false;
                break;
            }
        }
        rp.drop_c[i] = !needed;
    }
    return rp;
}

// The first conv reads the image itself (dense channels, slot 0): every individual pads (or phase-splits) the same
// image the same way, so an evaluation prepares its planes once per image for all individuals instead (~6 % of a
// pruned ResNet-56 stage 2 or 3, whose first conv is strided). Also for one individual, so that the host bytes
// stay affine in the population (PopulationChunks plans with two size queries).
struct SharedInput {
    int64_t stride = 0;  // elements per image
    std::vector<float> planes;
    std::vector<uint16_t> planes16;
};
bool input_shareable(const Program& prog) {
    return !prog.ops.empty() && prog.ops[0].op.kind == EMODIR_OP_CONV && prog.ops[0].op.src == 0 &&
           prog.ops[0].in_group < 0 && !reads_in_place(prog, prog.ops[0]);
}
int64_t shared_input_elems(const Program& prog) {
    if (!input_shareable(prog)) return 0;
    const OpInfo& oi = prog.ops[0];
    const ConvGeometry g = conv_geometry(oi, oi.in.c);
    return conv_math(prog, oi) == ConvMath::kBf16 ? g.padded16 : g.padded;
}
int64_t shared_input_bytes(const Program& prog, int batch) {
    const bool bf16 = input_shareable(prog) && conv_math(prog, prog.ops[0]) == ConvMath::kBf16;
    return int64_t(batch) * shared_input_elems(prog) * int64_t(bf16 ? sizeof(uint16_t) : sizeof(float));
}

// Brings the next image's shared input planes into L2 while the current image computes, a slice before each conv.
// An individual's pass over the batch reads every image's planes once, from DRAM: without it the first conv of a
// pruned ResNet-56 stage 2 ran at a quarter of the others' rate.
struct NextImagePrefetch {
    const char* base = nullptr;
    int64_t bytes = 0, at = 0, per_step = 0;
    NextImagePrefetch(const void* p, int64_t n, int steps)
        : base(static_cast<const char*>(p)), bytes(n), per_step((n / std::max(steps, 1) + 63) / 64 * 64) {}
    void step() {
        for (const int64_t end = std::min(bytes, at + per_step); at < end; at += 64) __builtin_prefetch(base + at, 0, 2);
    }
};

// Runs the program for one individual on one image; returns the output slot's data. shared_in / shared_in16
// (or null): the first conv's planes of this image (SharedInput). next (or null): prefetched a slice per conv.
const float* run_image(const Program& prog, const std::vector<Handoff>& handoff, const ResidualPlan& rplan,
                       const IndividualPlan& plan, const float* image, Scratch& sc, const float* shared_in,
                       const uint16_t* shared_in16, NextImagePrefetch* next) {
    std::memcpy(sc.slots[0].data(), image, sizeof(float) * size_t(prog.input.size()));
    int ready = -1;  // >= 0: the next conv's input is zero-padded in sc.handoff[ready] (handoff16 in bf16)
    for (size_t i = 0; i < prog.ops.size(); ++i) {
        const OpInfo& oi = prog.ops[i];
        const emodir_op& op = oi.op;
        const float* src = sc.slots[op.src].data();
        float* dst = sc.slots[op.dst].data();
        const int nin = plan.count(oi.in_group, oi.in.c);
        switch (op.kind) {
            case EMODIR_OP_CONV: {
                if (next) next->step();
                const size_t at = i;
                ConvIo io;
                io.in_buf = ready;
                io.out_buf = ready == 0 ? 1 : 0;
                io.relu = relu_follows(prog, i);
                if (add_fuses(prog, i)) {  // conv, add (, relu): the add's relu is the conv store's
                    io.residual = sc.slots[prog.ops[i + 1].op.src].data();
                    if (rplan.res_from[i] >= 0 && ready >= 0) {
                        io.res_buf = 1 - ready;
                        io.res_layout = &prog.ops[size_t(rplan.res_from[i])];
                    }
                    io.relu = relu_follows(prog, i + 1);
                    i += 1;
                }
                i += io.relu ? 1 : 0;
                io.handoff = handoff[at];
                io.drop_c = rplan.drop_c[at] != 0;
                if (at == 0) {
                    io.shared_in = shared_in;
                    io.shared_in16 = shared_in16;
                }
                if (io.handoff != Handoff::kNone) io.consumer = &prog.ops[i + 1];
                conv_image(prog, oi, nin, plan.count(op.mask_group, op.out_c), src, dst, sc, int(at), io);
                ready = io.handoff != Handoff::kNone ? io.out_buf : -1;
                break;
            }
            case EMODIR_OP_RELU: {
                EMODIR_PROF(kProfRelu);
                const int64_t n = int64_t(nin) * oi.in.h * oi.in.w;
                for (int64_t j = 0; j < n; ++j) dst[j] = src[j] > 0.0f ? src[j] : 0.0f;
                break;
            }
            case EMODIR_OP_ADD: {
                // The residual add touches every output channel unless it zero-pads channels (option A).
                const bool relu = relu_follows(prog, i) && op.pad == 0;
                {
                    EMODIR_PROF(kProfAdd);
                    add_image(oi, plan, src, dst, relu);
                }
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

// squared_error / squared_error_pruned (image_losses.h) with 8 interleaved double accumulators, element i of
// the dense output in accumulator i % 8: one serial chain of double adds cost ~4 cycles per float, as much as
// a pruned ResNet-56 stage-1 conv per output element. The pruned form walks the same dense order, so both agree
// bit for bit on a zero-expanded output.
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

// acc[l] += (out[8i + l] - ref[8i + l])^2 for i < blocks (out null: zeros), one lane per accumulator.
__attribute__((target_clones("arch=x86-64-v4", "default"))) void sse_blocks(const float* out, const float* ref,
                                                                           int64_t blocks, double* acc) {
    v8d a;
    std::memcpy(&a, acc, sizeof a);
    for (int64_t i = 0; i < blocks; ++i) {
        v8f o = {}, r;
        if (out) std::memcpy(&o, out + 8 * i, sizeof o);
        std::memcpy(&r, ref + 8 * i, sizeof r);
        const v8d d = __builtin_convertvector(o, v8d) - __builtin_convertvector(r, v8d);
        a += d * d;
    }
    std::memcpy(acc, &a, sizeof a);
}

struct SseAcc {
    double acc[8] = {};
    void add(const float* out, const float* ref, int64_t base, int64_t n) {
        int64_t i = 0;
        for (; i < n && ((base + i) & 7) != 0; ++i) term(base + i, out ? out[i] : 0.0f, ref[i]);
        const int64_t blocks = (n - i) / 8;
        sse_blocks(out ? out + i : nullptr, ref + i, blocks, acc);
        for (i += 8 * blocks; i < n; ++i) term(base + i, out ? out[i] : 0.0f, ref[i]);
    }
    void term(int64_t at, float o, float r) {
        const double d = double(o) - double(r);
        acc[at & 7] += d * d;
    }
    double sum() const { return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])); }
};

double squared_error_cpu(const float* out, const float* ref, int64_t n) {
    SseAcc a;
    a.add(out, ref, 0, n);
    return a.sum();
}

double squared_error_pruned_cpu(const float* out, const float* ref, int channels, int64_t hw, const int* idx,
                                int cnt) {
    SseAcc a;
    int k = 0;
    for (int c = 0; c < channels; ++c) {
        const bool kept = k < cnt && idx[k] == c;
        a.add(kept ? out + int64_t(k) * hw : nullptr, ref + int64_t(c) * hw, int64_t(c) * hw, hw);
        k += kept ? 1 : 0;
    }
    return a.sum();
}

// Per-image losses, summed in image order afterwards so that an individual's objectives do not depend on
// how the call was split into threads, batch chunks or population chunks (bit-identical across splits).
struct ImageLoss {
    double sse = 0.0, ce = 0.0;
    int correct = 0;
};

// Bytes of one thread's Scratch at its dense bounds: slots, padded inputs, packed weights and biases of every conv,
// and sgemm_gather's panel/offset tables of the largest conv.
int64_t scratch_bytes_per_thread(const Program& prog) {
    const WideBounds wb = wide_bounds(prog);
    // col and 2 handoff (fp32), col16 and 2 handoff16 (bf16), the packed bf16 weights.
    int64_t floats = 3 * wb.padded + 3 * ((wb.bf16_padded + 1) / 2) + wb.bf16_packed;
    for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) floats += prog.max_slot_size[s] + kGemmNR;
    // sgemm_gather's B panel pointers of the largest conv, and every conv's Scratch::OpTables.
    int64_t tables = wb.panels * int64_t(2 * sizeof(const float*));
    for (const OpInfo& oi : prog.ops) {
        if (oi.op.kind != EMODIR_OP_CONV) continue;
        const int64_t kdim = int64_t(oi.op.in_c) * oi.op.kernel * oi.op.kernel;
        floats += int64_t((oi.op.out_c + kGemmMR - 1) / kGemmMR) * kGemmMR * kdim + 8 + oi.op.out_c;
        const ConvGeometry g = conv_geometry(oi, oi.in.c);
        tables += (g.cols + kGemmNR - 1) / kGemmNR * int64_t(4 * sizeof(int64_t) + sizeof(uint16_t)) +
                  kdim * int64_t(sizeof(int));
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
        const std::vector<Handoff> handoff = handoff_plan(*prog);
        const ResidualPlan rplan = residual_plan(*prog, handoff);
        SharedPack shared;
        const size_t nops = prog->ops.size();
        shared.packed.resize(nops);
        shared.bias.resize(nops);
        shared.packed16.resize(nops);
        shared.has.assign(nops, 0);
        if (population > 1)
            for (size_t i = 0; i < nops; ++i) {
                const OpInfo& oi = prog->ops[i];
                if (oi.op.kind != EMODIR_OP_CONV || oi.in_group >= 0 || oi.op.mask_group >= 0) continue;
                pack_conv(*prog, oi, plans[0], shared.packed[i], shared.bias[i], shared.packed16[i]);
                shared.has[i] = 1;
            }
        const int64_t in_size = prog->input.size(), out_size = prog->output.size();
        int convs = 0;
        for (const OpInfo& oi : prog->ops) convs += oi.op.kind == EMODIR_OP_CONV ? 1 : 0;
        SharedInput shared_in;
        const bool bf16_in = input_shareable(*prog) && conv_math(*prog, prog->ops[0]) == ConvMath::kBf16;
        if (input_shareable(*prog)) {
            const OpInfo& oi = prog->ops[0];
            const ConvMath math = conv_math(*prog, oi);
            const bool bf16 = math == ConvMath::kBf16;
            shared_in.stride = shared_input_elems(*prog);
            (bf16 ? shared_in.planes16.resize(size_t(batch * shared_in.stride))
                  : shared_in.planes.resize(size_t(batch * shared_in.stride)));
            // A strided bf16 conv stages its fp32 phases first: one buffer per thread.
            std::vector<std::vector<float>> stage(static_cast<size_t>(threads));
            parallel_for(batch, threads, [&](int tid, int b) {
                std::vector<float>& col = stage[size_t(tid)];
                if (bf16 && col.empty()) col.resize(size_t(conv_geometry(oi, oi.in.c).padded));
                prepare_planes(oi, oi.in.c, math, input + int64_t(b) * in_size,
                               bf16 ? col.data() : shared_in.planes.data() + b * shared_in.stride,
                               bf16 ? shared_in.planes16.data() + b * shared_in.stride : nullptr);
            });
        }
        // A channel-pruned output is compacted in the slot; it is reported zero-expanded to the dense width.
        const bool pruned_output = prog->output_group >= 0;
        const int64_t out_hw = int64_t(prog->output.h) * prog->output.w;
        parallel_for(items, threads, [&](int tid, int item) {
            Scratch& sc = scratch[tid];
            if (sc.packed.empty()) {
                sc.init(*prog);
                sc.shared = &shared;
            }
            const int p = item / chunks_per_ind, b0 = (item % chunks_per_ind) * chunk;
            const int b1 = std::min(batch, b0 + chunk);
            {
                EMODIR_PROF(kProfPack);
                for (size_t i = 0; i < prog->ops.size(); ++i)
                    if (prog->ops[i].op.kind == EMODIR_OP_CONV && !shared.has[i])
                        pack_conv(*prog, prog->ops[i], plans[p], sc.packed[i], sc.bias[i], sc.packed16[i]);
            }
            for (int b = b0; b < b1; ++b) {
                // The next image's shared planes (read by the first conv's gathers, which the hardware prefetcher
                // does not follow); the input and reference are plain streams it handles.
                const bool has_next = b + 1 < b1 && shared_in.stride > 0;
                NextImagePrefetch next(
                    has_next ? (bf16_in ? static_cast<const void*>(shared_in.planes16.data() + (b + 1) * shared_in.stride)
                                        : static_cast<const void*>(shared_in.planes.data() + (b + 1) * shared_in.stride))
                             : nullptr,
                    has_next ? shared_in.stride * int64_t(bf16_in ? sizeof(uint16_t) : sizeof(float)) : 0, convs);
                const float* out = run_image(
                    *prog, handoff, rplan, plans[p], input + int64_t(b) * in_size, sc,
                    shared_in.planes.empty() ? nullptr : shared_in.planes.data() + b * shared_in.stride,
                    shared_in.planes16.empty() ? nullptr : shared_in.planes16.data() + b * shared_in.stride,
                    has_next ? &next : nullptr);
                if (outputs) {
                    float* o = outputs + (int64_t(p) * batch + b) * out_size;
                    if (pruned_output)
                        expand_channels(out, o, prog->output.c, out_hw, plans[p].active.per_group[prog->output_group]);
                    else
                        std::memcpy(o, out, sizeof(float) * size_t(out_size));
                }
                EMODIR_PROF(kProfLoss);
                ImageLoss& loss = losses[size_t(p) * batch + b];
                if (reference) {
                    const float* r = reference + int64_t(b) * out_size;
                    if (pruned_output) {
                        const auto& list = plans[p].active.per_group[prog->output_group];
                        loss.sse = squared_error_pruned_cpu(out, r, prog->output.c, out_hw, list.data(),
                                                            int(list.size()));
                    } else {
                        loss.sse = squared_error_cpu(out, r, out_size);
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
    // The first conv's prepared planes of every image, shared by the individuals (SharedInput).
    const int64_t shared = shared_input_bytes(*prog, batch);
    // Per individual: its active-channel lists (at most every gene), one ImageLoss per image and the
    // objectives emodir_cpu_forward computes and drops.
    const int64_t per_individual = int64_t(prog->num_genes) * int64_t(sizeof(int)) +
                                   int64_t(batch) * int64_t(sizeof(ImageLoss)) +
                                   EMODIR_NUM_OBJECTIVES * int64_t(sizeof(float));
    return int64_t(threads) * per_thread + shared + int64_t(population) * per_individual;
}

extern "C" int emodir_cpu_bf16_hardware(void) { return emodir::cpu_has_avx512_bf16() ? 1 : 0; }
