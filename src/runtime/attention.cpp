#include "runtime/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/ref/ops.h"

namespace pocket {

void attention(const ModelSpec& spec, const Batch& b, int64_t layer, const KvCache& kv,
               const float* q_rows, float* out_rows, ThreadPool& pool) {
  const int64_t hd = spec.head_dim;
  const int64_t q_dim = spec.n_head * hd;
  const int64_t group = spec.n_head / spec.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t n = static_cast<int64_t>(b.size());
  // One work item per (token, head); each sees its own sequence's keys up to its position,
  // including keys that earlier tokens of this batch just wrote (causal within the batch).
  pool.parallel_for(n * spec.n_head, [&](int, int64_t begin, int64_t end) {
    thread_local std::vector<float> scores;
    for (int64_t item = begin; item < end; ++item) {
      const int64_t t = item / spec.n_head;
      const int64_t h = item % spec.n_head;
      const int seq = b.seq_ids[static_cast<size_t>(t)];
      const int64_t n_pos = b.positions[static_cast<size_t>(t)] + 1;
      const int64_t kv_off = (h / group) * hd;
      const float* q = &q_rows[t * q_dim + h * hd];
      scores.resize(static_cast<size_t>(n_pos));
      for (int64_t p = 0; p < n_pos; ++p) {
        scores[static_cast<size_t>(p)] = ref::dot_f32(q, kv.k(seq, layer, p) + kv_off, hd) * scale;
      }
      ref::softmax(scores.data(), n_pos);
      float* out = &out_rows[t * q_dim + h * hd];
      std::fill(out, out + hd, 0.0f);
      for (int64_t p = 0; p < n_pos; ++p) {
        const float* v = kv.v(seq, layer, p) + kv_off;
        const float wgt = scores[static_cast<size_t>(p)];
        for (int64_t i = 0; i < hd; ++i) out[i] += wgt * v[i];
      }
    }
  });
}

}  // namespace pocket
