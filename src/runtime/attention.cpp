#include "runtime/attention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

namespace pocket {
namespace {
// Batches with fewer work items than this split long contexts into parts (see below).
constexpr int64_t kSplitBelowItems = 8;
}  // namespace
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

struct Task {
  int seq;
  int64_t kv_head;
  int64_t first;   // index into the sequence's token list
  int64_t count;   // tokens of the chunk
  int64_t n_keys;  // positions the last token of the chunk sees
};

// Running softmax state of one (token, q head): max, sum of exp, and the weighted sum of values.
struct State {
  float m;
  float l;
  float* acc;
};

KvRows from(KvRows r, int64_t pos, int64_t n_rows) {
  r.data += static_cast<size_t>(pos) * r.row_stride;
  if (r.scales) r.scales += pos * r.scale_stride;
  r.n_rows = n_rows;
  return r;
}

}  // namespace

void attention(const ModelSpec& spec, const Batch& b, int64_t layer, const KvCache& kv,
               const float* q_rows, float* out_rows, ThreadPool& pool, const AttentionOptions& o) {
  const AttnKernel& kern =
      o.kernels ? *o.kernels : active_kernels().attn[static_cast<size_t>(kv.type())];
  const ExpFn exp_block = o.exp ? o.exp : active_kernels().exp;
  const int64_t hd = spec.head_dim;
  const int64_t n_head = spec.n_head;
  const int64_t q_dim = n_head * hd;
  const int64_t group = n_head / spec.n_head_kv;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const auto n = static_cast<int64_t>(b.size());

  // Each sequence's tokens in batch order (their positions increase: Context::validate).
  // Thread-local to reuse memory across calls; the workers use the caller's through the reference.
  thread_local std::vector<std::vector<int64_t>> by_seq_mem;
  auto& by_seq = by_seq_mem;
  by_seq.resize(static_cast<size_t>(kv.n_seq_max()));
  for (auto& v : by_seq) v.clear();
  for (int64_t t = 0; t < n; ++t)
    by_seq[static_cast<size_t>(b.seq_ids[static_cast<size_t>(t)])].push_back(t);

  thread_local std::vector<Task> tasks_mem;
  auto& tasks = tasks_mem;
  tasks.clear();
  const int64_t chunk = std::max<int64_t>(1, o.query_chunk);
  for (int s = 0; s < kv.n_seq_max(); ++s) {
    const auto& toks = by_seq[static_cast<size_t>(s)];
    const auto nt = static_cast<int64_t>(toks.size());
    for (int64_t kvh = 0; kvh < spec.n_head_kv; ++kvh) {
      for (int64_t f = 0; f < nt; f += chunk) {
        const int64_t c = std::min(chunk, nt - f);
        const int64_t last = toks[static_cast<size_t>(f + c - 1)];
        tasks.push_back({s, kvh, f, c, b.positions[static_cast<size_t>(last)] + int64_t{1}});
      }
    }
  }
  const auto n_tasks = static_cast<int64_t>(tasks.size());
  int64_t max_keys = 0;
  for (const Task& t : tasks) max_keys = std::max(max_keys, t.n_keys);
  // Few items (one-sequence decode with few KV heads): split the positions too (each part at
  // least one key block). The split depends on the batch only, never on the thread count, so the
  // summation order and therefore the results are the same with any number of threads.
  int64_t parts = 1;
  if (n_tasks < kSplitBelowItems && max_keys >= o.split_min_keys) {
    parts = std::min<int64_t>((kSplitBelowItems + n_tasks - 1) / n_tasks,
                              std::max<int64_t>(1, max_keys / o.key_block));
  }
  // Biggest items first, handed out one at a time, so no thread is left with a long tail. (The
  // order only decides which thread computes an item, never how: results do not depend on it.)
  const int64_t n_items = n_tasks * parts;
  thread_local std::vector<int64_t> order_mem;
  auto& order = order_mem;
  order.resize(static_cast<size_t>(n_items));
  for (int64_t i = 0; i < n_items; ++i) order[static_cast<size_t>(i)] = i;
  auto cost = [&](int64_t item) {
    const Task& t = tasks[static_cast<size_t>(item / parts)];
    return t.count * t.n_keys;
  };
  // std::sort rather than stable_sort: no temporary buffer, so no heap allocation per token.
  std::sort(order.begin(), order.end(),
            [&](int64_t x, int64_t y) { return cost(x) != cost(y) ? cost(x) > cost(y) : x < y; });

  // Partial results (max, sum, acc) per (part, token, head) when positions are split.
  const int64_t rec = hd + 2;
  thread_local std::vector<float> partial;
  if (parts > 1) partial.assign(static_cast<size_t>(parts * n * n_head * rec), 0.0f);
  float* partial_data = partial.data();

  std::atomic<int64_t> next{0};
  pool.parallel_for(pool.size(), [&](int, int64_t, int64_t) {
    thread_local std::vector<float> acc_buf, scores;
    thread_local std::vector<State> states;
    acc_buf.resize(static_cast<size_t>(chunk * group * hd));
    states.resize(static_cast<size_t>(chunk * group));
    scores.resize(static_cast<size_t>(o.key_block));
    for (int64_t idx; (idx = next.fetch_add(1)) < n_items;) {
      const int64_t item = order[static_cast<size_t>(idx)];
      const Task& task = tasks[static_cast<size_t>(item / parts)];
      const int64_t part = item % parts;
      const auto& toks = by_seq[static_cast<size_t>(task.seq)];
      const int64_t k0 = task.n_keys * part / parts, k1 = task.n_keys * (part + 1) / parts;
      const KvRows k_all = kv.k_rows(task.seq, layer, task.kv_head);
      const KvRows v_all = kv.v_rows(task.seq, layer, task.kv_head);
      std::fill(acc_buf.begin(), acc_buf.end(), 0.0f);
      for (int64_t i = 0; i < task.count * group; ++i) {
        states[static_cast<size_t>(i)] = {kNegInf, 0.0f, &acc_buf[static_cast<size_t>(i * hd)]};
      }
      for (int64_t kb = k0; kb < k1; kb += o.key_block) {
        const int64_t be = std::min(kb + o.key_block, k1);
        for (int64_t ti = 0; ti < task.count; ++ti) {
          const int64_t t = toks[static_cast<size_t>(task.first + ti)];
          const int64_t end = std::min<int64_t>(be, b.positions[static_cast<size_t>(t)] + 1);
          if (end <= kb) continue;  // causal: this token sees none of the block
          const int64_t nr = end - kb;
          const KvRows kr = from(k_all, kb, nr), vr = from(v_all, kb, nr);
          for (int64_t g = 0; g < group; ++g) {
            const int64_t h = task.kv_head * group + g;
            State& st = states[static_cast<size_t>(ti * group + g)];
            kern.dot(kr, &q_rows[t * q_dim + h * hd], scores.data());
            float m = st.m;
            for (int64_t i = 0; i < nr; ++i) {
              scores[static_cast<size_t>(i)] *= scale;
              m = std::max(m, scores[static_cast<size_t>(i)]);
            }
            const float corr = std::exp(st.m - m);  // 0 on the first block (st.m = -inf)
            // The block's exps in one vector call instead of a libm call per score; the sum
            // stays a plain loop in order, as before.
            exp_block(scores.data(), m, scores.data(), nr);
            float sum = 0.0f;
            for (int64_t i = 0; i < nr; ++i) sum += scores[static_cast<size_t>(i)];
            if (corr != 1.0f) {
              for (int64_t j = 0; j < hd; ++j) st.acc[j] *= corr;
            }
            st.l = st.l * corr + sum;
            st.m = m;
            kern.axpy(vr, scores.data(), st.acc);
          }
        }
      }
      for (int64_t ti = 0; ti < task.count; ++ti) {
        const int64_t t = toks[static_cast<size_t>(task.first + ti)];
        for (int64_t g = 0; g < group; ++g) {
          const int64_t h = task.kv_head * group + g;
          const State& st = states[static_cast<size_t>(ti * group + g)];
          if (parts == 1) {
            float* out = &out_rows[t * q_dim + h * hd];
            const float inv = 1.0f / st.l;
            for (int64_t j = 0; j < hd; ++j) out[j] = st.acc[j] * inv;
          } else {
            float* p = partial_data + ((part * n + t) * n_head + h) * rec;
            p[0] = st.m;
            p[1] = st.l;
            std::copy_n(st.acc, hd, p + 2);
          }
        }
      }
    }
  });
  if (parts == 1) return;

  // Merge the parts: rescale each to the common max, then normalize by the combined sum.
  pool.parallel_for(n * n_head, [&](int, int64_t begin, int64_t end) {
    for (int64_t th = begin; th < end; ++th) {
      float m = kNegInf;
      for (int64_t p = 0; p < parts; ++p) {
        const float* r = partial_data + (p * n * n_head + th) * rec;
        if (r[1] > 0.0f) m = std::max(m, r[0]);
      }
      float* out = &out_rows[th * hd];  // th = t * n_head + h, and out rows are n_head * hd wide
      std::fill(out, out + hd, 0.0f);
      float l = 0.0f;
      for (int64_t p = 0; p < parts; ++p) {
        const float* r = partial_data + (p * n * n_head + th) * rec;
        if (r[1] <= 0.0f) continue;  // this part held none of the token's positions
        const float w = std::exp(r[0] - m);
        l += r[1] * w;
        for (int64_t j = 0; j < hd; ++j) out[j] += w * r[2 + j];
      }
      const float inv = 1.0f / l;
      for (int64_t j = 0; j < hd; ++j) out[j] *= inv;
    }
  });
}

}  // namespace pocket
