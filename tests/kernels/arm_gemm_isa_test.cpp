// Every ARM kernel table this CPU (or qemu's -cpu) offers against the scalar kernels: each weight
// type of the table on random weights and activations with outliers, odd shapes, row ranges not
// starting at 0, strided activations and outputs; and the activation quantizer against
// ref::quantize_act_q8 (bit-exact). Also checks what run-time detection chose against the
// expectations a ctest entry passes in the environment:
//   POCKET_EXPECT_NO_I8MM=1      kernels_for(Isa::kI8mm) must be null
//   POCKET_EXPECT_NO_DOTPROD=1   kernels_for(Isa::kDotprod) must be null
//   POCKET_EXPECT_ISA=<name>     active_kernels() must be that ISA's table
// On other architectures the tests only check that no ARM table exists.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"

namespace pocket {
namespace {

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' && std::string(v) != "0";
}

#if defined(__aarch64__)

constexpr Isa kArmIsas[] = {Isa::kNeon, Isa::kDotprod, Isa::kI8mm};

// Activations: mostly N(0, 1), a few outliers up to +-60, and one all-zero block when k allows.
std::vector<float> random_acts(int64_t k, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int64_t> pos(0, k - 1);
  std::uniform_real_distribution<float> big(20.0f, 60.0f);
  std::vector<float> x(static_cast<size_t>(k));
  for (float& v : x) v = normal(rng);
  for (int i = 0; i < 3; ++i) x[static_cast<size_t>(pos(rng))] = (i % 2 ? -1.0f : 1.0f) * big(rng);
  if (k >= 64 && rng() % 2 == 0) {
    for (int i = 32; i < 64; ++i) x[static_cast<size_t>(i)] = 0.0f;
  }
  return x;
}

// One weight row: legacy and float types through the reference quantizer on random floats,
// K-quants as random bytes with the f16 d / dmin fields set to small valid values.
std::vector<uint8_t> random_row(DType type, int64_t k, std::mt19937& rng) {
  std::vector<uint8_t> bytes(row_bytes(type, static_cast<uint64_t>(k)));
  const bool kquant = type == DType::kQ4_K || type == DType::kQ5_K || type == DType::kQ6_K;
  if (!kquant) {
    std::normal_distribution<float> normal(0.0f, 0.5f);
    std::vector<float> f(static_cast<size_t>(k));
    for (float& v : f) v = normal(rng);
    if (rng() % 4 == 0) f[rng() % f.size()] = 8.0f;  // an outlier in some rows
    quantize_row(type, f.data(), bytes.data(), k);
    return bytes;
  }
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  std::uniform_real_distribution<float> scale(0.001f, 0.05f);
  auto set_half = [&](size_t offset, float v) {
    const uint16_t h = fp32_to_fp16(v);
    std::memcpy(bytes.data() + offset, &h, 2);
  };
  const size_t block = dtype_info(type).block_bytes;
  for (size_t base = 0; base < bytes.size(); base += block) {
    if (type == DType::kQ6_K) {
      set_half(base + 208, scale(rng));
    } else {
      set_half(base, scale(rng));
      set_half(base + 2, scale(rng));
    }
  }
  return bytes;
}

struct Problem {
  DType type;
  int64_t k, rows, tokens, r0;
  std::vector<uint8_t> w;          // (r0 + rows) weight rows
  std::vector<float> x;            // tokens rows of k floats, stride x_pad
  int64_t x_pad;                   // floats per activation row (>= k)
  std::vector<ActBlockQ8> xq;      // tokens rows of k/32 blocks, stride xq_pad blocks
  int64_t xq_pad;
  std::vector<float> wdeq;         // dequantized weights, for the error bound
};

Problem make_problem(DType type, int64_t k, int64_t rows, int64_t tokens, std::mt19937& rng) {
  Problem p{type, k, rows, tokens, static_cast<int64_t>(rng() % 6), {}, {}, k + 4, {}, k / kActBlock + 1, {}};
  const int64_t all_rows = p.r0 + rows;
  const size_t rb = row_bytes(type, static_cast<uint64_t>(k));
  p.w.resize(rb * static_cast<size_t>(all_rows));
  p.wdeq.resize(static_cast<size_t>(k * all_rows));
  for (int64_t r = 0; r < all_rows; ++r) {
    const std::vector<uint8_t> row = random_row(type, k, rng);
    std::memcpy(p.w.data() + static_cast<size_t>(r) * rb, row.data(), rb);
    dequantize_row(type, row.data(), p.wdeq.data() + r * k, k);
  }
  p.x.assign(static_cast<size_t>(p.x_pad * tokens), 0.0f);
  p.xq.resize(static_cast<size_t>(p.xq_pad * tokens));
  for (int64_t t = 0; t < tokens; ++t) {
    const std::vector<float> xt = random_acts(k, rng);
    std::copy(xt.begin(), xt.end(), p.x.begin() + t * p.x_pad);
    ref::quantize_act_q8(xt.data(), p.xq.data() + t * p.xq_pad, k);
  }
  return p;
}

// Runs `kern` on p; returns y (tokens x y_stride), with every entry the kernel must not touch set
// to a sentinel.
constexpr float kSentinel = -12345.0f;

std::vector<float> run(const GemmKernel& kern, const Problem& p, int64_t y_stride) {
  GemmArgs a;
  a.w = p.w.data();
  a.w_stride = row_bytes(p.type, static_cast<uint64_t>(p.k));
  a.k = p.k;
  a.r0 = p.r0;
  a.r1 = p.r0 + p.rows;
  if (kern.act == ActFormat::kQ8) {
    a.x = p.xq.data();
    a.x_stride = static_cast<size_t>(p.xq_pad) * sizeof(ActBlockQ8);
  } else {
    a.x = p.x.data();
    a.x_stride = static_cast<size_t>(p.x_pad) * sizeof(float);
  }
  a.n_tok = p.tokens;
  std::vector<float> y(static_cast<size_t>(y_stride * p.tokens), kSentinel);
  a.y = y.data();
  a.y_stride = y_stride;
  kern.fn(a);
  return y;
}

// sum_i |w_i * x_i| with the activations the kernel sees.
double abs_dot(const Problem& p, bool q8, int64_t r, int64_t t) {
  double s = 0.0;
  for (int64_t i = 0; i < p.k; ++i) {
    double xi;
    if (q8) {
      const ActBlockQ8& b = p.xq[static_cast<size_t>(t * p.xq_pad + i / kActBlock)];
      xi = static_cast<double>(b.d) * b.q[i % kActBlock];
    } else {
      xi = p.x[static_cast<size_t>(t * p.x_pad + i)];
    }
    s += std::fabs(static_cast<double>(p.wdeq[static_cast<size_t>(r * p.k + i)]) * xi);
  }
  return s;
}

const DType kTypes[] = {DType::kF32,  DType::kF16,  DType::kBF16, DType::kQ8_0, DType::kQ4_0, DType::kQ4_1,
                        DType::kQ5_0, DType::kQ5_1, DType::kQ4_K, DType::kQ5_K, DType::kQ6_K};

TEST(ArmGemmIsa, EveryTableMatchesScalar) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  ASSERT_NE(scalar, nullptr);
  std::vector<const KernelSet*> sets;
  for (Isa isa : kArmIsas) {
    if (const KernelSet* s = kernels_for(isa)) sets.push_back(s);
  }
  ASSERT_FALSE(sets.empty()) << "an aarch64 CPU always has NEON";
  int compared = 0;
  for (DType type : kTypes) {
    const GemmKernel* ref = scalar->find(type);
    ASSERT_NE(ref, nullptr) << dtype_name(type);
    // Only the tables whose kernel for this type is not the scalar one need the work.
    std::vector<std::pair<const KernelSet*, const GemmKernel*>> todo;
    for (const KernelSet* s : sets) {
      const GemmKernel* kern = s->find(type);
      ASSERT_NE(kern, nullptr) << isa_name(s->isa) << " lost " << dtype_name(type);
      ASSERT_EQ(kern->act, ref->act) << isa_name(s->isa) << " " << dtype_name(type);
      ASSERT_GE(kern->row_tile, 1);
      if (kern->fn != ref->fn) todo.emplace_back(s, kern);
    }
    if (todo.empty()) continue;
    const int64_t block = dtype_info(type).block_elems;
    for (int64_t k : {32, 256, 768}) {
      if (k % block != 0) continue;
      for (int64_t rows : {1, 3, 7, 33}) {
        for (int64_t tokens : {1, 2, 3, 5, 17}) {
          const Problem p = make_problem(type, k, rows, tokens, rng);
          const int64_t y_stride = p.r0 + rows + 3;
          const std::vector<float> want = run(*ref, p, y_stride);
          for (const auto& [set, kern] : todo) {
            const std::vector<float> got = run(*kern, p, y_stride);
            for (int64_t t = 0; t < tokens; ++t) {
              for (int64_t r = 0; r < y_stride; ++r) {
                const size_t at = static_cast<size_t>(t * y_stride + r);
                const std::string where = std::string(isa_name(set->isa)) + " " + std::string(dtype_name(type)) +
                                          " k=" + std::to_string(k) + " rows=" + std::to_string(rows) +
                                          " tokens=" + std::to_string(tokens) + " r0=" + std::to_string(p.r0) +
                                          " row " + std::to_string(r) + " token " + std::to_string(t);
                if (r < p.r0 || r >= p.r0 + rows) {
                  ASSERT_EQ(got[at], kSentinel) << where << ": wrote outside its rows";
                  continue;
                }
                const double bound = 1e-4 * abs_dot(p, kern->act == ActFormat::kQ8, r, t) + 1e-6;
                ASSERT_TRUE(std::isfinite(got[at])) << where;
                ASSERT_LE(std::fabs(static_cast<double>(got[at]) - want[at]), bound)
                    << where << ": got " << got[at] << " want " << want[at];
              }
            }
            ++compared;
          }
        }
      }
    }
  }
  RecordProperty("compared", compared);
}

TEST(ArmGemmIsa, QuantizeActMatchesReferenceExactly) {
  const unsigned seed = std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  for (Isa isa : kArmIsas) {
    const KernelSet* s = kernels_for(isa);
    if (s == nullptr) continue;
    ASSERT_NE(s->quantize_act, nullptr);
    for (int64_t k : {32, 64, 256, 768, 4096}) {
      for (int rep = 0; rep < 4; ++rep) {
        std::vector<float> x = random_acts(k, rng);
        if (rep == 1) {  // values exactly halfway between two steps, and tiny values
          for (int64_t i = 0; i < k; ++i) x[static_cast<size_t>(i)] = static_cast<float>(i % 64) * 0.5f - 16.0f;
        } else if (rep == 2) {
          for (float& v : x) v *= 1e-30f;
        }
        const int64_t nb = k / kActBlock;
        std::vector<ActBlockQ8> want(static_cast<size_t>(nb)), got(static_cast<size_t>(nb));
        ref::quantize_act_q8(x.data(), want.data(), k);
        s->quantize_act(x.data(), got.data(), k);
        for (int64_t b = 0; b < nb; ++b) {
          const ActBlockQ8& w = want[static_cast<size_t>(b)];
          const ActBlockQ8& g = got[static_cast<size_t>(b)];
          const std::string where = std::string(isa_name(isa)) + " k=" + std::to_string(k) + " rep " +
                                    std::to_string(rep) + " block " + std::to_string(b);
          ASSERT_EQ(std::memcmp(&w.d, &g.d, sizeof(float)), 0) << where << ": d " << g.d << " want " << w.d;
          ASSERT_EQ(std::memcmp(&w.sum, &g.sum, sizeof(float)), 0) << where << ": sum " << g.sum << " want " << w.sum;
          ASSERT_EQ(g.isum, w.isum) << where << ": isum";
          for (int i = 0; i < kActBlock; ++i) ASSERT_EQ(g.q[i], w.q[i]) << where << " value " << i;
        }
      }
    }
  }
}

TEST(ArmGemmIsa, DetectionAndFallbackChain) {
  ASSERT_NE(kernels_for(Isa::kNeon), nullptr);
  // Each level includes the one below.
  if (kernels_for(Isa::kI8mm) != nullptr) {
    EXPECT_NE(kernels_for(Isa::kDotprod), nullptr);
  }
  if (env_set("POCKET_EXPECT_NO_I8MM")) {
    EXPECT_EQ(kernels_for(Isa::kI8mm), nullptr);
  }
  if (env_set("POCKET_EXPECT_NO_DOTPROD")) {
    EXPECT_EQ(kernels_for(Isa::kDotprod), nullptr);
  }
  if (const char* want = std::getenv("POCKET_EXPECT_ISA"); want != nullptr && *want != '\0') {
    EXPECT_EQ(isa_name(active_kernels().isa), want);
  } else if (std::getenv("POCKET_ISA") == nullptr) {
    // With no override, the best supported level is active.
    Isa best = Isa::kNeon;
    if (kernels_for(Isa::kDotprod)) best = Isa::kDotprod;
    if (kernels_for(Isa::kI8mm)) best = Isa::kI8mm;
    EXPECT_EQ(active_kernels().isa, best);
  }
  // Types a level does not speed up keep a kernel (the level below's, or the scalar one).
  for (Isa isa : kArmIsas) {
    const KernelSet* s = kernels_for(isa);
    if (s == nullptr) continue;
    EXPECT_EQ(s->isa, isa);
    for (DType type : kTypes) EXPECT_NE(s->find(type), nullptr) << isa_name(isa) << " " << dtype_name(type);
  }
}

#else  // !__aarch64__

TEST(ArmGemmIsa, NoArmTablesElsewhere) {
  EXPECT_EQ(kernels_for(Isa::kNeon), nullptr);
  EXPECT_EQ(kernels_for(Isa::kDotprod), nullptr);
  EXPECT_EQ(kernels_for(Isa::kI8mm), nullptr);
  (void)env_set;
}

#endif

}  // namespace
}  // namespace pocket
