// Test hook: runs the CUDA backend's orchestration and point kernels on the host, one thread, so the
// CUDA indexing logic is checked against the CPU backend on machines without a GPU.
#pragma once
#include "emodir_native.h"

#ifdef __cplusplus
extern "C" {
#endif

int emodir_emulated_cuda_evaluate(const emodir_program* program, const uint8_t* masks, int32_t population,
                                  const float* input, int32_t batch, const float* reference, const int32_t* labels,
                                  float* objectives);

#ifdef __cplusplus
}
#endif
