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
    void* alloc(size_t bytes) {
        void* p = std::calloc(1, bytes);
        if (!p) throw std::bad_alloc();
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

}  // namespace
}  // namespace emodir

using namespace emodir;

extern "C" int emodir_emulated_cuda_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population,
                                             const float* input, int32_t batch, const float* reference,
                                             const int32_t* labels, float* objectives) {
    const Program* prog = reinterpret_cast<const Program*>(program);
    try {
        std::vector<ActiveChannels> active;
        int rc = prepare_population("emodir_emulated_cuda_evaluate", prog, masks, population, input, batch, labels,
                                    objectives, active);
        if (rc != EMODIR_OK) return rc;
        HostEmulation be;
        return run_population(be, *prog, active, population, input, batch, reference, labels, objectives);
    } catch (const std::bad_alloc&) {
        set_last_error("emodir_emulated_cuda_evaluate: out of memory");
        return EMODIR_ERR_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
        set_last_error(std::string("emodir_emulated_cuda_evaluate: ") + e.what());
        return EMODIR_ERR_INVALID_ARGUMENT;
    }
}
