// The KV cache: per-type row sizes and true allocated bytes, growth in blocks of 256 positions
// (never the whole context up front), what a written row reads back as, and the length
// bookkeeping (truncate / clear / reserve) the generator relies on.
#include "runtime/kv_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/half.h"

namespace pocket {
namespace {

ModelSpec spec(int64_t n_layer, int64_t n_head_kv, int64_t head_dim) {
  ModelSpec s;
  s.n_layer = n_layer;
  s.n_head = n_head_kv * 2;
  s.n_head_kv = n_head_kv;
  s.head_dim = head_dim;
  return s;
}

TEST(KvCache, AllocatesTrueBytesInBlocksAsSequencesGrow) {
  // Qwen2-1.5B's cache shape: 28 layers, 2 KV heads of 128.
  const ModelSpec s = spec(28, 2, 128);
  const uint64_t per_pos_values = 28 * 2 * 256 /* k and v */ * 1;
  KvCache f32(s, 4096, 2, KvType::kF32), f16(s, 4096, 2, KvType::kF16), q8(s, 4096, 2, KvType::kQ8);
  for (KvCache* c : {&f32, &f16, &q8}) EXPECT_EQ(c->bytes_allocated(), 0u);
  for (KvCache* c : {&f32, &f16, &q8}) c->reserve(0, 1);
  EXPECT_EQ(f32.bytes_allocated(), 256 * per_pos_values * 4);
  EXPECT_EQ(f16.bytes_allocated(), 256 * per_pos_values * 2);
  // q8: 1 byte a value + one f32 scale per 32 values.
  EXPECT_EQ(q8.bytes_allocated(), 256 * per_pos_values + 256 * per_pos_values / 32 * 4);
  for (KvCache* c : {&f32, &f16, &q8}) {
    const uint64_t one_block = c->bytes_allocated();
    c->reserve(0, 256);
    EXPECT_EQ(c->bytes_allocated(), one_block);
    c->reserve(0, 257);  // the second block; no slack from geometric vector growth
    EXPECT_EQ(c->bytes_allocated(), 2 * one_block);
    c->reserve(0, 700);
    EXPECT_EQ(c->bytes_allocated(), 3 * one_block);
    c->reserve(1, 10);  // another sequence: its own first block
    EXPECT_EQ(c->bytes_allocated(), 4 * one_block);
  }
  // The last block is cut at the context size.
  KvCache small(s, 300, 1, KvType::kF16);
  small.reserve(0, 299);
  EXPECT_EQ(small.bytes_allocated(), 300 * per_pos_values * 2);
  EXPECT_THROW(small.reserve(0, 301), Error);
}

TEST(KvCache, RowsReadBackAsTheirTypeRoundsThem) {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  for (int64_t hd : {8, 64}) {
    const ModelSpec s = spec(2, 3, hd);
    const int64_t kv_dim = 3 * hd;
    for (KvType t : {KvType::kF32, KvType::kF16, KvType::kQ8}) {
      KvCache c(s, 600, 2, t);
      c.reserve(1, 520);  // crosses a growth block: earlier rows must survive the move
      std::vector<std::vector<float>> k(520), v(520);
      for (int64_t p = 0; p < 520; ++p) {
        if (p == 300) c.reserve(1, 520);
        k[static_cast<size_t>(p)].resize(static_cast<size_t>(kv_dim));
        v[static_cast<size_t>(p)].resize(static_cast<size_t>(kv_dim));
        for (float& x : k[static_cast<size_t>(p)]) x = normal(rng);
        for (float& x : v[static_cast<size_t>(p)]) x = normal(rng);
        c.write(1, 1, p, k[static_cast<size_t>(p)].data(), v[static_cast<size_t>(p)].data());
      }
      std::vector<float> got(static_cast<size_t>(kv_dim));
      for (int64_t p : {int64_t{0}, int64_t{255}, int64_t{256}, int64_t{519}}) {
        for (bool key : {true, false}) {
          const auto& want = (key ? k : v)[static_cast<size_t>(p)];
          key ? c.read_k(1, 1, p, got.data()) : c.read_v(1, 1, p, got.data());
          for (int64_t i = 0; i < kv_dim; ++i) {
            const float w = want[static_cast<size_t>(i)], g = got[static_cast<size_t>(i)];
            if (t == KvType::kF32) {
              ASSERT_EQ(g, w);
            } else if (t == KvType::kF16) {
              ASSERT_EQ(g, fp16_to_fp32(fp32_to_fp16(w)));
            } else {
              // Half a step of the block's scale (max |x| / 127) at most.
              float amax = 0;
              const int64_t block = kv_q8_block(hd), b0 = i / block * block;
              for (int64_t j = b0; j < b0 + block; ++j)
                amax = std::max(amax, std::fabs(want[static_cast<size_t>(j)]));
              ASSERT_LE(std::fabs(g - w), amax / 127.0f * 0.5001f) << "hd " << hd << " pos " << p;
            }
          }
        }
      }
    }
  }
}

TEST(KvCache, TruncateClearAndLengths) {
  KvCache c(spec(1, 1, 32), 64, 2, KvType::kQ8);
  EXPECT_EQ(c.type(), KvType::kQ8);
  c.reserve(0, 10);
  c.set_len(0, 10);
  EXPECT_EQ(c.seq_len(0), 10);
  c.truncate(0, 4);
  EXPECT_EQ(c.seq_len(0), 4);
  c.truncate(0, 8);  // never lengthens
  EXPECT_EQ(c.seq_len(0), 4);
  c.truncate(0, -3);
  EXPECT_EQ(c.seq_len(0), 0);
  EXPECT_THROW(c.truncate(2, 0), Error);
  c.set_len(0, 5);
  const uint64_t bytes = c.bytes_allocated();
  c.clear();
  EXPECT_EQ(c.seq_len(0), 0);
  EXPECT_EQ(c.bytes_allocated(), bytes);  // the memory stays for the next prompt
  EXPECT_THROW(c.set_len(1, 1), Error);   // nothing reserved for sequence 1
}

}  // namespace
}  // namespace pocket
