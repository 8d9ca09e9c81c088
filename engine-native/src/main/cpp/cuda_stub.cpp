// Built instead of src/main/cuda when nvcc was not found at configure time.
#include "emodir_native.h"
#include "program.h"

extern "C" int emodir_cuda_available(void) {
    emodir::set_last_error("no CUDA backend: libemodir_native was built without nvcc");
    return 0;
}

extern "C" int emodir_cuda_evaluate(const emodir_program*, const uint8_t*, int32_t, const float*, int32_t,
                                    const float*, const int32_t*, float*) {
    emodir::set_last_error("no CUDA backend: libemodir_native was built without nvcc");
    return EMODIR_ERR_NO_CUDA;
}
