// Every ISA's attention primitives (dot over KV rows, weighted sum of KV rows) against the scalar
// oracle, for f32, f16 and q8 rows, on fresh random inputs each run at odd head sizes (vector
// tails, q8 rows whose single block is the whole row) and padded row strides (the rows of one
// head inside a position's kv_dim values). A failure prints the seed; POCKET_TEST_SEED replays it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/half.h"
#include "kernels/gemm.h"
#include "kernels/ref/attn_ref.h"

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

size_t value_bytes(KvType t) {
  return t == KvType::kF32 ? 4 : t == KvType::kF16 ? 2 : 1;
}

// n_rows rows of n values, stored `pad` values apart beyond n, plus the f32 values they hold.
struct Rows {
  std::vector<uint8_t> data;
  std::vector<float> scales;
  std::vector<float> values;  // what each stored value means, n_rows x n
  KvRows view;
};

Rows make_rows(KvType type, int64_t n_rows, int64_t n, int64_t pad, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 2.0f);
  const int64_t stride_vals = n + pad;
  const int64_t blocks = n / kv_q8_block(n);
  const int64_t scale_stride = blocks + 1;  // padded too
  Rows r;
  r.data.assign(static_cast<size_t>(n_rows * stride_vals) * value_bytes(type), 0xAB);
  r.scales.assign(static_cast<size_t>(n_rows * scale_stride), -1.0f);
  r.values.resize(static_cast<size_t>(n_rows * n));
  std::vector<float> x(static_cast<size_t>(n));
  for (int64_t i = 0; i < n_rows; ++i) {
    for (float& v : x) v = normal(rng);
    uint8_t* row = r.data.data() + static_cast<size_t>(i * stride_vals) * value_bytes(type);
    if (type == KvType::kF32) {
      std::memcpy(row, x.data(), x.size() * 4);
    } else if (type == KvType::kF16) {
      for (int64_t j = 0; j < n; ++j) {
        const uint16_t h = fp32_to_fp16(x[static_cast<size_t>(j)]);
        std::memcpy(row + 2 * j, &h, 2);
      }
    } else {
      ref::quantize_kv_q8(x.data(), reinterpret_cast<int8_t*>(row),
                          &r.scales[static_cast<size_t>(i * scale_stride)], n);
    }
  }
  r.view = {r.data.data(),
            static_cast<size_t>(stride_vals) * value_bytes(type),
            type == KvType::kQ8 ? r.scales.data() : nullptr,
            type == KvType::kQ8 ? scale_stride : 0,
            n_rows,
            n};
  for (int64_t i = 0; i < n_rows; ++i)
    ref::kv_row_to_f32(type, r.view, i, &r.values[static_cast<size_t>(i * n)]);
  return r;
}

const char* type_name(KvType t) {
  return t == KvType::kF32 ? "f32" : t == KvType::kF16 ? "f16" : "q8";
}

TEST(AttnKernels, EveryIsaMatchesTheScalarOracle) {
  const unsigned seed = test_seed();
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<float> weight(0.0f, 1.0f);
  const KernelSet* scalar = kernels_for(Isa::kScalar);
  ASSERT_NE(scalar, nullptr);
  for (Isa isa : available_isas()) {
    const KernelSet* ks = kernels_for(isa);
    for (KvType type : {KvType::kF32, KvType::kF16, KvType::kQ8}) {
      const AttnKernel& k = ks->attn[static_cast<size_t>(type)];
      const AttnKernel& oracle = scalar->attn[static_cast<size_t>(type)];
      ASSERT_NE(k.dot, nullptr);
      ASSERT_NE(k.axpy, nullptr);
      for (int64_t n : {1, 3, 8, 13, 17, 32, 40, 64, 96, 100, 128, 160, 256}) {
        for (int64_t n_rows : {1, 2, 7, 33, 64}) {
          const std::string what = std::string(isa_name(isa)) + " " + type_name(type) +
                                   " n=" + std::to_string(n) + " rows=" + std::to_string(n_rows) +
                                   " seed=" + std::to_string(seed);
          const Rows rows = make_rows(type, n_rows, n, n % 5 + 3, rng);
          std::vector<float> q(static_cast<size_t>(n)), w(static_cast<size_t>(n_rows));
          for (float& v : q) v = normal(rng);
          for (float& v : w) v = weight(rng);
          std::vector<float> got(static_cast<size_t>(n_rows)), want(got.size());
          k.dot(rows.view, q.data(), got.data());
          oracle.dot(rows.view, q.data(), want.data());
          for (int64_t i = 0; i < n_rows; ++i) {
            double mag = 0;  // error bound scales with the sum of |terms|
            for (int64_t j = 0; j < n; ++j) {
              mag += std::fabs(q[static_cast<size_t>(j)] *
                               rows.values[static_cast<size_t>(i * n + j)]);
            }
            ASSERT_NEAR(got[static_cast<size_t>(i)], want[static_cast<size_t>(i)],
                        2e-6 * mag + 1e-6)
                << "dot " << what << " row " << i;
          }
          std::vector<float> acc_got(static_cast<size_t>(n)), acc_want(static_cast<size_t>(n));
          for (size_t j = 0; j < acc_got.size(); ++j) acc_got[j] = acc_want[j] = normal(rng);
          k.axpy(rows.view, w.data(), acc_got.data());
          oracle.axpy(rows.view, w.data(), acc_want.data());
          for (int64_t j = 0; j < n; ++j) {
            double mag = std::fabs(acc_want[static_cast<size_t>(j)]);
            for (int64_t i = 0; i < n_rows; ++i) {
              mag += std::fabs(w[static_cast<size_t>(i)] *
                               rows.values[static_cast<size_t>(i * n + j)]);
            }
            ASSERT_NEAR(acc_got[static_cast<size_t>(j)], acc_want[static_cast<size_t>(j)],
                        2e-6 * mag + 1e-6)
                << "axpy " << what << " column " << j;
          }
        }
      }
    }
  }
}

TEST(AttnKernels, Q8RowsKeepEachBlockWithinHalfAStep) {
  std::mt19937 rng(test_seed());
  std::normal_distribution<float> normal(0.0f, 3.0f);
  for (int64_t n : {8, 32, 64, 128, 100}) {
    std::vector<float> x(static_cast<size_t>(n)), back(x.size());
    for (float& v : x) v = normal(rng);
    x[static_cast<size_t>(n / 2)] = 40.0f;  // an outlier only affects its own block
    std::vector<int8_t> qv(x.size());
    std::vector<float> scales(static_cast<size_t>(n / kv_q8_block(n)));
    ref::quantize_kv_q8(x.data(), qv.data(), scales.data(), n);
    const KvRows view{reinterpret_cast<const uint8_t*>(qv.data()),
                      static_cast<size_t>(n),
                      scales.data(),
                      0,
                      1,
                      n};
    ref::kv_row_to_f32(KvType::kQ8, view, 0, back.data());
    const int64_t block = kv_q8_block(n);
    for (int64_t j = 0; j < n; ++j) {
      const float step = scales[static_cast<size_t>(j / block)];
      EXPECT_LE(std::fabs(back[static_cast<size_t>(j)] - x[static_cast<size_t>(j)]),
                0.5f * step * 1.0001f)
          << "n=" << n << " j=" << j;
    }
  }
  // An all-zero block: scale 0, values 0 (no division by zero).
  std::vector<float> zeros(32, 0.0f);
  std::vector<int8_t> qz(32, 1);
  float sz = -1.0f;
  ref::quantize_kv_q8(zeros.data(), qz.data(), &sz, 32);
  EXPECT_EQ(sz, 0.0f);
  for (int8_t v : qz) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace pocket
