# Portable baseline for every translation unit: the SIMD paths are chosen at load time by
# target_clones (sgemm.cpp), so the library runs on any x86-64 and uses AVX2/AVX-512 where present.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()
set(EMODIR_CXX_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-psabi)
# No -ffast-math: the tests compare against references with stated tolerances.
set(CMAKE_CXX_FLAGS_RELEASE "-O3")
