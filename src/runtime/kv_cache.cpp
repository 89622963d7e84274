#include "runtime/kv_cache.h"

#include <algorithm>

#include "core/error.h"

namespace pocket {
namespace {
constexpr int64_t kGrowBlock = 256;  // positions added at a time
}

KvCache::KvCache(const ModelSpec& spec, int64_t n_ctx, int n_seq_max)
    : n_layer_(spec.n_layer), kv_dim_(spec.n_head_kv * spec.head_dim), n_ctx_(n_ctx) {
  POCKET_CHECK(n_ctx > 0, ErrorCode::kInvalidArgument, "context size must be positive, got ",
               n_ctx);
  POCKET_CHECK(n_seq_max > 0 && n_seq_max <= 4096, ErrorCode::kInvalidArgument,
               "sequence count must be 1..4096, got ", n_seq_max);
  seqs_.resize(static_cast<size_t>(n_seq_max));
  for (auto& s : seqs_) {
    s.k.resize(static_cast<size_t>(n_layer_));
    s.v.resize(static_cast<size_t>(n_layer_));
  }
}

void KvCache::reserve(int seq, int64_t n_pos) {
  POCKET_CHECK(seq >= 0 && seq < n_seq_max(), ErrorCode::kOutOfRange, "sequence id ", seq,
               " is outside 0..", n_seq_max() - 1);
  POCKET_CHECK(n_pos <= n_ctx_, ErrorCode::kOutOfRange, "sequence ", seq, " needs ", n_pos,
               " positions but the context holds ", n_ctx_);
  Seq& s = seqs_[static_cast<size_t>(seq)];
  if (n_pos <= s.capacity) return;
  const int64_t cap = std::min(n_ctx_, (n_pos + kGrowBlock - 1) / kGrowBlock * kGrowBlock);
  for (int64_t l = 0; l < n_layer_; ++l) {
    s.k[static_cast<size_t>(l)].resize(static_cast<size_t>(cap * kv_dim_));
    s.v[static_cast<size_t>(l)].resize(static_cast<size_t>(cap * kv_dim_));
  }
  s.capacity = cap;
}

void KvCache::set_len(int seq, int64_t n_pos) {
  Seq& s = seqs_.at(static_cast<size_t>(seq));
  POCKET_CHECK(n_pos <= s.capacity, ErrorCode::kInternal, "KV length beyond capacity");
  s.len = n_pos;
}

void KvCache::truncate(int seq, int64_t n_pos) {
  POCKET_CHECK(seq >= 0 && seq < n_seq_max(), ErrorCode::kOutOfRange, "sequence id ", seq,
               " is outside 0..", n_seq_max() - 1);
  Seq& s = seqs_[static_cast<size_t>(seq)];
  s.len = std::clamp<int64_t>(n_pos, 0, s.len);
}

void KvCache::clear() {
  for (auto& s : seqs_) s.len = 0;
}

float* KvCache::row(int seq, int64_t layer, int64_t pos, bool key) {
  Seq& s = seqs_[static_cast<size_t>(seq)];
  auto& buf = key ? s.k[static_cast<size_t>(layer)] : s.v[static_cast<size_t>(layer)];
  return buf.data() + pos * kv_dim_;
}

const float* KvCache::k(int seq, int64_t layer, int64_t pos) const {
  return seqs_[static_cast<size_t>(seq)].k[static_cast<size_t>(layer)].data() + pos * kv_dim_;
}

const float* KvCache::v(int seq, int64_t layer, int64_t pos) const {
  return seqs_[static_cast<size_t>(seq)].v[static_cast<size_t>(layer)].data() + pos * kv_dim_;
}

uint64_t KvCache::bytes_allocated() const {
  uint64_t n = 0;
  for (const auto& s : seqs_)
    n += static_cast<uint64_t>(s.capacity * kv_dim_) * 2 * n_layer_ * sizeof(float);
  return n;
}

}  // namespace pocket
