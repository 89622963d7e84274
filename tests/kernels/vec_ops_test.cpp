// Every ISA's element-wise operations against the scalar reference (std::exp), on fresh random
// inputs over the whole range where silu changes shape (and far past it), at odd lengths.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/gemm.h"
#include "kernels/ref/ops.h"

namespace pocket {
namespace {

TEST(VecOps, SiluMulMatchesTheReferenceOnEveryIsa) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> wide(-120.0f, 120.0f), narrow(-8.0f, 8.0f);
  for (Isa isa : {Isa::kScalar, Isa::kAvx2, Isa::kAvx512, Isa::kNeon, Isa::kDotprod, Isa::kI8mm}) {
    const KernelSet* set = kernels_for(isa);
    if (!set) continue;
    ASSERT_NE(set->silu_mul, nullptr) << isa_name(isa);
    for (int64_t n : {1, 7, 8, 15, 16, 17, 33, 1000, 8960 + 5}) {
      std::vector<float> g(static_cast<size_t>(n)), u(g.size()), want(g.size()), got(g.size());
      for (size_t i = 0; i < g.size(); ++i) {
        g[i] = i % 3 == 0 ? wide(rng) : narrow(rng);
        u[i] = narrow(rng);
      }
      ref::silu_mul(g.data(), u.data(), want.data(), n);
      set->silu_mul(g.data(), u.data(), got.data(), n);
      for (size_t i = 0; i < g.size(); ++i) {
        ASSERT_NEAR(got[i], want[i], 2e-6f * std::fabs(want[i]) + 1e-30f)
            << isa_name(isa) << " n=" << n << " gate=" << g[i] << " up=" << u[i]
            << " seed=" << seed;
      }
      // In place (out aliases gate), as the forward pass calls it.
      std::vector<float> inplace = g;
      set->silu_mul(inplace.data(), u.data(), inplace.data(), n);
      ASSERT_EQ(inplace, got) << isa_name(isa) << " in place, n=" << n;
    }
  }
}

}  // namespace
}  // namespace pocket

namespace pocket {
namespace {

TEST(VecOps, RopeFromATableMatchesRope) {
  std::mt19937 rng(std::random_device{}());
  std::normal_distribution<float> normal(0.0f, 1.0f);
  const int64_t hd = 64;
  std::vector<float> inv_freq(hd / 2);
  for (int64_t i = 0; i < hd / 2; ++i) inv_freq[i] = std::pow(10000.0f, -2.0f * i / hd);
  for (auto style : {ref::RopeStyle::kInterleaved, ref::RopeStyle::kHalf}) {
    for (int64_t pos : {0, 1, 17, 4095, 100000}) {
      std::vector<float> c(hd / 2), s(hd / 2), a(hd), b(hd);
      for (int64_t i = 0; i < hd / 2; ++i) {
        const double angle = static_cast<double>(pos) * inv_freq[i];
        c[i] = static_cast<float>(std::cos(angle));
        s[i] = static_cast<float>(std::sin(angle));
      }
      for (auto& x : a) x = normal(rng);
      b = a;
      ref::rope(a.data(), hd, pos, inv_freq, style);
      ref::rope_table(b.data(), hd, c.data(), s.data(), style);
      for (int64_t i = 0; i < hd; ++i)
        ASSERT_NEAR(a[i], b[i], 1e-6f) << "pos " << pos << " i " << i;
    }
  }
}

}  // namespace
}  // namespace pocket
