#include "program.h"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <sstream>

namespace emodir {

static thread_local std::string last_error;

void set_last_error(const std::string& msg) { last_error = msg; }

std::string Program::layer_using_group(int g) const {
    for (const auto& oi : ops)
        if (oi.op.kind == EMODIR_OP_CONV && oi.op.mask_group == g) return std::string(oi.op.name);
    return "<unused>";
}

bool active_channels(const Program& prog, const uint8_t* masks, int p, ActiveChannels& out) {
    const uint8_t* genes = masks + int64_t(p) * prog.num_genes;
    out.per_group.resize(prog.group_sizes.size());
    for (size_t g = 0; g < prog.group_sizes.size(); ++g) {
        auto& list = out.per_group[g];
        list.clear();
        const uint8_t* m = genes + prog.group_offsets[g];
        for (int c = 0; c < prog.group_sizes[g]; ++c)
            if (m[c]) list.push_back(c);
        if (list.empty()) {
            std::ostringstream s;
            s << "individual " << p << " keeps no channel of layer '" << prog.layer_using_group(int(g))
              << "' (mask group " << g << ", " << prog.group_sizes[g] << " channels)";
            set_last_error(s.str());
            return false;
        }
    }
    return true;
}

int prepare_population(const char* fn, const Program* prog, const uint8_t* masks, int population, const float* input,
                       int batch, const int32_t* labels, float* objectives, std::vector<ActiveChannels>& active) {
    if (!prog || !masks || population <= 0 || !input || batch <= 0 || !objectives) {
        std::ostringstream s;
        s << fn << ": invalid arguments (program " << (prog ? "set" : "NULL") << ", masks " << (masks ? "set" : "NULL")
          << ", population " << population << ", input " << (input ? "set" : "NULL") << ", batch " << batch
          << ", objectives " << (objectives ? "set" : "NULL") << ")";
        set_last_error(s.str());
        return EMODIR_ERR_INVALID_ARGUMENT;
    }
    active.resize(size_t(population));
    for (int p = 0; p < population; ++p)
        if (!active_channels(*prog, masks, p, active[p])) return EMODIR_ERR_EMPTY_MASK;
    if (labels && prog->has_head)
        for (int b = 0; b < batch; ++b)
            if (labels[b] < 0 || labels[b] >= prog->output.c) {
                set_last_error(std::string(fn) + ": label " + std::to_string(labels[b]) + " of image " +
                               std::to_string(b) + " is outside [0, " + std::to_string(prog->output.c) + ")");
                return EMODIR_ERR_INVALID_ARGUMENT;
            }
    return EMODIR_OK;
}

namespace {

std::string op_label(const emodir_op& op, int index) {
    char name[EMODIR_NAME_BYTES + 1];
    std::memcpy(name, op.name, EMODIR_NAME_BYTES);
    name[EMODIR_NAME_BYTES] = 0;
    std::ostringstream s;
    s << "op " << index << " '" << name << "'";
    return s.str();
}

struct Checker {
    const emodir_op& op;
    int index;
    std::string error;
    bool fail(const std::string& what) {
        error = op_label(op, index) + ": " + what;
        return false;
    }
};

bool weight_range_ok(Checker& ck, int64_t offset, int64_t count, int64_t num_weights, const char* what) {
    if (offset < 0 || count < 0 || offset > num_weights || count > num_weights - offset) {
        std::ostringstream s;
        s << what << " needs floats [" << offset << ", " << offset + count << ") but the weight blob holds "
          << num_weights;
        return ck.fail(s.str());
    }
    return true;
}

std::string shape_str(const Shape& s) {
    std::ostringstream o;
    o << "[" << s.c << "x" << s.h << "x" << s.w << "]";
    return o.str();
}

}  // namespace

}  // namespace emodir

using namespace emodir;

extern "C" const char* emodir_last_error(void) { return last_error.c_str(); }

// The Java flyweight (NativeProgram) writes these offsets; keep the struct and it in step.
static_assert(offsetof(emodir_op, mask_group) == 32, "emodir_op ABI");
static_assert(offsetof(emodir_op, weight_offset) == 40, "emodir_op ABI");
static_assert(offsetof(emodir_op, bias_offset) == 48, "emodir_op ABI");
static_assert(offsetof(emodir_op, name) == 56, "emodir_op ABI");
static_assert(sizeof(emodir_op) == 104, "emodir_op ABI");

extern "C" int32_t emodir_op_bytes(void) { return int32_t(sizeof(emodir_op)); }

static bool build(Program& prog, const emodir_op* ops, int32_t num_ops) {
    SlotState slots[EMODIR_MAX_SLOTS];
    bool live[EMODIR_MAX_SLOTS] = {};
    slots[0].shape = prog.input;
    live[0] = true;
    for (int i = 0; i < EMODIR_MAX_SLOTS; ++i) prog.max_slot_size[i] = 0;
    prog.max_slot_size[0] = prog.input.size();
    std::vector<bool> group_produced(prog.group_sizes.size(), false);
    for (int i = 0; i < num_ops; ++i) {
        const emodir_op& op = ops[i];
        Checker ck{op, i, {}};
        auto bad = [&](const std::string& m) {
            ck.fail(m);
            set_last_error(ck.error);
            return false;
        };
        if (op.dst < 0 || op.dst >= EMODIR_MAX_SLOTS || op.src < 0 || op.src >= EMODIR_MAX_SLOTS)
            return bad("slot out of range (dst " + std::to_string(op.dst) + ", src " + std::to_string(op.src) +
                       ", max " + std::to_string(EMODIR_MAX_SLOTS) + ")");
        if (!live[op.src]) return bad("reads slot " + std::to_string(op.src) + " before anything was written to it");
        if (op.kind != EMODIR_OP_RELU && op.dst == op.src)
            return bad("reads and writes slot " + std::to_string(op.src) + "; only relu may run in place");
        OpInfo info;
        info.op = op;
        info.op.name[EMODIR_NAME_BYTES - 1] = 0;
        info.in = slots[op.src].shape;
        info.in_group = slots[op.src].group;
        SlotState result;
        switch (op.kind) {
            case EMODIR_OP_CONV: {
                if (op.in_c != info.in.c)
                    return bad("expects " + std::to_string(op.in_c) + " input channels but its input is " +
                               shape_str(info.in));
                if (op.out_c <= 0 || op.kernel <= 0 || op.stride <= 0 || op.pad < 0)
                    return bad("invalid conv geometry (out_c " + std::to_string(op.out_c) + ", kernel " +
                               std::to_string(op.kernel) + ", stride " + std::to_string(op.stride) + ", pad " +
                               std::to_string(op.pad) + ")");
                int ho = (info.in.h + 2 * op.pad - op.kernel) / op.stride + 1;
                int wo = (info.in.w + 2 * op.pad - op.kernel) / op.stride + 1;
                if (ho <= 0 || wo <= 0) return bad("kernel larger than padded input " + shape_str(info.in));
                int64_t wcount = int64_t(op.out_c) * op.in_c * op.kernel * op.kernel;
                if (!weight_range_ok(ck, op.weight_offset, wcount, prog.num_weights, "weight") ||
                    !weight_range_ok(ck, op.bias_offset, op.out_c, prog.num_weights, "bias")) {
                    set_last_error(ck.error);
                    return false;
                }
                if (op.mask_group < -1 || op.mask_group >= int(prog.group_sizes.size()))
                    return bad("mask group " + std::to_string(op.mask_group) + " but the program has " +
                               std::to_string(prog.group_sizes.size()) + " groups");
                if (op.mask_group >= 0) {
                    if (prog.group_sizes[op.mask_group] != op.out_c)
                        return bad("mask group " + std::to_string(op.mask_group) + " has " +
                                   std::to_string(prog.group_sizes[op.mask_group]) + " genes but the conv has " +
                                   std::to_string(op.out_c) + " output channels");
                    group_produced[op.mask_group] = true;
                }
                result.shape = {op.out_c, ho, wo};
                result.group = op.mask_group;
                int64_t k2 = int64_t(op.kernel) * op.kernel;
                // im2col (k2 rows per channel, panel-padded columns) or the zero-padded input of the implicit GEMM.
                const int64_t padded = int64_t(op.in_c) * (info.in.h + 2 * op.pad) * (info.in.w + 2 * op.pad);
                prog.max_col_size = std::max({prog.max_col_size, int64_t(op.in_c) * k2 * ((int64_t(ho) * wo + 15) / 16 * 16), padded});
                prog.max_weight_pack = std::max(prog.max_weight_pack, int64_t((op.out_c + 5) / 6 * 6) * op.in_c * k2);
                break;
            }
            case EMODIR_OP_RELU:
                result = slots[op.src];
                break;
            case EMODIR_OP_ADD: {
                if (!live[op.dst]) return bad("adds into slot " + std::to_string(op.dst) + " that holds nothing");
                const SlotState& d = slots[op.dst];
                int step = op.stride <= 0 ? 1 : op.stride;
                bool same_group = d.group >= 0 && d.group == info.in_group;
                if (d.group >= 0 && !same_group)
                    return bad("adds into a channel-pruned tensor of another mask group (dst group " +
                               std::to_string(d.group) + ", src group " + std::to_string(info.in_group) + ")");
                if (op.pad < 0 || info.in.c + 2 * op.pad != d.shape.c || (info.in.h + step - 1) / step != d.shape.h ||
                    (info.in.w + step - 1) / step != d.shape.w)
                    return bad("shortcut " + shape_str(info.in) + " with stride " + std::to_string(step) +
                               " and channel pad " + std::to_string(op.pad) + " does not match " +
                               shape_str(d.shape));
                if (same_group && (step != 1 || op.pad != 0))
                    return bad("option-A shortcut between two tensors pruned by the same mask group");
                result = d;
                break;
            }
            case EMODIR_OP_MAXPOOL: {
                if (op.kernel <= 0 || op.stride <= 0 || op.pad < 0 || 2 * op.pad > op.kernel)
                    return bad("invalid maxpool geometry");
                int ho = (info.in.h + 2 * op.pad - op.kernel) / op.stride + 1;
                int wo = (info.in.w + 2 * op.pad - op.kernel) / op.stride + 1;
                if (ho <= 0 || wo <= 0) return bad("pool window larger than input " + shape_str(info.in));
                result.shape = {info.in.c, ho, wo};
                result.group = info.in_group;
                break;
            }
            case EMODIR_OP_HEAD: {
                if (op.in_c != info.in.c)
                    return bad("expects " + std::to_string(op.in_c) + " features but its input is " +
                               shape_str(info.in));
                if (op.out_c <= 0) return bad("head with " + std::to_string(op.out_c) + " classes");
                if (!weight_range_ok(ck, op.weight_offset, int64_t(op.out_c) * op.in_c, prog.num_weights,
                                     "weight") ||
                    !weight_range_ok(ck, op.bias_offset, op.out_c, prog.num_weights, "bias")) {
                    set_last_error(ck.error);
                    return false;
                }
                if (i != num_ops - 1) return bad("a head must be the last op");
                result.shape = {op.out_c, 1, 1};
                result.group = -1;
                prog.has_head = true;
                break;
            }
            default:
                return bad("unknown op kind " + std::to_string(op.kind));
        }
        info.out = result.shape;
        info.out_group = result.group;
        slots[op.dst] = result;
        live[op.dst] = true;
        prog.max_slot_size[op.dst] = std::max(prog.max_slot_size[op.dst], result.shape.size());
        prog.ops.push_back(info);
    }
    for (size_t g = 0; g < group_produced.size(); ++g)
        if (!group_produced[g]) {
            set_last_error("mask group " + std::to_string(g) + " is not the output of any conv");
            return false;
        }
    if (prog.ops.empty()) {
        set_last_error("program has no ops");
        return false;
    }
    prog.output_slot = prog.ops.back().op.dst;
    prog.output = slots[prog.output_slot].shape;
    // A channel-pruned output (e.g. a VGG sub-network ending in a prunable conv) is allowed: the backends
    // report it as the dense-width tensor with the dropped channels zero, what physical pruning gives.
    prog.output_group = slots[prog.output_slot].group;
    if (prog.output_group >= 0 && prog.has_head) {
        set_last_error("the program output is both a head and channel-pruned (mask group " +
                       std::to_string(prog.output_group) + ")");
        return false;
    }
    return true;
}

extern "C" emodir_program* emodir_program_create(const emodir_op* ops, int32_t num_ops, const float* weights,
                                                 int64_t num_weights, int32_t in_c, int32_t in_h, int32_t in_w,
                                                 const int32_t* group_sizes, int32_t num_groups) {
    if (!ops || num_ops <= 0 || !weights || num_weights <= 0 || in_c <= 0 || in_h <= 0 || in_w <= 0 ||
        num_groups < 0 || (num_groups > 0 && !group_sizes)) {
        std::ostringstream s;
        s << "emodir_program_create: invalid arguments (num_ops " << num_ops << ", num_weights " << num_weights
          << ", input " << in_c << "x" << in_h << "x" << in_w << ", num_groups " << num_groups << ")";
        set_last_error(s.str());
        return nullptr;
    }
    auto* prog = new (std::nothrow) Program();
    if (!prog) {
        set_last_error("out of memory");
        return nullptr;
    }
    prog->weights = weights;
    prog->num_weights = num_weights;
    prog->input = {in_c, in_h, in_w};
    for (int g = 0; g < num_groups; ++g) {
        if (group_sizes[g] <= 0) {
            set_last_error("mask group " + std::to_string(g) + " has " + std::to_string(group_sizes[g]) + " genes");
            delete prog;
            return nullptr;
        }
        prog->group_offsets.push_back(prog->num_genes);
        prog->group_sizes.push_back(group_sizes[g]);
        prog->num_genes += group_sizes[g];
    }
    if (!build(*prog, ops, num_ops)) {
        delete prog;
        return nullptr;
    }
    set_last_error("");
    return reinterpret_cast<emodir_program*>(prog);
}

extern "C" void emodir_program_destroy(emodir_program* program) { delete reinterpret_cast<Program*>(program); }

extern "C" int32_t emodir_program_num_genes(const emodir_program* program) {
    return program ? reinterpret_cast<const Program*>(program)->num_genes : -1;
}

extern "C" int64_t emodir_program_output_size(const emodir_program* program) {
    return program ? reinterpret_cast<const Program*>(program)->output.size() : -1;
}

extern "C" int64_t emodir_program_input_size(const emodir_program* program) {
    return program ? reinterpret_cast<const Program*>(program)->input.size() : -1;
}

extern "C" int emodir_program_set_precision(emodir_program* program, int32_t precision) {
    if (!program || (precision != EMODIR_PRECISION_FP32 && precision != EMODIR_PRECISION_BF16)) {
        set_last_error("emodir_program_set_precision: needs a program and EMODIR_PRECISION_FP32 (0) or _BF16 (1), got " +
                       std::to_string(precision));
        return EMODIR_ERR_INVALID_ARGUMENT;
    }
    reinterpret_cast<Program*>(program)->precision = precision;
    set_last_error("");
    return EMODIR_OK;
}
