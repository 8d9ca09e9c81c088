// Validated program: ops plus the per-slot shapes inferred once, shared by the CPU and CUDA backends.
#pragma once
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "emodir_native.h"

namespace emodir {

struct Shape {
    int c = 0, h = 0, w = 0;
    int64_t size() const { return int64_t(c) * h * w; }
};

// Slot state after an op: its shape and which mask group (if any) selects its live channels.
struct SlotState {
    Shape shape;
    int group = -1;  // -1 = dense: every channel present
};

struct OpInfo {
    emodir_op op;
    Shape in, out;       // src and dst shapes
    int in_group = -1;   // mask group of the src tensor (channels stored compacted)
    int out_group = -1;  // mask group of the dst tensor after the op
};

struct Program {
    std::vector<OpInfo> ops;
    const float* weights = nullptr;
    int64_t num_weights = 0;
    Shape input;
    std::vector<int> group_sizes, group_offsets;
    int num_genes = 0;
    int output_slot = 0;
    Shape output;          // dense shape: a channel-pruned output is reported zero-expanded to it
    int output_group = -1; // mask group of the output tensor (-1 = dense), e.g. a sub-network ending in a prunable conv
    bool has_head = false;
    int precision = EMODIR_PRECISION_FP32;         // of the CPU backend's convs (emodir_program_set_precision)
    int64_t max_slot_size[EMODIR_MAX_SLOTS] = {};  // floats per image, dense bound
    int64_t max_col_size = 0;                      // floats of one im2col buffer (dense bound)
    int64_t max_weight_pack = 0;                   // floats of one packed weight matrix (dense bound)

    std::string layer_using_group(int g) const;
};

// Active channels per group for one individual: indices into the group's channels, ascending.
struct ActiveChannels {
    std::vector<std::vector<int>> per_group;
};

// Fills `out` for individual `p`; returns false and sets the last error if a group is empty.
bool active_channels(const Program& prog, const uint8_t* masks, int p, ActiveChannels& out);

void set_last_error(const std::string& msg);

// Runs `body` (returns an emodir status) so that no C++ exception crosses the C API: std::bad_alloc becomes
// EMODIR_ERR_OUT_OF_MEMORY with the last error "<fn>: <out_of_memory>", any other std::exception becomes
// `failure` with the last error "<fn>: <what()>". One place for the catch blocks of every evaluate entry point.
template <typename Body>
int run_guarded(const char* fn, int failure, const char* out_of_memory, Body&& body) {
    try {
        return body();
    } catch (const std::bad_alloc&) {
        set_last_error(std::string(fn) + ": " + out_of_memory);
        return EMODIR_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string(fn) + ": " + e.what());
        return failure;
    }
}

// Shared argument checks of the evaluate entry points; fills each individual's active channels.
// Returns EMODIR_OK or an error code with the last error naming `fn` and the offending value.
int prepare_population(const char* fn, const Program* prog, const uint8_t* masks, int population, const float* input,
                       int batch, const int32_t* labels, float* objectives, std::vector<ActiveChannels>& active);

}  // namespace emodir
