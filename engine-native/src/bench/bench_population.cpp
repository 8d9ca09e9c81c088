// Population benchmark of the C API on ResNet stage shapes, run by engine-native/gpu-check.sh (issue 13):
// times emodir_cuda_evaluate and emodir_cpu_evaluate on the same programs, masks and images, checks the
// CUDA objectives against the CPU ones, and writes one JSON line per network and per case.
//
// Every weight, image and mask comes from a counter-based hash (mix32) that scripts/torch_slice_bench.py
// reproduces, so the PyTorch baseline runs the very same sub-networks and its mse is checked against ours.
//
//   bench_population --probe        exit 0 when a CUDA device is usable, else 77 with the reason
//   bench_population --out FILE [--budget-s S] [--cpu-max N] [--tiny]
// --tiny: 3 individuals on 2 images (ResNet-50: 2 on 1), the CUDA backend replaced by its host emulation
// (no GPU needed; it runs ~1 GFLOP/s on one thread, hence the sizes).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "emodir_native.h"
#include "gpu_emulation.h"

namespace {

// ---- deterministic values, bit-identical in scripts/torch_slice_bench.py ----

uint32_t mix32(uint32_t x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

// Element i of stream `seed`: a bijection of i, so mask keys never tie.
uint32_t stream(uint32_t seed, uint32_t i) { return mix32(i * 0x9e3779b1u + seed); }

// Uniform in [-scale, scale): 24 random bits, exact in float, one rounding at the scale.
float uniform(uint32_t seed, uint32_t i, double scale) {
    const float u = float(stream(seed, i) >> 8) * (1.0f / 16777216.0f);
    return (u * 2.0f - 1.0f) * float(scale);
}

// ---- networks ----

struct ConvSpec {
    std::string name;
    int in_c, out_c, k, stride, pad, in_h, in_w, out_h, out_w;
    int group, in_group;  // mask group of the output / input channels, -1 = dense
    uint32_t w_seed, b_seed;
    double w_scale, b_scale;
};

struct BlockSpec {
    std::string kind;      // basic | bottleneck
    std::vector<int> convs;  // main path, in order
    std::string shortcut;  // identity | option_a | conv
    int stride = 1, pad = 0, conv = -1;
};

struct Network {
    std::string name, title;
    int in_c = 0, in_h = 0, in_w = 0;
    uint32_t input_seed = 0;
    std::vector<ConvSpec> convs;
    std::vector<BlockSpec> blocks;
    std::vector<int32_t> group_sizes;
    std::vector<uint32_t> group_seeds;
    std::vector<emodir_op> ops;
    std::vector<float> weights;
    int64_t input_size() const { return int64_t(in_c) * in_h * in_w; }
};

struct Value {
    int slot, c, h, w, group;
    int64_t size() const { return int64_t(c) * h * w; }
};

// Emits ops the way NetSpecPrograms does (conv + folded-BN bias, relu in place, add into the main path) and
// gives each new tensor the free slot that grows least, so P * B copies of every slot fit on one card.
class Builder {
   public:
    Builder(Network& n, uint32_t seed) : n_(n), seed_(seed) {
        cap_[0] = n.input_size();
        busy_[0] = true;
    }
    Value input() const { return {0, n_.in_c, n_.in_h, n_.in_w, -1}; }
    int last_conv() const { return int(n_.convs.size()) - 1; }

    Value conv(const Value& x, int out_c, int k, int stride, bool masked, double gain, const std::string& name) {
        ConvSpec c;
        c.name = name;
        c.in_c = x.c;
        c.out_c = out_c;
        c.k = k;
        c.stride = stride;
        c.pad = k / 2;
        c.in_h = x.h;
        c.in_w = x.w;
        c.out_h = (x.h + 2 * c.pad - k) / stride + 1;
        c.out_w = (x.w + 2 * c.pad - k) / stride + 1;
        c.in_group = x.group;
        c.group = -1;
        if (masked) {
            c.group = int(n_.group_sizes.size());
            n_.group_sizes.push_back(out_c);
            n_.group_seeds.push_back(next_seed());
        }
        c.w_seed = next_seed();
        c.b_seed = next_seed();
        c.w_scale = gain * std::sqrt(6.0 / double(x.c * k * k));  // uniform with He's std, times gain
        c.b_scale = 0.1;
        Value y{alloc(int64_t(out_c) * c.out_h * c.out_w), out_c, c.out_h, c.out_w, c.group};
        emodir_op op = make_op(EMODIR_OP_CONV, y.slot, x.slot, name);
        op.in_c = x.c;
        op.out_c = out_c;
        op.kernel = k;
        op.stride = stride;
        op.pad = c.pad;
        op.mask_group = c.group;
        op.weight_offset = int64_t(n_.weights.size());
        const int64_t nw = int64_t(out_c) * x.c * k * k;
        for (int64_t i = 0; i < nw; ++i) n_.weights.push_back(uniform(c.w_seed, uint32_t(i), c.w_scale));
        op.bias_offset = int64_t(n_.weights.size());
        for (int i = 0; i < out_c; ++i) n_.weights.push_back(uniform(c.b_seed, uint32_t(i), c.b_scale));
        n_.ops.push_back(op);
        n_.convs.push_back(c);
        return y;
    }
    void relu(const Value& v) { n_.ops.push_back(make_op(EMODIR_OP_RELU, v.slot, v.slot, "relu")); }
    // y += shortcut(x): identity, or option A (spatial step, zero channels `pad` on each side).
    void add(const Value& y, const Value& x, int step, int pad) {
        emodir_op op = make_op(EMODIR_OP_ADD, y.slot, x.slot, "add");
        op.stride = step;
        op.pad = pad;
        n_.ops.push_back(op);
    }
    void release(const Value& v) { busy_[v.slot] = false; }

   private:
    static emodir_op make_op(int kind, int dst, int src, const std::string& name) {
        emodir_op op;
        std::memset(&op, 0, sizeof op);
        op.kind = kind;
        op.dst = dst;
        op.src = src;
        op.mask_group = -1;
        std::snprintf(op.name, sizeof op.name, "%s", name.c_str());
        return op;
    }
    uint32_t next_seed() { return seed_ += 0x01000193u; }
    int alloc(int64_t floats) {
        int best = -1;
        for (int s = 0; s < EMODIR_MAX_SLOTS; ++s) {
            if (busy_[s]) continue;
            auto growth = [&](int t) { return std::max<int64_t>(0, floats - cap_[t]); };
            if (best < 0 || growth(s) < growth(best) || (growth(s) == growth(best) && cap_[s] < cap_[best])) best = s;
        }
        if (best < 0) {
            std::fprintf(stderr, "bench: %s needs more than %d slots\n", n_.name.c_str(), EMODIR_MAX_SLOTS);
            std::exit(1);
        }
        busy_[best] = true;
        cap_[best] = std::max(cap_[best], floats);
        return best;
    }
    Network& n_;
    uint32_t seed_;
    int64_t cap_[EMODIR_MAX_SLOTS] = {};
    bool busy_[EMODIR_MAX_SLOTS] = {};
};

Network make_network(const std::string& name, const std::string& title, int c, int h, int w, uint32_t seed) {
    Network n;
    n.name = name;
    n.title = title;
    n.in_c = c;
    n.in_h = h;
    n.in_w = w;
    n.input_seed = mix32(seed);
    return n;
}

// A CIFAR ResNet-56 stage: 9 basic blocks relu(conv2(relu(conv1 x)) + shortcut(x)); conv1's output channels
// are the block's mask group; a downsampling stage's first block has stride 2 and the option-A shortcut.
Network cifar_stage(const std::string& name, int in_c, int size, int width, bool downsample, uint32_t seed) {
    const int out = downsample ? size / 2 : size;
    Network n = make_network(name,
                             "ResNet-56 " + name.substr(4) + ": 9 basic blocks, " + std::to_string(width) + "ch " +
                                 std::to_string(out) + "x" + std::to_string(out) +
                                 (downsample ? " (first block stride 2, option-A shortcut)" : ""),
                             in_c, size, size, seed);
    Builder b(n, seed);
    Value x = b.input();
    for (int i = 0; i < 9; ++i) {
        const int s = i == 0 && downsample ? 2 : 1;
        const std::string p = "block" + std::to_string(i) + ".";
        BlockSpec blk;
        blk.kind = "basic";
        Value h = b.conv(x, width, 3, s, true, 1.0, p + "conv1");
        blk.convs.push_back(b.last_conv());
        b.relu(h);
        Value y = b.conv(h, width, 3, 1, false, 0.5, p + "conv2");
        blk.convs.push_back(b.last_conv());
        b.release(h);
        blk.stride = s;
        blk.pad = (width - x.c) / 2;
        blk.shortcut = s == 1 && blk.pad == 0 ? "identity" : "option_a";
        b.add(y, x, s, blk.pad);
        b.relu(y);
        b.release(x);
        n.blocks.push_back(blk);
        x = y;
    }
    return n;
}

// ResNet-50 layer3 (torchvision v1.5: stride on the 3x3), its first 3 of 6 bottlenecks: 512ch 28x28 in,
// 1024ch 14x14 out, width 256; conv1 and conv2 outputs are mask groups, conv3 and the downsample are dense.
// Blocks 3-5 repeat the shapes of blocks 1-2; 3 keep the CPU reference and the card's memory in bounds.
Network imagenet_layer3(uint32_t seed) {
    Network n = make_network("r50_layer3", "ResNet-50 layer3[0:3]: bottlenecks 1x1/3x3/1x1, 512ch 28x28 -> 1024ch "
                             "14x14, width 256, 1x1 stride-2 downsample in block 0", 512, 28, 28, seed);
    Builder b(n, seed);
    Value x = b.input();
    for (int i = 0; i < 3; ++i) {
        const int s = i == 0 ? 2 : 1;
        const std::string p = "layer3." + std::to_string(i) + ".";
        BlockSpec blk;
        blk.kind = "bottleneck";
        Value h1 = b.conv(x, 256, 1, 1, true, 1.0, p + "conv1");
        blk.convs.push_back(b.last_conv());
        b.relu(h1);
        Value h2 = b.conv(h1, 256, 3, s, true, 1.0, p + "conv2");
        blk.convs.push_back(b.last_conv());
        b.relu(h2);
        b.release(h1);
        Value y = b.conv(h2, 1024, 1, 1, false, 0.5, p + "conv3");
        blk.convs.push_back(b.last_conv());
        b.release(h2);
        if (i == 0) {
            Value d = b.conv(x, 1024, 1, s, false, 0.5, p + "downsample.0");
            blk.shortcut = "conv";
            blk.conv = b.last_conv();
            blk.stride = s;
            b.add(y, d, 1, 0);
            b.release(d);
        } else {
            blk.shortcut = "identity";
            b.add(y, x, 1, 0);
        }
        b.relu(y);
        b.release(x);
        n.blocks.push_back(blk);
        x = y;
    }
    return n;
}

// ---- masks and FLOPs ----

std::vector<int> kept_counts(const Network& n, double keep) {
    std::vector<int> kept;
    for (int size : n.group_sizes) kept.push_back(std::clamp(int(std::lround(keep * size)), 1, size));
    return kept;
}

// Individual p keeps, in each group, the `kept` channels with the smallest stream(group seed, p * size + c).
std::vector<uint8_t> make_masks(const Network& n, int P, const std::vector<int>& kept) {
    const int genes = std::accumulate(n.group_sizes.begin(), n.group_sizes.end(), 0);
    std::vector<uint8_t> masks(size_t(P) * genes, 0);
    int off = 0;
    for (size_t g = 0; g < n.group_sizes.size(); ++g) {
        const int size = n.group_sizes[g];
        std::vector<int> order(size_t(size), 0);
        for (int p = 0; p < P; ++p) {
            std::iota(order.begin(), order.end(), 0);
            auto key = [&](int c) { return stream(n.group_seeds[g], uint32_t(p * size + c)); };
            std::partial_sort(order.begin(), order.begin() + kept[g], order.end(),
                              [&](int a, int b) { return key(a) < key(b); });
            for (int j = 0; j < kept[g]; ++j) masks[size_t(p) * genes + off + order[j]] = 1;
        }
        off += size;
    }
    return masks;
}

// Useful FLOPs of one individual on one image: 2 x MACs over kept input and output channels only.
double useful_flop(const Network& n, const std::vector<int>& kept) {
    double f = 0;
    for (const ConvSpec& c : n.convs) {
        const int out = c.group >= 0 ? kept[c.group] : c.out_c, in = c.in_group >= 0 ? kept[c.in_group] : c.in_c;
        f += 2.0 * out * in * c.k * c.k * c.out_h * c.out_w;
    }
    return f;
}

// ---- JSON lines ----

std::string num(double v) {
    if (!std::isfinite(v)) return "null";
    char b[32];
    std::snprintf(b, sizeof b, "%.17g", v);  // exact for seeds and scales
    return b;
}

template <class T>
std::string arr(const std::vector<T>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + num(double(v[i]));
    return s + "]";
}

std::string str(const std::string& v) { return "\"" + v + "\""; }  // names hold no quotes or backslashes

class Json {
   public:
    Json& raw(const char* k, const std::string& v) {
        s_ += (s_.size() > 1 ? ",\"" : "\"") + std::string(k) + "\":" + v;
        return *this;
    }
    Json& put(const char* k, double v) { return raw(k, num(v)); }
    Json& put(const char* k, const std::string& v) { return raw(k, str(v)); }
    std::string done() const { return s_ + "}"; }

   private:
    std::string s_ = "{";
};

std::string network_json(const Network& n, int B, double ref_power) {
    std::string convs = "[", blocks = "[", groups = "[";
    for (size_t i = 0; i < n.convs.size(); ++i) {
        const ConvSpec& c = n.convs[i];
        convs += (i ? "," : "") + Json()
                                      .put("name", c.name)
                                      .put("in", c.in_c)
                                      .put("out", c.out_c)
                                      .put("k", c.k)
                                      .put("stride", c.stride)
                                      .put("pad", c.pad)
                                      .put("group", c.group)
                                      .put("in_group", c.in_group)
                                      .put("w_seed", c.w_seed)
                                      .put("w_scale", c.w_scale)
                                      .put("b_seed", c.b_seed)
                                      .put("b_scale", c.b_scale)
                                      .done();
    }
    for (size_t i = 0; i < n.blocks.size(); ++i) {
        const BlockSpec& b = n.blocks[i];
        blocks += (i ? "," : "") + Json()
                                       .put("kind", b.kind)
                                       .raw("convs", arr(b.convs))
                                       .put("shortcut", b.shortcut)
                                       .put("stride", b.stride)
                                       .put("pad", b.pad)
                                       .put("conv", b.conv)
                                       .done();
    }
    for (size_t g = 0; g < n.group_sizes.size(); ++g)
        groups += (g ? "," : "") + Json().put("size", n.group_sizes[g]).put("seed", n.group_seeds[g]).done();
    return Json()
        .put("type", "network")
        .put("name", n.name)
        .put("title", n.title)
        .raw("input", arr(std::vector<int>{n.in_c, n.in_h, n.in_w}))
        .put("input_seed", n.input_seed)
        .put("batch", B)
        .put("ref_power", ref_power)
        .put("dense_gflop_per_image", useful_flop(n, n.group_sizes) * 1e-9)
        .raw("groups", groups + "]")
        .raw("convs", convs + "]")
        .raw("blocks", blocks + "]")
        .done();
}

// ---- timing ----

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

using EvaluateFn = int (*)(const emodir_program*, const uint8_t*, int32_t, const float*, int32_t, const float*,
                           const int32_t*, float*);

// One population evaluation in chunks of `chunk` individuals (objectives do not depend on the split).
bool evaluate_chunked(EvaluateFn fn, const emodir_program* prog, const std::vector<uint8_t>& masks, int genes, int P,
                      int chunk, const std::vector<float>& input, int B, const std::vector<float>& ref,
                      std::vector<float>& obj, double& ms) {
    const auto t = Clock::now();
    for (int p0 = 0; p0 < P; p0 += chunk) {
        const int n = std::min(chunk, P - p0);
        if (fn(prog, masks.data() + size_t(p0) * genes, n, input.data(), B, ref.data(), nullptr,
               obj.data() + size_t(p0) * EMODIR_NUM_OBJECTIVES) != EMODIR_OK)
            return false;
    }
    ms = seconds_since(t) * 1e3;
    return true;
}

int cpu_threads = 1;
int cpu_evaluate(const emodir_program* prog, const uint8_t* masks, int32_t P, const float* input, int32_t B,
                 const float* ref, const int32_t* labels, float* objectives) {
    return emodir_cpu_evaluate(prog, masks, P, input, B, ref, labels, cpu_threads, objectives);
}

struct Options {
    std::string out;
    bool tiny = false;
    double budget_s = 1e9;
    int cpu_max = 16;
};

// One network's program with its images and dense reference.
struct Workload {
    const Network& net;
    emodir_program* prog;
    int genes, B;
    std::vector<float> input, ref;
    double ref_power;
};

class Bench {
   public:
    Bench(const Options& o, FILE* out)
        : o_(o), out_(out), gpu_(o.tiny ? emodir_emulated_cuda_evaluate : emodir_cuda_evaluate),
          gpu_name_(o.tiny ? "cuda_emulated" : "cuda") {
        cpu_threads = threads_ = int(std::max(1u, std::thread::hardware_concurrency()));
        cpu_rate_ = 5e9 * threads_;
        emit(Json()
                 .put("type", "run")
                 .put("mode", o.tiny ? "tiny" : "gpu")
                 .put("gpu_backend", gpu_name_)
                 .put("threads", threads_)
                 .put("tolerance", kTolerance)
                 .put("cpu_max", o.cpu_max)
                 .put("budget_s", o.budget_s)
                 .done());
    }

    // Returns false on an API error (the message is printed); mismatches only count as failures.
    bool run_network(const Network& n) {
        const bool big = n.name == "r50_layer3";
        Workload w{n, emodir_program_create(n.ops.data(), int(n.ops.size()), n.weights.data(),
                                            int64_t(n.weights.size()), n.in_c, n.in_h, n.in_w, n.group_sizes.data(),
                                            int(n.group_sizes.size())),
                   0, !o_.tiny ? 128 : big ? 1 : 2, {}, {}, 0.0};
        if (!w.prog) return api_error(n.name + ": program_create", "");
        w.genes = emodir_program_num_genes(w.prog);
        w.input.resize(size_t(w.B) * n.input_size());
        for (size_t i = 0; i < w.input.size(); ++i) w.input[i] = uniform(n.input_seed, uint32_t(i), 1.0);
        // The reference is the dense network's output: mse then measures what pruning changes, so a wrong
        // channel anywhere shows up, and at keep 1.0 any deviation from the dense forward does.
        w.ref.resize(size_t(w.B) * emodir_program_output_size(w.prog));
        const std::vector<uint8_t> all(size_t(w.genes), 1);
        bool ok = emodir_cpu_forward(w.prog, all.data(), 1, w.input.data(), w.B, threads_, w.ref.data()) == EMODIR_OK;
        if (!ok) api_error(n.name + ": dense reference", "");
        for (float r : w.ref) w.ref_power += double(r) * r;
        w.ref_power /= double(w.ref.size());
        if (ok) emit(network_json(n, w.B, w.ref_power));
        const std::vector<int> populations = !o_.tiny ? std::vector<int>{32, 128} : std::vector<int>{big ? 2 : 3};
        for (double keep : {0.5, 1.0})
            for (int P : populations)
                if (ok) ok = run_case(w, P, keep);
        emodir_program_destroy(w.prog);
        return ok;
    }

    int finish() const {
        std::printf("bench_population: %d cases run, %d skipped for time, %d failures, %.0f s\n", ran_, skipped_,
                    failures_, seconds_since(start_));
        return failures_ || ran_ == 0 ? 1 : 0;
    }

   private:
    static constexpr double kTolerance = 1e-3;

    bool run_case(const Workload& w, int P, double keep) {
        const Network& n = w.net;
        const std::vector<int> kept = kept_counts(n, keep);
        const double flop_ind = useful_flop(n, kept) * w.B;
        const int cpu_pop = std::min(P, o_.cpu_max);
        char tag[96];
        std::snprintf(tag, sizeof tag, "%-11s P=%-3d keep=%.1f", n.name.c_str(), P, keep);
        const double estimate = 3 * flop_ind * P / gpu_rate_ + flop_ind * cpu_pop / cpu_rate_;
        if (ran_ > 0 && seconds_since(start_) + estimate > o_.budget_s) {
            std::printf("%s  skipped: ~%.0f s estimated, %.0f s of %.0f s used\n", tag, estimate,
                        seconds_since(start_), o_.budget_s);
            emit(Json()
                     .put("type", "skipped")
                     .put("network", n.name)
                     .put("population", P)
                     .put("keep", keep)
                     .put("reason", "time budget")
                     .put("estimate_s", estimate)
                     .done());
            ++skipped_;
            return true;
        }
        const std::vector<uint8_t> masks = make_masks(n, P, kept);
        // Chunks only when one call's device memory would not fit the card.
        int chunk = P;
        if (!o_.tiny) {
            const double free_bytes = double(emodir_cuda_free_bytes());
            while (chunk > 1 && double(emodir_cuda_scratch_bytes(w.prog, chunk, w.B)) > 0.9 * free_bytes)
                chunk = (chunk + 1) / 2;
        }
        const int chunks = (P + chunk - 1) / chunk;
        std::vector<float> g(size_t(P) * EMODIR_NUM_OBJECTIVES), c(size_t(cpu_pop) * EMODIR_NUM_OBJECTIVES);
        double warm = 0, ms = 0;
        std::vector<double> gpu_runs, cpu_runs;
        // The warm-up's objectives are the ones checked; every later call must give the same bits.
        if (!evaluate_chunked(gpu_, w.prog, masks, w.genes, P, chunk, w.input, w.B, w.ref, g, warm))
            return api_error(tag, gpu_name_);
        const int reps = o_.tiny ? 0
                                 : std::min(warm < 300 ? 5 : warm < 2000 ? 3 : 1,
                                            std::max(1, int((o_.budget_s - seconds_since(start_)) / (2e-3 * warm))));
        for (int r = 0; r < reps; ++r) {
            std::vector<float> again(g.size());
            if (!evaluate_chunked(gpu_, w.prog, masks, w.genes, P, chunk, w.input, w.B, w.ref, again, ms))
                return api_error(tag, gpu_name_);
            gpu_runs.push_back(ms);
            if (std::memcmp(again.data(), g.data(), g.size() * sizeof(float)) != 0) {
                std::fprintf(stderr, "FAIL %s: %s objectives differ between calls\n", tag, gpu_name_);
                ++failures_;
            }
        }
        // The CPU runs the first cpu_pop individuals only: enough to check every case and to time it.
        const std::vector<uint8_t> sub(masks.begin(), masks.begin() + size_t(cpu_pop) * w.genes);
        for (int r = 0; r < (o_.tiny ? 1 : 3); ++r) {
            if (!evaluate_chunked(cpu_evaluate, w.prog, sub, w.genes, cpu_pop, cpu_pop, w.input, w.B, w.ref, c, ms))
                return api_error(tag, "cpu");
            cpu_runs.push_back(ms);
            if (ms > 1500) break;  // slow enough that one call is a fair time
        }
        const double floor = 1e-6 * w.ref_power;  // keep 1.0: mse is ~0, compare against the signal instead
        double max_rel = 0;
        std::vector<float> mse_gpu, mse_cpu;
        for (int p = 0; p < P; ++p) mse_gpu.push_back(g[size_t(p) * EMODIR_NUM_OBJECTIVES + EMODIR_OBJ_MSE]);
        for (int p = 0; p < cpu_pop; ++p) {
            mse_cpu.push_back(c[size_t(p) * EMODIR_NUM_OBJECTIVES + EMODIR_OBJ_MSE]);
            const double rel = std::fabs(double(mse_gpu[p]) - mse_cpu[p]) / std::max<double>(std::fabs(mse_cpu[p]), floor);
            max_rel = std::isfinite(rel) ? std::max(max_rel, rel) : INFINITY;
        }
        const bool match = max_rel <= kTolerance;
        if (!match) {
            std::fprintf(stderr, "FAIL %s: %s mse differs from cpu by %.3g (relative, > %g)\n", tag, gpu_name_,
                         max_rel, kTolerance);
            ++failures_;
        }
        const double gpu_ms = gpu_runs.empty() ? warm : median(gpu_runs), cpu_ms = median(cpu_runs);
        const double gpu_gflops = flop_ind * P / gpu_ms * 1e-6, cpu_gflops = flop_ind * cpu_pop / cpu_ms * 1e-6;
        gpu_rate_ = gpu_gflops * 1e9;
        cpu_rate_ = cpu_gflops * 1e9;
        ++ran_;
        std::printf("%s  %s %9.1f ms %8.1f GFLOP/s (%d chunk%s) | cpu %9.1f ms for %d (%7.1f GFLOP/s) | "
                    "max rel err %.2g %s\n",
                    tag, gpu_name_, gpu_ms, gpu_gflops, chunks, chunks > 1 ? "s" : "", cpu_ms, cpu_pop, cpu_gflops,
                    max_rel, match ? "ok" : "MISMATCH");
        std::fflush(stdout);
        emit(Json()
                 .put("type", "case")
                 .put("network", n.name)
                 .put("population", P)
                 .put("keep", keep)
                 .put("batch", w.B)
                 .raw("kept", arr(kept))
                 .put("useful_gflop", flop_ind * P * 1e-9)
                 .raw("gpu", Json()
                                 .put("backend", gpu_name_)
                                 .put("ms", gpu_ms)
                                 .put("warmup_ms", warm)
                                 .raw("runs_ms", arr(gpu_runs))
                                 .put("chunks", chunks)
                                 .put("device_bytes", double(emodir_cuda_scratch_bytes(w.prog, P, w.B)))
                                 .put("gflops", gpu_gflops)
                                 .done())
                 .raw("cpu", Json()
                                 .put("population", cpu_pop)
                                 .put("threads", threads_)
                                 .put("ms", cpu_ms)
                                 .raw("runs_ms", arr(cpu_runs))
                                 .put("ms_scaled_to_population", cpu_ms * P / cpu_pop)
                                 .put("gflops", cpu_gflops)
                                 .done())
                 .raw("mse_gpu", arr(mse_gpu))
                 .raw("mse_cpu", arr(mse_cpu))
                 .put("max_rel_err", max_rel)
                 .raw("ok", match ? "true" : "false")
                 .done());
        return true;
    }

    bool api_error(const std::string& what, const char* backend) {
        std::fprintf(stderr, "FAIL %s: %s%s%s\n", what.c_str(), backend, *backend ? ": " : "", emodir_last_error());
        ++failures_;
        return false;
    }

    void emit(const std::string& line) {
        std::fprintf(out_, "%s\n", line.c_str());
        std::fflush(out_);  // a run cut short by the caller's timeout keeps every finished case
    }

    const Options& o_;
    FILE* out_;
    const EvaluateFn gpu_;
    const char* gpu_name_;
    const Clock::time_point start_ = Clock::now();
    int threads_ = 1;
    // Guesses until a case has been measured, then the last case's rates: only used to skip cases that
    // would overrun the budget.
    double gpu_rate_ = 5e11, cpu_rate_ = 5e10;
    int failures_ = 0, ran_ = 0, skipped_ = 0;
};

int usage() {
    std::fprintf(stderr, "usage: bench_population --probe | --out FILE [--tiny] [--budget-s S] [--cpu-max N]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--probe") {
            if (emodir_cuda_available()) {
                std::printf("cuda: available, %.1f GiB free on device 0\n",
                            double(emodir_cuda_free_bytes()) / (1 << 30));
                return 0;
            }
            std::printf("cuda: unavailable: %s\n", emodir_last_error());
            return 77;
        } else if (a == "--tiny") {
            o.tiny = true;
        } else if (a == "--out" && has_value) {
            o.out = argv[++i];
        } else if (a == "--budget-s" && has_value) {
            o.budget_s = std::atof(argv[++i]);
        } else if (a == "--cpu-max" && has_value) {
            o.cpu_max = std::max(1, std::atoi(argv[++i]));
        } else {
            return usage();
        }
    }
    if (o.out.empty()) return usage();
    if (!o.tiny && !emodir_cuda_available()) {
        std::printf("bench_population: no CUDA device (%s); --tiny runs without one\n", emodir_last_error());
        return 77;
    }
    FILE* out = std::fopen(o.out.c_str(), "w");
    if (!out) {
        std::fprintf(stderr, "bench_population: cannot write %s\n", o.out.c_str());
        return 1;
    }
    Bench bench(o, out);
    const uint32_t seed = 20260513;
    // Goal shapes first (ResNet-56 stage 3), the heaviest last: a tight budget skips from the end.
    bool ok = bench.run_network(cifar_stage("r56_stage3", 32, 16, 64, true, seed + 3)) &&
              bench.run_network(cifar_stage("r56_stage1", 16, 32, 16, false, seed + 1)) &&
              bench.run_network(cifar_stage("r56_stage2", 16, 32, 32, true, seed + 2)) &&
              bench.run_network(imagenet_layer3(seed + 4));
    std::fclose(out);
    const int rc = bench.finish();
    return ok ? rc : 1;
}
