// CUDA backend: one launch per op for the whole population (grid.y = individual), simple point kernels.
#include <cuda_runtime.h>

#include <new>
#include <stdexcept>
#include <string>

#include "emodir_native.h"
#include "gpu_plan.h"

namespace emodir {
namespace {

constexpr int kThreads = 256;

template <class Point>
__global__ void point_kernel(Point point, int64_t points) {
    const int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i < points) point.run(int(blockIdx.y), i);
}

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

struct CudaDevice {
    void* alloc(size_t bytes) {
        void* p = nullptr;
        check(cudaMalloc(&p, bytes), "cudaMalloc");
        check(cudaMemset(p, 0, bytes), "cudaMemset");
        return p;
    }
    void release(void* p) { cudaFree(p); }
    void upload(void* dst, const void* src, size_t bytes) {
        check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to device");
    }
    void download(void* dst, const void* src, size_t bytes) {
        check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy to host");
    }
    template <class Point>
    void launch(const Point& point, int64_t points, int population) {
        if (population > 65535) throw std::runtime_error("population above 65535 exceeds grid.y");
        dim3 grid(unsigned((points + kThreads - 1) / kThreads), unsigned(population));
        point_kernel<<<grid, kThreads>>>(point, points);
        check(cudaGetLastError(), "kernel launch");
    }
};

}  // namespace
}  // namespace emodir

using namespace emodir;

extern "C" int emodir_cuda_available(void) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        set_last_error(std::string("no CUDA backend: cudaGetDeviceCount failed: ") + cudaGetErrorString(e));
        return 0;
    }
    if (n == 0) {
        set_last_error("no CUDA backend: no CUDA device is visible");
        return 0;
    }
    return 1;
}

extern "C" int emodir_cuda_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population,
                                    const float* input, int32_t batch, const float* reference, const int32_t* labels,
                                    float* objectives) {
    const Program* prog = reinterpret_cast<const Program*>(program);
    if (!emodir_cuda_available()) return EMODIR_ERR_NO_CUDA;
    return run_guarded("emodir_cuda_evaluate", EMODIR_ERR_CUDA, "out of host memory", [&] {
        std::vector<ActiveChannels> active;
        int rc = prepare_population("emodir_cuda_evaluate", prog, masks, population, input, batch, labels, objectives,
                                    active);
        if (rc != EMODIR_OK) return rc;
        CudaDevice dev;
        rc = run_population(dev, *prog, active, population, input, batch, reference, labels, objectives);
        check(cudaDeviceSynchronize(), "kernel execution");
        return rc;
    });
}

extern "C" int64_t emodir_cuda_free_bytes(void) {
    if (!emodir_cuda_available()) return -1;
    size_t free_bytes = 0, total_bytes = 0;
    cudaError_t e = cudaMemGetInfo(&free_bytes, &total_bytes);
    if (e != cudaSuccess) {
        set_last_error(std::string("emodir_cuda_free_bytes: cudaMemGetInfo failed: ") + cudaGetErrorString(e));
        return -1;
    }
    return int64_t(free_bytes);
}
