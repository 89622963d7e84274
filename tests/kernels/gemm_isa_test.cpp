// Every ISA's GEMM kernels against the scalar oracle, on fresh random inputs each run: all weight
// types of the table, odd shapes (tails of row tiles and token tiles), row ranges that start
// inside the matrix, padded activation and output strides. Also every ISA's activation quantizer
// against ref::quantize_act_q8 (bit-exact). A failure prints the seed; POCKET_TEST_SEED replays it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/half.h"
#include "kernels/act_quant.h"
#include "kernels/gemm.h"
#include "kernels/ref/dequant.h"
#include "kernels/ref/group_format.h"
#include "kernels/repack_x16.h"

namespace pocket {
namespace {

unsigned test_seed() {
  if (const char* env = std::getenv("POCKET_TEST_SEED"); env && *env) {
    return static_cast<unsigned>(std::strtoul(env, nullptr, 10));
  }
  return std::random_device{}();
}

std::vector<Isa> available_isas() {
  std::vector<Isa> out;
  for (Isa isa : kAllIsas) {
    if (kernels_for(isa) != nullptr) out.push_back(isa);
  }
  return out;
}

constexpr DType kTypes[] = {DType::kF32, DType::kF16, DType::kBF16, DType::kQ8_0, DType::kQ4_0,
                            DType::kQ4_1, DType::kQ5_0, DType::kQ5_1, DType::kQ4_K, DType::kQ5_K,
                            DType::kQ6_K,
                            // our group-wise types (docs/FORMATS.md)
                            DType::kPQ8_G64, DType::kPQ8_G128, DType::kPQ4_G64, DType::kPQ4_G128,
                            DType::kPQ4A_G64, DType::kPQ4A_G128, DType::kPFP8_G128};

bool is_k_quant(DType t) {
  return t == DType::kQ4_K || t == DType::kQ5_K || t == DType::kQ6_K;
}

// Values of moderate size with a few outliers (10x-50x), the shape of real activations.
std::vector<float> random_values(int64_t n, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> pick(0, 63);
  std::uniform_real_distribution<float> big(10.0f, 50.0f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) {
    x = normal(rng);
    if (pick(rng) == 0) x = (x < 0 ? -1.0f : 1.0f) * big(rng);
  }
  return v;
}

// One weight row of `type`. Legacy and float types come from the reference quantizer on random
// values; K-quants are random bytes with the f16 scales replaced by small finite values (random
// bits would make inf/nan scales, which tests nothing).
std::vector<uint8_t> random_weight_row(DType type, int64_t k, std::mt19937& rng) {
  std::vector<uint8_t> bytes(row_bytes(type, static_cast<uint64_t>(k)));
  if (!is_k_quant(type)) {
    const std::vector<float> v = random_values(k, rng);
    quantize_row(type, v.data(), bytes.data(), k);
    return bytes;
  }
  std::uniform_int_distribution<int> byte(0, 255);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  std::uniform_real_distribution<float> scale(-0.05f, 0.05f);
  auto set_half = [&](size_t offset) {
    const uint16_t h = fp32_to_fp16(scale(rng));
    std::memcpy(bytes.data() + offset, &h, 2);
  };
  const size_t block = dtype_info(type).block_bytes;
  for (size_t base = 0; base < bytes.size(); base += block) {
    if (type == DType::kQ6_K) {
      set_half(base + 208);  // d is the last field
    } else {
      set_half(base);      // d
      set_half(base + 2);  // dmin
    }
  }
  return bytes;
}

// A rows x k matrix of random_weight_row rows, row_bytes(type, k) apart.
std::vector<uint8_t> random_weights(DType type, int64_t k, int64_t rows, std::mt19937& rng) {
  const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
  std::vector<uint8_t> w(stride * static_cast<size_t>(rows));
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<uint8_t> row = random_weight_row(type, k, rng);
    std::memcpy(w.data() + static_cast<size_t>(r) * stride, row.data(), stride);
  }
  return w;
}

struct Problem {
  DType type;
  int64_t k, rows, tokens, r0, r1;
  bool x16 = false;  // run `kern` on the weights repacked to type's x16 layout
};

std::string describe(const Problem& p, Isa isa, unsigned seed) {
  return std::string(isa_name(isa)) + " " + std::string(dtype_name(p.type)) +
         " k=" + std::to_string(p.k) + " rows=" + std::to_string(p.rows) +
         " tokens=" + std::to_string(p.tokens) + " range=[" + std::to_string(p.r0) + "," +
         std::to_string(p.r1) + ")" + (p.x16 ? " x16" : "") + " seed=" + std::to_string(seed) +
         " (replay: POCKET_TEST_SEED=" + std::to_string(seed) + ")";
}

// Runs one problem through `kern` and the scalar kernel and compares every output of the range;
// outputs outside the range must stay untouched.
void check_problem(const Problem& p, Isa isa, const GemmKernel& kern, const GemmKernel& oracle,
                   std::mt19937& rng, unsigned seed) {
  const size_t w_stride = row_bytes(p.type, static_cast<uint64_t>(p.k));
  std::vector<uint8_t> w = random_weights(p.type, p.k, p.rows, rng);
  // Activations with a padded stride (one extra block / 8 extra floats per token).
  const int64_t blocks = p.k / kActBlock;
  std::vector<float> xf(static_cast<size_t>((p.k + 8) * p.tokens));
  for (int64_t t = 0; t < p.tokens; ++t) {
    const std::vector<float> v = random_values(p.k, rng);
    std::copy(v.begin(), v.end(), xf.begin() + t * (p.k + 8));
  }
  std::vector<ActBlockQ8> xq(static_cast<size_t>((blocks + 1) * std::max<int64_t>(p.tokens, 1)));
  // The values the oracle multiplies by (dequantized activations for integer types). The kernel
  // under test says how the activations are quantized; the oracle reads any int8 format.
  ASSERT_EQ(is_int8(kern.act), is_int8(oracle.act)) << describe(p, isa, seed);
  const QuantizeActFn quantize = kernels_for(Isa::kScalar)->quantizer(kern.act);
  std::vector<float> xv(static_cast<size_t>(p.k * p.tokens));
  for (int64_t t = 0; t < p.tokens; ++t) {
    const float* src = xf.data() + t * (p.k + 8);
    if (is_int8(kern.act)) {
      ActBlockQ8* dst = xq.data() + t * (blocks + 1);
      quantize(src, dst, p.k);
      for (int64_t i = 0; i < p.k; ++i) {
        xv[static_cast<size_t>(t * p.k + i)] =
            dst[i / kActBlock].d * dst[i / kActBlock].q[i % kActBlock];
      }
    } else {
      std::copy(src, src + p.k, xv.begin() + t * p.k);
    }
  }
  GemmArgs a;
  a.w = w.data();
  a.w_stride = w_stride;
  a.k = p.k;
  a.r0 = p.r0;
  a.r1 = p.r1;
  a.n_tok = p.tokens;
  if (is_int8(kern.act)) {
    a.x = xq.data();
    a.x_stride = static_cast<size_t>(blocks + 1) * sizeof(ActBlockQ8);
  } else {
    a.x = xf.data();
    a.x_stride = static_cast<size_t>(p.k + 8) * sizeof(float);
  }
  a.y_stride = p.rows + 3;
  constexpr float kSentinel = 12345.0f;
  std::vector<float> y_ref(static_cast<size_t>(a.y_stride * p.tokens), kSentinel);
  std::vector<float> y(y_ref.size(), kSentinel);
  a.y = y_ref.data();
  oracle.fn(a);
  a.y = y.data();
  std::vector<uint8_t> w_x16;
  if (p.x16) {
    w_x16.resize(w.size());
    repack_x16(p.type, w.data(), w_stride, p.rows, p.k, w_x16.data());
    a.w = w_x16.data();
  }
  kern.fn(a);

  std::vector<float> wrow(static_cast<size_t>(p.k));
  for (int64_t t = 0; t < p.tokens; ++t) {
    for (int64_t r = 0; r < a.y_stride; ++r) {
      const size_t at = static_cast<size_t>(t * a.y_stride + r);
      if (r < p.r0 || r >= p.r1) {
        ASSERT_EQ(y[at], kSentinel) << "wrote outside its range at token " << t << " row " << r
                                    << ": " << describe(p, isa, seed);
        continue;
      }
      dequantize_row(p.type, w.data() + static_cast<size_t>(r) * w_stride, wrow.data(), p.k);
      double mag = 0.0;
      for (int64_t i = 0; i < p.k; ++i) {
        mag += std::fabs(static_cast<double>(wrow[static_cast<size_t>(i)]) *
                         xv[static_cast<size_t>(t * p.k + i)]);
      }
      const double bound = 1e-4 * mag + 1e-6;
      ASSERT_LE(std::fabs(static_cast<double>(y[at]) - y_ref[at]), bound)
          << "token " << t << " row " << r << " got " << y[at] << " want " << y_ref[at] << ": "
          << describe(p, isa, seed);
    }
  }
}

TEST(GemmIsa, EveryIsaMatchesScalarOnRandomInputs) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  ASSERT_NE(scalar, nullptr);
  for (Isa isa : available_isas()) {
    const KernelSet* set = kernels_for(isa);
    for (DType type : kTypes) {
      const GemmKernel* kern = set->find(type);
      const GemmKernel* oracle = scalar->find(type);
      ASSERT_NE(kern, nullptr) << isa_name(isa) << " " << dtype_name(type);
      ASSERT_NE(oracle, nullptr) << dtype_name(type);
      for (int64_t k : {32, 96, 128, 256, 512 + 256, 1024}) {
        if (k % dtype_info(type).block_elems != 0) continue;
        // k = 1024 (576-byte rows: all 9 phases of the AVX-512 Q4_0 lane kernel, no tail) only
        // where it tests something new: under qemu every size costs minutes.
        if (k == 1024 && type != DType::kQ4_0 && type != DType::kQ8_0) continue;
        for (int64_t rows : {1, 3, 7, 33}) {
          for (int64_t tokens : {1, 2, 3, 5, 17}) {
            // The whole matrix, and a range that starts inside it and stops before its end.
            Problem whole{type, k, rows, tokens, 0, rows};
            check_problem(whole, isa, *kern, *oracle, rng, seed);
            if (rows >= 3) {
              Problem part{type, k, rows, tokens, 1, rows - 1};
              check_problem(part, isa, *kern, *oracle, rng, seed);
            }
            if (::testing::Test::HasFatalFailure()) return;
          }
        }
      }
    }
  }
}

constexpr DType kX16Sources[] = {DType::kQ4_0,     DType::kQ8_0,    DType::kPQ4_G64,
                                 DType::kPQ4_G128, DType::kPQ8_G64, DType::kPQ8_G128,
                                 DType::kF16,      DType::kBF16,    DType::kQ4_K};

// The x16 layout keeps every value: each code (less its zero point) and each f16 scale of the
// source is where x16_value finds it.
TEST(GemmIsa, X16RepackKeepsEveryValue) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  for (DType type : kX16Sources) {
    const X16Format f = *x16_format(*x16_type_for(type));
    if (f.kind != X16Kind::kGroup) continue;  // the tests below
    const GroupFormat gf = *group_format(type);
    const int64_t rows = 48, k = 3 * f.group;
    const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
    const std::vector<uint8_t> w = random_weights(type, k, rows, rng);
    std::vector<uint8_t> packed(w.size());
    repack_x16(type, w.data(), stride, rows, k, packed.data());
    uint8_t codes[128];
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t g = 0; g < k / f.group; ++g) {
        const uint8_t* block = w.data() + static_cast<size_t>(r) * stride +
                               static_cast<size_t>(g) * static_cast<size_t>(f.block_bytes());
        float d = 0.0f, m = 0.0f;
        unpack_group(gf, block, &d, &m, codes);
        for (int v = 0; v < f.group; ++v) {
          const X16Value x = x16_value(f, packed.data(), stride, r, g * f.group + v);
          const int want = f.bits == 8 ? static_cast<int8_t>(codes[v]) : codes[v] - 8;
          ASSERT_EQ(x.code - f.zero(), want) << dtype_name(type) << " row " << r << " value "
                                             << g * f.group + v << " seed=" << seed;
          ASSERT_EQ(x.scale, d) << dtype_name(type) << " row " << r << " group " << g;
        }
      }
    }
  }
}

// Q4_K's x16 layout keeps every value: the code, scale and min x16_value reads give the source
// decoder's float, bit for bit (both form d * scale and dmin * min first, as llama.cpp does).
TEST(GemmIsa, X16Q4KRepackKeepsEveryValue) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const DType type = DType::kQ4_K;
  const X16Format f = *x16_format(*x16_type_for(type));
  const int64_t rows = 48, k = 3 * 256;
  const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
  const std::vector<uint8_t> w = random_weights(type, k, rows, rng);
  std::vector<uint8_t> packed(w.size());
  repack_x16(type, w.data(), stride, rows, k, packed.data());
  std::vector<float> want(static_cast<size_t>(k));
  for (int64_t r = 0; r < rows; ++r) {
    dequantize_row(type, w.data() + static_cast<size_t>(r) * stride, want.data(), k);
    for (int64_t v = 0; v < k; ++v) {
      const X16Value x = x16_value(f, packed.data(), stride, r, v);
      ASSERT_EQ(x.scale * static_cast<float>(x.code - f.zero()) - x.min,
                want[static_cast<size_t>(v)])
          << dtype_name(type) << " row " << r << " value " << v << " code " << x.code
          << " seed=" << seed;
    }
  }
}

// The float x16 layout keeps every value's 16 bits, at any k.
TEST(GemmIsa, X16FloatRepackKeepsEveryValue) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  for (DType type : {DType::kF16, DType::kBF16}) {
    const int64_t rows = 48, k = 37;
    const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
    std::vector<uint8_t> w(stride * rows), packed(w.size());
    for (uint8_t& b : w) b = static_cast<uint8_t>(rng());
    repack_x16(type, w.data(), stride, rows, k, packed.data());
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < k; ++j) {
        uint16_t want;
        std::memcpy(&want, w.data() + static_cast<size_t>(r) * stride + 2 * j, 2);
        ASSERT_EQ(x16_float_bits(packed.data(), stride, r, j), want)
            << dtype_name(type) << " row " << r << " value " << j << " seed=" << seed;
      }
    }
  }
}

// Prefill over the x16 layout goes in blocks of rows and tokens (kX16BlockBytes): a product of
// several row blocks and several token blocks, with a token tail, against the scalar oracle.
TEST(GemmIsa, X16KernelsAcrossRowAndTokenBlocks) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  const int64_t k = 4096;
  const size_t act_row_bytes = static_cast<size_t>(k / kActBlock) * sizeof(ActBlockQ8);
  for (Isa isa : available_isas()) {
    for (DType type : {DType::kQ4_0, DType::kQ8_0, DType::kPQ4_G128, DType::kQ4_K}) {
      const DType x16 = *x16_type_for(type);
      const GemmKernel* kern = kernels_for(isa)->find(x16);
      ASSERT_NE(kern, nullptr) << isa_name(isa) << " " << dtype_name(x16);
      const size_t group_bytes = kX16Rows * row_bytes(type, k);
      // Just over one block of each (a token block is whole tiles of up to 8 tokens; AVX-512's
      // prefill blocks are pairs of groups and tiles of 5 tokens: an odd group is left over).
      const int64_t rows = kX16Rows * static_cast<int64_t>(kX16BlockBytes / group_bytes + 2);
      const int64_t tokens = static_cast<int64_t>(kX16BlockBytes / act_row_bytes) + 5;
      ASSERT_GT(tokens, 24);
      check_problem({type, k, rows, tokens, 0, rows, true}, isa, *kern, *scalar->find(type), rng,
                    seed);
      check_problem({type, k, rows, tokens, 16, rows - 32, true}, isa, *kern, *scalar->find(type),
                    rng, seed);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

// Every ISA's x16 kernel (the scalar one included) on repacked weights against the scalar kernel
// of the source type on the original weights: whole 16-row groups, every token-tile tail.
TEST(GemmIsa, X16KernelsMatchTheSourceTypeOracle) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  for (Isa isa : available_isas()) {
    const KernelSet* set = kernels_for(isa);
    for (DType type : kX16Sources) {
      const DType x16 = *x16_type_for(type);
      const GemmKernel* kern = set->find(x16);
      ASSERT_NE(kern, nullptr) << isa_name(isa) << " " << dtype_name(x16);
      const int64_t group = x16_format(x16)->group;
      // The floats have no groups: odd k, and the 12-token tiles with every tail.
      const bool is_float = x16_format(x16)->is_float();
      const std::vector<int64_t> ks = is_float ? std::vector<int64_t>{1, 33, 100}
                                               : std::vector<int64_t>{group, 3 * group, 5 * group};
      const std::vector<int64_t> token_counts = is_float
                                                    ? std::vector<int64_t>{1, 2, 11, 12, 13, 25}
                                                    : std::vector<int64_t>{1, 2, 3, 7, 8, 9, 17};
      // Float decode tiles take up to 4 groups: 80 rows are 4 + 1, rows [16, 64) 2 + 1.
      const int64_t rows = is_float ? 80 : 48, part_end = is_float ? 64 : 32;
      for (int64_t k : ks) {
        for (int64_t tokens : token_counts) {
          check_problem({type, k, rows, tokens, 0, rows, true}, isa, *kern, *scalar->find(type),
                        rng, seed);
          check_problem({type, k, rows, tokens, 16, part_end, true}, isa, *kern,
                        *scalar->find(type), rng, seed);
          if (::testing::Test::HasFatalFailure()) return;
        }
      }
    }
  }
}

TEST(GemmIsa, QuantizeActMatchesReferenceExactly) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  for (Isa isa : available_isas()) {
    const KernelSet* set = kernels_for(isa);
    ASSERT_NE(set->quantize_act, nullptr) << isa_name(isa);
    ASSERT_NE(set->quantize_act_g128, nullptr) << isa_name(isa);
    for (const bool g128 : {false, true}) {
      for (int64_t k : {32, 64, 256, 768, 1536}) {
        if (g128 && k % 128 != 0) continue;
        std::vector<float> x = random_values(k, rng);
        // Edge cases: an all-zero block, values exactly halfway between two quanta of the block's
        // scale, and a block whose maximum is negative.
        if (k >= 128) {
          std::fill(x.begin() + 32, x.begin() + 64, 0.0f);
          for (int i = 0; i < 32; ++i)
            x[static_cast<size_t>(64 + i)] = (static_cast<float>(i) - 15.5f);
          x[96] = -127.0f;
          for (int i = 1; i < 32; ++i)
            x[static_cast<size_t>(96 + i)] = static_cast<float>(i) + 0.5f;
        }
        std::vector<ActBlockQ8> want(static_cast<size_t>(k / kActBlock));
        std::vector<ActBlockQ8> got(want.size());
        std::memset(static_cast<void*>(got.data()), 0x55, got.size() * sizeof(ActBlockQ8));
        (g128 ? ref::quantize_act_q8_g128 : ref::quantize_act_q8)(x.data(), want.data(), k);
        (g128 ? set->quantize_act_g128 : set->quantize_act)(x.data(), got.data(), k);
        for (size_t b = 0; b < want.size(); ++b) {
          const std::string where = std::string(isa_name(isa)) + (g128 ? " g128" : "") +
                                    " k=" + std::to_string(k) + " block " + std::to_string(b) +
                                    " seed=" + std::to_string(seed);
          ASSERT_EQ(std::memcmp(&got[b].d, &want[b].d, 4), 0)
              << "d " << got[b].d << " vs " << want[b].d << " " << where;
          ASSERT_EQ(std::memcmp(&got[b].sum, &want[b].sum, 4), 0)
              << "sum " << got[b].sum << " vs " << want[b].sum << " " << where;
          ASSERT_EQ(got[b].isum, want[b].isum) << "isum " << where;
          int32_t isum = 0;
          for (int i = 0; i < kActBlock; ++i) isum += want[b].q[i];
          ASSERT_EQ(want[b].isum, isum) << "reference isum " << where;
          for (int i = 0; i < kActBlock; ++i) {
            ASSERT_EQ(got[b].q[i], want[b].q[i]) << "q[" << i << "] " << where;
          }
        }
      }
    }
  }
}

// Group-128 activations: each 128 values' blocks share the scale max |x| / 127 of all 128, and
// the values are those of quantizing with that scale.
TEST(GemmIsa, Group128ActivationsShareOneScalePer128Values) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const int64_t k = 512;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(static_cast<size_t>(k));
  for (float& v : x) v = normal(rng);
  x[200] = 40.0f;  // an outlier coarsens its own 128 values only
  std::vector<ActBlockQ8> q(static_cast<size_t>(k / kActBlock));
  ref::quantize_act_q8_g128(x.data(), q.data(), k);
  for (int64_t s = 0; s < k / 128; ++s) {
    float amax = 0.0f;
    for (int64_t i = 0; i < 128; ++i)
      amax = std::max(amax, std::fabs(x[static_cast<size_t>(s * 128 + i)]));
    for (int64_t j = 0; j < kActSpan128; ++j) {
      const ActBlockQ8& b = q[static_cast<size_t>(s * kActSpan128 + j)];
      ASSERT_EQ(b.d, amax / 127.0f) << "span " << s << " block " << j << " seed=" << seed;
      int32_t isum = 0;
      for (int i = 0; i < kActBlock; ++i) {
        const float v = x[static_cast<size_t>(s * 128 + j * kActBlock + i)];
        ASSERT_EQ(b.q[i], static_cast<int8_t>(std::nearbyint(v * (1.0f / b.d))))
            << "span " << s << " block " << j << " value " << i << " seed=" << seed;
        isum += b.q[i];
      }
      ASSERT_EQ(b.isum, isum);
      ASSERT_EQ(b.sum, b.d * static_cast<float>(isum));
    }
  }
  EXPECT_EQ(q[6].d, 40.0f / 127.0f);  // the outlier's span (values 128..255)
  EXPECT_LT(q[0].d, 8.0f / 127.0f);
}

// Kernels may keep what they derive from the activations between the calls of one product
// (GemmArgs::x_version, kernels/act_prep_cache.h). Calls with the same version over other row
// ranges must agree with the oracle; new contents in the same buffer under a new version, or
// under version 0, must be used, never the kept work.
TEST(GemmIsa, KeptActivationWorkFollowsTheVersion) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  const int64_t k = 1536, rows = 40, blocks = k / kActBlock;
  for (Isa isa : available_isas()) {
    for (DType type : {DType::kQ4_0, DType::kPQ4_G64, DType::kPQ4_G128, DType::kQ8_0}) {
      const GemmKernel* kern = kernels_for(isa)->find(type);
      const GemmKernel* oracle = scalar->find(type);
      const size_t stride = row_bytes(type, static_cast<uint64_t>(k));
      std::vector<uint8_t> w(stride * rows);
      for (int64_t r = 0; r < rows; ++r) {
        const std::vector<uint8_t> row = random_weight_row(type, k, rng);
        std::memcpy(w.data() + static_cast<size_t>(r) * stride, row.data(), stride);
      }
      std::vector<ActBlockQ8> xq(static_cast<size_t>(blocks));  // one buffer, rewritten
      GemmArgs a;
      a.w = w.data();
      a.w_stride = stride;
      a.k = k;
      a.x = xq.data();
      a.x_stride = xq.size() * sizeof(ActBlockQ8);
      a.n_tok = 1;
      a.y_stride = rows;
      for (uint64_t version : {new_activation_version(), new_activation_version(), uint64_t{0}}) {
        ref::quantize_act_q8(random_values(k, rng).data(), xq.data(), k);
        std::vector<float> want(rows), got(rows);
        a.x_version = 0;
        a.r0 = 0;
        a.r1 = rows;
        a.y = want.data();
        oracle->fn(a);
        a.x_version = version;
        a.y = got.data();
        for (int64_t r0 : {int64_t{0}, int64_t{16}, int64_t{24}}) {  // three calls, one product
          a.r0 = r0;
          a.r1 = r0 == 0 ? 16 : r0 == 16 ? 24 : rows;
          kern->fn(a);
        }
        for (int64_t r = 0; r < rows; ++r) {
          const float tol = 1e-3f * (std::fabs(want[static_cast<size_t>(r)]) + 1.0f);
          ASSERT_NEAR(got[static_cast<size_t>(r)], want[static_cast<size_t>(r)], tol)
              << isa_name(isa) << " " << dtype_name(type) << " row " << r << " version " << version
              << " seed=" << seed;
        }
      }
    }
  }
}

TEST(GemmIsa, ReportsWhichIsasRan) {
  std::string names;
  for (Isa isa : available_isas()) names += std::string(isa_name(isa)) + " ";
  std::printf("[ kernels ] ISAs tested on this machine: %s\n", names.c_str());
  EXPECT_FALSE(names.empty());
}

}  // namespace
}  // namespace pocket
