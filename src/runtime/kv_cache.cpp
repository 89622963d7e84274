#include "runtime/kv_cache.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "kernels/ref/attn_ref.h"

namespace pocket {
namespace {

constexpr int64_t kGrowBlock = 256;  // positions added at a time

size_t value_bytes(KvType t) {
  switch (t) {
    case KvType::kF32:
      return 4;
    case KvType::kF16:
      return 2;
    case KvType::kQ8:
      return 1;
  }
  return 0;
}

// Grows v to exactly n elements, keeping its contents. resize() alone may leave up to twice the
// capacity allocated (geometric growth), which bytes_allocated() would then have to report.
template <class T>
void grow_exact(std::vector<T>& v, size_t n) {
  std::vector<T> grown;
  grown.reserve(n);
  grown.assign(v.begin(), v.end());
  grown.resize(n);
  v.swap(grown);
}

}  // namespace

KvCache::KvCache(const ModelSpec& spec, int64_t n_ctx, int n_seq_max, KvType type)
    : type_(type),
      n_layer_(spec.n_layer),
      n_head_kv_(spec.n_head_kv),
      head_dim_(spec.head_dim),
      kv_dim_(spec.n_head_kv * spec.head_dim),
      n_ctx_(n_ctx) {
  POCKET_CHECK(n_ctx > 0, ErrorCode::kInvalidArgument, "context size must be positive, got ",
               n_ctx);
  POCKET_CHECK(n_seq_max > 0 && n_seq_max <= 4096, ErrorCode::kInvalidArgument,
               "sequence count must be 1..4096, got ", n_seq_max);
  POCKET_CHECK(value_bytes(type) > 0, ErrorCode::kInvalidArgument, "unknown KV cache type ",
               static_cast<int>(type));
  row_bytes_ = static_cast<size_t>(kv_dim_) * value_bytes(type);
  row_scales_ = type == KvType::kQ8 ? n_head_kv_ * (head_dim_ / kv_q8_block(head_dim_)) : 0;
  seqs_.resize(static_cast<size_t>(n_seq_max));
  for (auto& s : seqs_) {
    s.k.resize(static_cast<size_t>(n_layer_));
    s.v.resize(static_cast<size_t>(n_layer_));
  }
}

uint64_t KvCache::bytes_when_full(const ModelSpec& spec, int64_t n_ctx, int n_seq_max,
                                  KvType type) {
  const KvCache probe(spec, n_ctx, 1, type);  // allocates nothing until reserve()
  const auto per_pos = static_cast<uint64_t>(probe.row_bytes_) +
                       static_cast<uint64_t>(probe.row_scales_) * sizeof(float);
  return per_pos * static_cast<uint64_t>(n_ctx) * 2 * static_cast<uint64_t>(spec.n_layer) *
         static_cast<uint64_t>(n_seq_max);
}

void KvCache::reserve(int seq, int64_t n_pos) {
  POCKET_CHECK(seq >= 0 && seq < n_seq_max(), ErrorCode::kOutOfRange, "sequence id ", seq,
               " is outside 0..", n_seq_max() - 1);
  POCKET_CHECK(n_pos <= n_ctx_, ErrorCode::kOutOfRange, "sequence ", seq, " needs ", n_pos,
               " positions but the context holds ", n_ctx_);
  Seq& s = seqs_[static_cast<size_t>(seq)];
  if (n_pos <= s.capacity) return;
  const int64_t cap = std::min(n_ctx_, (n_pos + kGrowBlock - 1) / kGrowBlock * kGrowBlock);
  const auto cap_u = static_cast<size_t>(cap);
  for (auto* bufs : {&s.k, &s.v}) {
    for (Buffers& b : *bufs) {
      grow_exact(b.data, cap_u * row_bytes_);
      grow_exact(b.scales, cap_u * static_cast<size_t>(row_scales_));
    }
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

void KvCache::write_row(Buffers& buf, int64_t pos, const float* x) {
  uint8_t* dst = buf.data.data() + static_cast<size_t>(pos) * row_bytes_;
  switch (type_) {
    case KvType::kF32:
      std::memcpy(dst, x, row_bytes_);
      break;
    case KvType::kF16:
      for (int64_t i = 0; i < kv_dim_; ++i) {
        const uint16_t h = fp32_to_fp16(x[i]);
        std::memcpy(dst + 2 * i, &h, 2);
      }
      break;
    case KvType::kQ8: {
      const int64_t per_head = head_dim_ / kv_q8_block(head_dim_);
      float* sc = buf.scales.data() + pos * row_scales_;
      for (int64_t h = 0; h < n_head_kv_; ++h) {
        ref::quantize_kv_q8(x + h * head_dim_, reinterpret_cast<int8_t*>(dst + h * head_dim_),
                            sc + h * per_head, head_dim_);
      }
      break;
    }
  }
}

void KvCache::write(int seq, int64_t layer, int64_t pos, const float* k, const float* v) {
  Seq& s = seqs_[static_cast<size_t>(seq)];
  POCKET_CHECK(pos >= 0 && pos < s.capacity, ErrorCode::kInternal, "KV write at position ", pos,
               " beyond the reserved ", s.capacity);
  write_row(s.k[static_cast<size_t>(layer)], pos, k);
  write_row(s.v[static_cast<size_t>(layer)], pos, v);
}

KvRows KvCache::rows(int seq, int64_t layer, int64_t kv_head, bool key) const {
  const Seq& s = seqs_[static_cast<size_t>(seq)];
  const Buffers& b = key ? s.k[static_cast<size_t>(layer)] : s.v[static_cast<size_t>(layer)];
  KvRows r;
  r.data = b.data.data() + static_cast<size_t>(kv_head * head_dim_) * value_bytes(type_);
  r.row_stride = row_bytes_;
  if (type_ == KvType::kQ8) {
    r.scales = b.scales.data() + kv_head * (head_dim_ / kv_q8_block(head_dim_));
    r.scale_stride = row_scales_;
  }
  r.n_rows = s.capacity;
  r.n = head_dim_;
  return r;
}

void KvCache::read_row(int seq, int64_t layer, int64_t pos, bool key, float* out) const {
  for (int64_t h = 0; h < n_head_kv_; ++h) {
    ref::kv_row_to_f32(type_, rows(seq, layer, h, key), pos, out + h * head_dim_);
  }
}

void KvCache::read_k(int seq, int64_t layer, int64_t pos, float* out) const {
  read_row(seq, layer, pos, true, out);
}

void KvCache::read_v(int seq, int64_t layer, int64_t pos, float* out) const {
  read_row(seq, layer, pos, false, out);
}

uint64_t KvCache::bytes_allocated() const {
  uint64_t n = 0;
  for (const auto& s : seqs_) {
    for (const auto* bufs : {&s.k, &s.v}) {
      for (const Buffers& b : *bufs) n += b.data.capacity() + b.scales.capacity() * sizeof(float);
    }
  }
  return n;
}

}  // namespace pocket
