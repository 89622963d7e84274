// Every ISA's element-wise operations against the scalar reference (std::exp), on fresh random
// inputs over the whole range where silu changes shape (and far past it), at odd lengths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
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
  for (Isa isa : kAllIsas) {
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

uint32_t bits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}

// Softmax-like inputs: mostly a few units below the block's max, some far below (where exp
// underflows), the edges of the range (x - sub stays below 88, where the kernels stop), 0 and
// -inf, at odd lengths so every tail path runs.
std::vector<float> exp_inputs(std::mt19937& rng, int64_t n) {
  std::uniform_real_distribution<float> wide(-120.0f, 80.0f), narrow(-12.0f, 2.0f);
  const float special[] = {
      0.0f, -0.0f, -std::numeric_limits<float>::infinity(), -87.3f, -87.4f, -104.0f, 80.0f, -1e30f};
  std::vector<float> x(static_cast<size_t>(n));
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = i % 5 == 0 ? special[rng() % std::size(special)] : i % 3 == 0 ? wide(rng) : narrow(rng);
  }
  return x;
}

TEST(VecOps, ExpMatchesStdExpOnEveryIsa) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  for (Isa isa : kAllIsas) {
    const KernelSet* set = kernels_for(isa);
    if (!set) continue;
    ASSERT_NE(set->exp, nullptr) << isa_name(isa);
    for (int64_t n : {1, 3, 7, 8, 15, 16, 17, 33, 64, 1000 + 5}) {
      const std::vector<float> x = exp_inputs(rng, n);
      for (float sub : {0.0f, 1.5f, -3.25f}) {
        std::vector<float> want(x.size()), got(x.size());
        ref::exp_sub(x.data(), sub, want.data(), n);
        set->exp(x.data(), sub, got.data(), n);
        for (size_t i = 0; i < x.size(); ++i) {
          const auto where = ::testing::Message() << isa_name(isa) << " n=" << n << " x=" << x[i]
                                                  << " sub=" << sub << " seed=" << seed;
          if (want[i] < std::numeric_limits<float>::min()) {
            // Below FLT_MIN a kernel may flush to 0 (gemm.h); -inf must give exactly 0.
            ASSERT_LE(got[i], std::numeric_limits<float>::min()) << where;
            ASSERT_GE(got[i], 0.0f) << where;
            if (std::isinf(x[i])) {
              ASSERT_EQ(got[i], 0.0f) << where;
            }
          } else {
            // Both positive: the distance of their bit patterns is the distance in ulp.
            const int64_t ulp = std::llabs(int64_t{bits(got[i])} - int64_t{bits(want[i])});
            ASSERT_LE(ulp, 3) << where << " got=" << got[i] << " want=" << want[i];
          }
        }
        std::vector<float> inplace = x;  // out aliases in, as attention calls it
        set->exp(inplace.data(), sub, inplace.data(), n);
        ASSERT_EQ(inplace, got) << isa_name(isa) << " in place, n=" << n;
      }
    }
  }
}

// The fast variants compute ref::exp_fast's operations in the same order: identical bits.
TEST(VecOps, FastExpAndSiluMatchTheirReferenceExactlyOnEveryIsa) {
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> wide(-120.0f, 120.0f), narrow(-8.0f, 8.0f);
  for (Isa isa : kAllIsas) {
    const KernelSet* set = kernels_for(isa);
    if (!set) continue;
    ASSERT_NE(set->exp_fast, nullptr) << isa_name(isa);
    ASSERT_NE(set->silu_mul_fast, nullptr) << isa_name(isa);
    for (int64_t n : {1, 3, 7, 8, 15, 16, 17, 33, 64, 1000 + 5}) {
      const std::vector<float> x = exp_inputs(rng, n);
      std::vector<float> want(x.size()), got(x.size());
      ref::exp_sub_fast(x.data(), 0.75f, want.data(), n);
      set->exp_fast(x.data(), 0.75f, got.data(), n);
      for (size_t i = 0; i < x.size(); ++i) {
        ASSERT_EQ(bits(got[i]), bits(want[i]))
            << isa_name(isa) << " n=" << n << " x=" << x[i] << " got=" << got[i]
            << " want=" << want[i] << " seed=" << seed;
      }
      std::vector<float> g(x.size()), u(x.size());
      for (size_t i = 0; i < g.size(); ++i) {
        g[i] = i % 3 == 0 ? wide(rng) : narrow(rng);
        u[i] = narrow(rng);
      }
      ref::silu_mul_fast(g.data(), u.data(), want.data(), n);
      set->silu_mul_fast(g.data(), u.data(), got.data(), n);
      for (size_t i = 0; i < g.size(); ++i) {
        ASSERT_EQ(bits(got[i]), bits(want[i]))
            << isa_name(isa) << " silu n=" << n << " gate=" << g[i] << " up=" << u[i]
            << " seed=" << seed;
      }
    }
  }
}

// What fast math costs: exp_fast against the exact exp on a dense sweep of its whole range, and
// the fast SiLU against the accurate one.
TEST(VecOps, FastExpErrorIsBelow1e4) {
  double worst = 0.0;
  for (int i = 0; i <= 2000000; ++i) {
    const float x = -87.0f + 175.0f * static_cast<float>(i) / 2000000.0f;
    const double exact = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::fabs(ref::exp_fast(x) - exact) / exact);
  }
  EXPECT_LT(worst, 1e-4);
  std::printf("exp_fast: max relative error %.3g on [-87, 88]\n", worst);
  EXPECT_EQ(ref::exp_fast(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_EQ(ref::exp_fast(-100.0f), 0.0f);

  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
  const int64_t n = 100000;
  std::vector<float> g(n), u(n, 1.0f), fast(n), exact(n);
  for (auto& v : g) v = dist(rng);
  ref::silu_mul_fast(g.data(), u.data(), fast.data(), n);
  ref::silu_mul(g.data(), u.data(), exact.data(), n);
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_NEAR(fast[i], exact[i], 1e-4f * std::fabs(exact[i]) + 1e-30f) << "gate=" << g[i];
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
