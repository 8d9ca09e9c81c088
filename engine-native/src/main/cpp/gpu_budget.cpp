// Device memory a CUDA evaluate call needs; compiled with or without nvcc so callers can plan chunks anywhere.
#include <string>

#include "emodir_native.h"
#include "gpu_plan.h"

extern "C" int64_t emodir_cuda_scratch_bytes(const emodir_program* program, int32_t population, int32_t batch) {
    const emodir::Program* prog = reinterpret_cast<const emodir::Program*>(program);
    if (!prog || population <= 0 || batch <= 0) {
        emodir::set_last_error("emodir_cuda_scratch_bytes: needs a program and positive population and batch, got "
                               "population " + std::to_string(population) + ", batch " + std::to_string(batch));
        return -1;
    }
    return emodir::device_bytes(*prog, population, batch);
}
