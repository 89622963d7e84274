// What the CPU we run on can do, read once (cpuid through the compiler's builtins on x86,
// getauxval(AT_HWCAP/AT_HWCAP2) on Linux ARM64).
#pragma once

#include <string>

namespace pocket {

struct CpuFeatures {
  // x86-64
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool avxvnni = false;  // AVX-VNNI: vpdpbusd on ymm without AVX-512 (CPUID.(7,1):EAX[4])
  bool avx512f = false;
  bool avx512bw = false;
  bool avx512vl = false;
  bool avx512vnni = false;
  bool avx512bf16 = false;
  // ARM64
  bool neon = false;
  bool dotprod = false;
  bool i8mm = false;

  std::string describe() const;
};

const CpuFeatures& cpu_features();

}  // namespace pocket
