// Chooses the kernel table once: the best ISA the CPU supports, or POCKET_ISA.
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>

#include "core/error.h"
#include "kernels/cpu_features.h"
#include "kernels/gemm.h"
#include "kernels/ref/ops.h"

namespace pocket {
namespace {

bool supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::kScalar:
      return true;
#if defined(__x86_64__)
    case Isa::kAvx2:
      return f.avx2 && f.fma && f.f16c;
    case Isa::kAvxVnni:
      return f.avx2 && f.fma && f.f16c && f.avxvnni;
    case Isa::kAvx512:
      return f.avx2 && f.fma && f.f16c && f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni;
#elif defined(__aarch64__)
    case Isa::kNeon:
      return f.neon;
    case Isa::kDotprod:
      return f.neon && f.dotprod;
    case Isa::kI8mm:
      return f.neon && f.dotprod && f.i8mm;
#endif
    default:
      return false;
  }
}

KernelSet build(Isa isa) {
  KernelSet set;
  register_scalar_kernels(set);
  set.silu_mul = ref::silu_mul;
  set.exp = ref::exp_sub;
  set.silu_mul_fast = ref::silu_mul_fast;
  set.exp_fast = ref::exp_sub_fast;
  register_scalar_attn_kernels(set);
  // Each level starts from the one below, so a type a level does not speed up keeps the best
  // kernel that exists for it.
#if defined(__x86_64__)
  // AVX-512 replaces every kernel AVX-VNNI adds, so it starts from AVX2 directly.
  if (isa == Isa::kAvx2 || isa == Isa::kAvxVnni || isa == Isa::kAvx512) register_avx2_kernels(set);
  if (isa == Isa::kAvxVnni) register_avxvnni_kernels(set);
  if (isa == Isa::kAvx512) register_avx512_kernels(set);
#elif defined(__aarch64__)
  if (isa == Isa::kNeon || isa == Isa::kDotprod || isa == Isa::kI8mm) register_neon_kernels(set);
  if (isa == Isa::kDotprod || isa == Isa::kI8mm) register_dotprod_kernels(set);
  if (isa == Isa::kI8mm) register_i8mm_kernels(set);
#endif
  set.isa = isa;
  return set;
}

Isa best_isa() {
  for (Isa isa : {Isa::kAvx512, Isa::kAvxVnni, Isa::kAvx2, Isa::kI8mm, Isa::kDotprod, Isa::kNeon}) {
    if (supported(isa)) return isa;
  }
  return Isa::kScalar;
}

Isa parse_isa(const std::string& name) {
  for (Isa isa : kAllIsas) {
    if (isa_name(isa) == name) return isa;
  }
  fail(ErrorCode::kInvalidArgument, "POCKET_ISA='", name,
       "' is not one of scalar, avx2, avxvnni, avx512, neon, dotprod, i8mm");
}

}  // namespace

uint64_t new_activation_version() {
  static std::atomic<uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar:
      return "scalar";
    case Isa::kAvx2:
      return "avx2";
    case Isa::kAvxVnni:
      return "avxvnni";
    case Isa::kAvx512:
      return "avx512";
    case Isa::kNeon:
      return "neon";
    case Isa::kDotprod:
      return "dotprod";
    case Isa::kI8mm:
      return "i8mm";
  }
  return "?";
}

const KernelSet* kernels_for(Isa isa) {
  static std::mutex mu;
  static std::map<Isa, KernelSet> cache;
  if (!supported(isa)) return nullptr;
  std::lock_guard lock(mu);
  auto it = cache.find(isa);
  if (it == cache.end()) it = cache.emplace(isa, build(isa)).first;
  return &it->second;
}

const KernelSet& active_kernels() {
  static const KernelSet* active = [] {
    Isa isa = best_isa();
    if (const char* env = std::getenv("POCKET_ISA"); env && *env) {
      isa = parse_isa(env);
      POCKET_CHECK(supported(isa), ErrorCode::kUnsupported, "POCKET_ISA=", env,
                   " is not supported by this CPU or build (it has: ", cpu_features().describe(),
                   ")");
    }
    return kernels_for(isa);
  }();
  return *active;
}

}  // namespace pocket
