// Host orchestration of the CUDA backend, written once over a Backend that either talks to a GPU
// (cuda_backend.cu) or emulates one on the host (gpu_emulation.cpp, used by the tests without a GPU).
//
// Backend interface:
//   void* alloc(size_t bytes); void release(void*); void upload(void* dst, const void* src, size_t bytes);
//   void download(void* dst, const void* src, size_t bytes); void zero(void*, size_t bytes);
//   template <class Point> void launch(const Point&, int64_t points_per_individual, int population);
// Backend methods throw std::runtime_error on failure.
#pragma once
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "gpu_kernels.h"
#include "program.h"

namespace emodir {

template <class Backend>
class DeviceArena {
   public:
    explicit DeviceArena(Backend& be) : be_(be) {}
    ~DeviceArena() {
        for (void* p : blocks_) be_.release(p);
    }
    template <class T>
    T* alloc(size_t n) {
        void* p = be_.alloc(n * sizeof(T) > 0 ? n * sizeof(T) : 1);
        blocks_.push_back(p);
        return static_cast<T*>(p);
    }
    template <class T>
    T* upload(const T* host, size_t n) {
        T* d = alloc<T>(n);
        be_.upload(d, host, n * sizeof(T));
        return d;
    }

   private:
    Backend& be_;
    std::vector<void*> blocks_;
};

// Device bytes run_population allocates for P individuals on B images (weights, channel lists, every
// slot per individual and image, per-image losses, reference and labels): the budget check's source of truth.
inline int64_t device_bytes(const Program& prog, int P, int B) {
    int64_t slot_floats = 0;
    for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) slot_floats += prog.max_slot_size[s];
    int64_t genes = 0;
    for (int size : prog.group_sizes) genes += size + 1;
    const int64_t per_individual = int64_t(B) * (slot_floats * int64_t(sizeof(float)) + 2 * int64_t(sizeof(double)) +
                                                 int64_t(sizeof(int))) + genes * int64_t(sizeof(int));
    // The reference is uploaded at its dense size (also for a channel-pruned output); labels only with a head.
    const int64_t fixed = prog.num_weights * int64_t(sizeof(float)) +
                          int64_t(B) * (prog.output.size() * int64_t(sizeof(float)) +
                                        (prog.has_head ? int64_t(sizeof(int32_t)) : 0));
    return fixed + int64_t(P) * per_individual;
}

// Returns EMODIR_OK or an error code with the last error set; masks were already validated by the caller.
template <class Backend>
int run_population(Backend& be, const Program& prog, const std::vector<ActiveChannels>& active, int P,
                   const float* input, int B, const float* reference, const int32_t* labels, float* objectives) {
    DeviceArena<Backend> arena(be);
    const float* weights = arena.upload(prog.weights, size_t(prog.num_weights));
    const int G = int(prog.group_sizes.size());
    std::vector<const int*> list_idx(G), list_cnt(G);
    for (int g = 0; g < G; ++g) {
        const int size = prog.group_sizes[g];
        std::vector<int> idx(static_cast<size_t>(P) * size, 0), cnt(static_cast<size_t>(P));
        for (int p = 0; p < P; ++p) {
            const auto& l = active[p].per_group[g];
            cnt[p] = int(l.size());
            std::copy(l.begin(), l.end(), idx.begin() + int64_t(p) * size);
        }
        list_idx[g] = arena.upload(idx.data(), idx.size());
        list_cnt[g] = arena.upload(cnt.data(), cnt.size());
    }
    auto channels = [&](int group, int dense) {
        ChannelList c;
        c.dense = dense;
        if (group >= 0) {
            c.idx = list_idx[group];
            c.cnt = list_cnt[group];
            c.stride = prog.group_sizes[group];
        }
        return c;
    };
    float* slots[EMODIR_MAX_SLOTS] = {};
    for (int s = 0; s < EMODIR_MAX_SLOTS; ++s)
        if (prog.max_slot_size[s] > 0) slots[s] = arena.template alloc<float>(size_t(P) * B * prog.max_slot_size[s]);
    // Every individual starts from its own copy of the input, so slot 0 is an ordinary slot. Its images lie
    // max_slot_size[0] apart, more than the input's size when a later op writes a larger map there (ResNet-50's
    // 256-channel block outputs over a 64-channel stage input): then each image is placed on its own.
    const int64_t in_size = prog.input.size(), slot0 = prog.max_slot_size[0];
    for (int p = 0; p < P; ++p) {
        float* dst = slots[0] + int64_t(p) * B * slot0;
        if (slot0 == in_size)
            be.upload(dst, input, size_t(B) * in_size * sizeof(float));
        else
            for (int b = 0; b < B; ++b)
                be.upload(dst + b * slot0, input + b * in_size, size_t(in_size) * sizeof(float));
    }
    for (const OpInfo& oi : prog.ops) {
        const emodir_op& op = oi.op;
        const int64_t src_image = prog.max_slot_size[op.src], dst_image = prog.max_slot_size[op.dst];
        switch (op.kind) {
            case EMODIR_OP_CONV: {
                ConvPoint a{slots[op.dst], slots[op.src], weights + op.weight_offset, weights + op.bias_offset,
                            src_image, dst_image, B, oi.in.c, oi.in.h, oi.in.w, op.out_c, oi.out.h, oi.out.w,
                            op.kernel, op.stride, op.pad, channels(oi.in_group, oi.in.c),
                            channels(op.mask_group, op.out_c)};
                be.launch(a, int64_t(B) * op.out_c * oi.out.h * oi.out.w, P);
                break;
            }
            case EMODIR_OP_RELU: {
                ReluPoint a{slots[op.dst], slots[op.src], src_image, dst_image, B, oi.in.c, oi.in.h * oi.in.w,
                            channels(oi.in_group, oi.in.c)};
                be.launch(a, int64_t(B) * oi.in.c * oi.in.h * oi.in.w, P);
                break;
            }
            case EMODIR_OP_ADD: {
                AddPoint a{slots[op.dst], slots[op.src], src_image, dst_image, B, oi.in.c, oi.in.h, oi.in.w,
                           oi.out.h, oi.out.w, op.stride <= 0 ? 1 : op.stride, op.pad, oi.out_group >= 0 ? 1 : 0,
                           channels(oi.in_group, oi.in.c)};
                be.launch(a, int64_t(B) * oi.in.c * oi.out.h * oi.out.w, P);
                break;
            }
            case EMODIR_OP_MAXPOOL: {
                MaxPoolPoint a{slots[op.dst], slots[op.src], src_image, dst_image, B, oi.in.c, oi.in.h, oi.in.w,
                               oi.out.h, oi.out.w, op.kernel, op.stride, op.pad, channels(oi.in_group, oi.in.c)};
                be.launch(a, int64_t(B) * oi.in.c * oi.out.h * oi.out.w, P);
                break;
            }
            case EMODIR_OP_HEAD: {
                HeadPoint a{slots[op.dst], slots[op.src], weights + op.weight_offset, weights + op.bias_offset,
                            src_image, dst_image, B, oi.in.c, oi.in.h * oi.in.w, op.out_c,
                            channels(oi.in_group, oi.in.c)};
                be.launch(a, int64_t(B) * op.out_c, P);
                break;
            }
        }
    }
    const int64_t n = prog.output.size();
    const bool cls = labels && prog.has_head;
    double* sse = arena.template alloc<double>(size_t(P) * B);
    double* ce = arena.template alloc<double>(size_t(P) * B);
    int* correct = arena.template alloc<int>(size_t(P) * B);
    LossPoint loss{slots[prog.output_slot],
                   reference ? arena.upload(reference, size_t(B) * n) : nullptr,
                   cls ? arena.upload(labels, size_t(B)) : nullptr,
                   sse, ce, correct, prog.max_slot_size[prog.output_slot], n, B,
                   channels(prog.output_group, prog.output.c), int64_t(prog.output.h) * prog.output.w};
    be.launch(loss, B, P);
    std::vector<double> h_sse(size_t(P) * B), h_ce(size_t(P) * B);
    std::vector<int> h_correct(size_t(P) * B);
    if (reference) be.download(h_sse.data(), sse, h_sse.size() * sizeof(double));
    if (cls) {
        be.download(h_ce.data(), ce, h_ce.size() * sizeof(double));
        be.download(h_correct.data(), correct, h_correct.size() * sizeof(int));
    }
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (int p = 0; p < P; ++p) {
        double s = 0.0, c = 0.0;
        long k = 0;
        for (int b = 0; b < B; ++b) {
            s += h_sse[size_t(p) * B + b];
            c += h_ce[size_t(p) * B + b];
            k += h_correct[size_t(p) * B + b];
        }
        float* o = objectives + int64_t(p) * EMODIR_NUM_OBJECTIVES;
        o[EMODIR_OBJ_MSE] = reference ? float(s / (double(B) * n)) : nan;
        o[EMODIR_OBJ_CROSS_ENTROPY] = cls ? float(c / B) : nan;
        o[EMODIR_OBJ_TOP1] = cls ? float(k) : nan;
    }
    return EMODIR_OK;
}

}  // namespace emodir
