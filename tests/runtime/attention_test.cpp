// Attention over the KV cache against a naive double-precision softmax(q k / sqrt(d)) v, for
// every KV type, with several sequences of mixed cached and new lengths in one batch, GQA and
// MQA head layouts, head sizes that are and are not multiples of 32, every ISA's primitives, and
// the position split (parts merged at the end) forced on. Tight against the K/V values the cache
// actually holds (after f16 / int8 rounding), loose against the f32 values that were written.
#include "runtime/attention.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace pocket {
namespace {

ModelSpec attn_spec(int64_t n_head, int64_t n_head_kv, int64_t head_dim) {
  ModelSpec s;
  s.n_layer = 2;
  s.n_head = n_head;
  s.n_head_kv = n_head_kv;
  s.head_dim = head_dim;
  return s;
}

struct AttnCase {
  ModelSpec spec;
  std::vector<int64_t> cached;  // positions already in each sequence's cache
  std::vector<int64_t> fresh;   // positions the batch adds to each sequence
};

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// out[t][h] of the batch, from per-position keys/values given by get(seq, pos, key) (kv_dim
// values).
template <class Get>
std::vector<double> naive(const ModelSpec& s, const Batch& b, const std::vector<float>& q,
                          Get get) {
  const int64_t hd = s.head_dim, qd = s.n_head * hd, group = s.n_head / s.n_head_kv;
  std::vector<double> out(b.size() * static_cast<size_t>(qd));
  for (size_t t = 0; t < b.size(); ++t) {
    const int64_t n_pos = b.positions[t] + 1;
    for (int64_t h = 0; h < s.n_head; ++h) {
      const int64_t off = (h / group) * hd;
      std::vector<double> sc(static_cast<size_t>(n_pos));
      double mx = -1e300;
      for (int64_t p = 0; p < n_pos; ++p) {
        const std::vector<float>& k = get(b.seq_ids[t], p, true);
        double d = 0;
        for (int64_t j = 0; j < hd; ++j)
          d += double{q[t * static_cast<size_t>(qd) + static_cast<size_t>(h * hd + j)]} *
               k[static_cast<size_t>(off + j)];
        sc[static_cast<size_t>(p)] = d / std::sqrt(static_cast<double>(hd));
        mx = std::max(mx, sc[static_cast<size_t>(p)]);
      }
      double sum = 0;
      for (double& x : sc) sum += (x = std::exp(x - mx));
      for (int64_t p = 0; p < n_pos; ++p) {
        const std::vector<float>& v = get(b.seq_ids[t], p, false);
        for (int64_t j = 0; j < hd; ++j) {
          out[t * static_cast<size_t>(qd) + static_cast<size_t>(h * hd + j)] +=
              sc[static_cast<size_t>(p)] / sum * v[static_cast<size_t>(off + j)];
        }
      }
    }
  }
  return out;
}

void run_case(const AttnCase& su, KvType type, std::mt19937& rng) {
  const ModelSpec& s = su.spec;
  const int n_seq = static_cast<int>(su.cached.size());
  const int64_t kv_dim = s.n_head_kv * s.head_dim, qd = s.n_head * s.head_dim;
  const int64_t layer = 1;
  KvCache kv(s, 1024, n_seq, type);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  // Every position's written K/V in f32, [seq][pos][kv_dim] for keys and values.
  std::vector<std::vector<std::vector<float>>> keys(static_cast<size_t>(n_seq)),
      vals(static_cast<size_t>(n_seq));
  Batch b;
  for (int sq = 0; sq < n_seq; ++sq) {
    const int64_t total = su.cached[static_cast<size_t>(sq)] + su.fresh[static_cast<size_t>(sq)];
    kv.reserve(sq, total);
    for (int64_t p = 0; p < total; ++p) {
      auto& k = keys[static_cast<size_t>(sq)].emplace_back(static_cast<size_t>(kv_dim));
      auto& v = vals[static_cast<size_t>(sq)].emplace_back(static_cast<size_t>(kv_dim));
      for (float& x : k) x = normal(rng) * 1.5f;
      for (float& x : v) x = normal(rng);
      kv.write(sq, layer, p, k.data(), v.data());
    }
    kv.set_len(sq, su.cached[static_cast<size_t>(sq)]);
  }
  // The batch interleaves the sequences' new tokens, as the server's batches do.
  for (int64_t i = 0;; ++i) {
    bool any = false;
    for (int sq = 0; sq < n_seq; ++sq) {
      if (i < su.fresh[static_cast<size_t>(sq)]) {
        b.add(0, static_cast<int32_t>(su.cached[static_cast<size_t>(sq)] + i), sq, true);
        any = true;
      }
    }
    if (!any) break;
  }
  std::vector<float> q(b.size() * static_cast<size_t>(qd));
  for (float& x : q) x = normal(rng);

  // What the cache holds, read back once.
  auto held_keys = keys, held_vals = vals;
  for (int sq = 0; sq < n_seq; ++sq) {
    for (size_t p = 0; p < keys[static_cast<size_t>(sq)].size(); ++p) {
      kv.read_k(sq, layer, static_cast<int64_t>(p), held_keys[static_cast<size_t>(sq)][p].data());
      kv.read_v(sq, layer, static_cast<int64_t>(p), held_vals[static_cast<size_t>(sq)][p].data());
    }
  }
  const auto held = naive(s, b, q, [&](int sq, int64_t p, bool key) -> const std::vector<float>& {
    return (key ? held_keys : held_vals)[static_cast<size_t>(sq)][static_cast<size_t>(p)];
  });
  const auto exact = naive(s, b, q, [&](int sq, int64_t p, bool key) -> const std::vector<float>& {
    return (key ? keys : vals)[static_cast<size_t>(sq)][static_cast<size_t>(p)];
  });
  const double loose = type == KvType::kF32 ? 1e-4 : type == KvType::kF16 ? 5e-3 : 6e-2;

  struct Variant {
    std::string name;
    int threads;
    AttentionOptions opt;
  };
  std::vector<Variant> variants;
  for (Isa isa : kAllIsas) {
    const KernelSet* ks = kernels_for(isa);
    if (!ks) continue;
    const AttnKernel* k = &ks->attn[static_cast<size_t>(type)];
    variants.push_back({std::string(isa_name(isa)) + " default", 2, {.kernels = k}});
    variants.push_back({std::string(isa_name(isa)) + " small blocks, split",
                        4,
                        {.key_block = 16, .query_chunk = 3, .split_min_keys = 16, .kernels = k}});
  }
  variants.push_back({"active kernels", 1, {}});
  for (const Variant& var : variants) {
    ThreadPool pool(var.threads);
    std::vector<float> out(q.size(), 1e9f);
    attention(s, b, layer, kv, q.data(), out.data(), pool, var.opt);
    double err_held = 0, err_exact = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      err_held = std::max(err_held, std::fabs(out[i] - held[i]));
      err_exact = std::max(err_exact, std::fabs(out[i] - exact[i]));
    }
    const std::string what = var.name + " kv=" + std::to_string(static_cast<int>(type)) +
                             " heads " + std::to_string(s.n_head) + "/" +
                             std::to_string(s.n_head_kv) + " d=" + std::to_string(s.head_dim);
    EXPECT_LE(err_held, 2e-5 * std::max(1.0, max_abs(held))) << what;
    EXPECT_LE(err_exact, loose) << what;
  }
}

class AttentionTest : public ::testing::TestWithParam<KvType> {};

TEST_P(AttentionTest, MatchesNaiveSoftmaxForMixedBatches) {
  std::mt19937 rng(std::random_device{}());
  const std::vector<AttnCase> setups = {
      {attn_spec(6, 2, 64), {0, 37, 300}, {20, 1, 3}},     // GQA 3:1, prefill + decodes
      {attn_spec(8, 4, 8), {5, 0}, {1, 9}},                // stories260K's shape (d=8)
      {attn_spec(4, 1, 32), {700}, {1}},                   // MQA decode at long context
      {attn_spec(2, 2, 40), {0, 0, 0, 3}, {2, 70, 1, 4}},  // no GQA, d=40 (q8: one block)
      {attn_spec(12, 2, 128), {0}, {130}},                 // Qwen2-1.5B's heads, a prompt
  };
  for (const AttnCase& su : setups) run_case(su, GetParam(), rng);
}

INSTANTIATE_TEST_SUITE_P(KvTypes, AttentionTest,
                         ::testing::Values(KvType::kF32, KvType::kF16, KvType::kQ8));

}  // namespace
}  // namespace pocket
