# Enables the CUDA backend whenever nvcc is found; otherwise the library builds a stub that reports
# "no CUDA backend". cudart is linked statically so the library needs nothing but the driver.
find_program(EMODIR_NVCC nvcc)
if(EMODIR_NVCC AND NOT EMODIR_DISABLE_CUDA)
  set(CMAKE_CUDA_COMPILER ${EMODIR_NVCC})
  # gpu-check.sh builds for the lent card only (90: H100/H200); the default serves A100 and H100.
  set(EMODIR_CUDA_ARCHITECTURES "80;90" CACHE STRING "CUDA architectures of the CUDA backend")
  set(CMAKE_CUDA_ARCHITECTURES ${EMODIR_CUDA_ARCHITECTURES})
  set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
  set(CMAKE_CUDA_STANDARD 17)
  enable_language(CUDA)
  set(EMODIR_WITH_CUDA ON)
  message(STATUS "emodir: CUDA backend enabled (${EMODIR_NVCC})")
else()
  set(EMODIR_WITH_CUDA OFF)
  message(STATUS "emodir: nvcc not found, building without the CUDA backend")
endif()
