#include "gpu_emulation.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include "gpu_plan.h"

namespace emodir {
namespace {

// A "device" that is host memory and a "launch" that is a loop over every (individual, point).
struct HostEmulation {
    int64_t allocated = 0;  // every "device" byte of the call: checked against emodir_cuda_scratch_bytes
    void* alloc(size_t bytes) {
        void* p = std::calloc(1, bytes);
        if (!p) throw std::bad_alloc();
        allocated += int64_t(bytes);
        return p;
    }
    void release(void* p) { std::free(p); }
    void upload(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
    void download(void* dst, const void* src, size_t bytes) { std::memcpy(dst, src, bytes); }
    template <class Point>
    void launch(const Point& point, int64_t points, int population) {
        for (int p = 0; p < population; ++p)
            for (int64_t i = 0; i < points; ++i) point.run(p, i);
    }
};

thread_local int64_t last_device_bytes = 0;

}  // namespace
}  // namespace emodir

using namespace emodir;

extern "C" int emodir_emulated_cuda_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population,
                                             const float* input, int32_t batch, const float* reference,
                                             const int32_t* labels, float* objectives) {
    const Program* prog = reinterpret_cast<const Program*>(program);
    return run_guarded("emodir_emulated_cuda_evaluate", EMODIR_ERR_INVALID_ARGUMENT, "out of memory", [&] {
        std::vector<ActiveChannels> active;
        int rc = prepare_population("emodir_emulated_cuda_evaluate", prog, masks, population, input, batch, labels,
                                    objectives, active);
        if (rc != EMODIR_OK) return rc;
        HostEmulation be;
        rc = run_population(be, *prog, active, population, input, batch, reference, labels, objectives);
        last_device_bytes = be.allocated;
        return rc;
    });
}

extern "C" int64_t emodir_emulated_cuda_device_bytes(void) { return last_device_bytes; }
