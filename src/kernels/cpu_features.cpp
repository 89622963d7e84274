#include "kernels/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace pocket {
namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__)
  // cpuid directly: compilers' __builtin_cpu_supports differ in the names they accept.
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = (c >> 27) & 1;
  const bool fma = (c >> 12) & 1;
  const bool f16c = (c >> 29) & 1;
  uint64_t xcr0 = 0;
  if (osxsave) {
    uint32_t lo = 0, hi = 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    xcr0 = (static_cast<uint64_t>(hi) << 32) | lo;
  }
  // The OS must save the vector registers: YMM (bits 1-2), and ZMM/opmask (bits 5-7).
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = (xcr0 & 0xe6) == 0xe6;
  unsigned b7 = 0, c7 = 0, a71 = 0;
  if (__get_cpuid_count(7, 0, &a, &b7, &c7, &d)) {
    unsigned b71 = 0, c71 = 0, d71 = 0;
    if (__get_cpuid_count(7, 1, &a71, &b71, &c71, &d71) == 0) a71 = 0;
  }
  f.avx2 = os_avx && ((b7 >> 5) & 1);
  f.fma = os_avx && fma;
  f.f16c = os_avx && f16c;
  f.avxvnni = os_avx && ((a71 >> 4) & 1);
  f.avx512f = os_avx512 && ((b7 >> 16) & 1);
  f.avx512bw = os_avx512 && ((b7 >> 30) & 1);
  f.avx512vl = os_avx512 && ((b7 >> 31) & 1);
  f.avx512vnni = os_avx512 && ((c7 >> 11) & 1);
  f.avx512bf16 = os_avx512 && ((a71 >> 5) & 1);
#elif defined(__aarch64__) && defined(__linux__)
  const unsigned long hw = getauxval(AT_HWCAP);
  const unsigned long hw2 = getauxval(AT_HWCAP2);
  f.neon = (hw & HWCAP_ASIMD) != 0;
  f.dotprod = (hw & HWCAP_ASIMDDP) != 0;
#ifdef HWCAP2_I8MM
  f.i8mm = (hw2 & HWCAP2_I8MM) != 0;
#else
  (void)hw2;
#endif
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

std::string CpuFeatures::describe() const {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ' ';
    s += name;
  };
  add(avx2, "avx2");
  add(fma, "fma");
  add(f16c, "f16c");
  add(avxvnni, "avxvnni");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vl, "avx512vl");
  add(avx512vnni, "avx512vnni");
  add(avx512bf16, "avx512bf16");
  add(neon, "neon");
  add(dotprod, "dotprod");
  add(i8mm, "i8mm");
  return s.empty() ? "none" : s;
}

}  // namespace pocket
