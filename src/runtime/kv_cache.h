// Keys and values of past positions, per sequence and layer, grown as each sequence grows in
// blocks of 256 positions (nothing is allocated for the full context up front).
//
// Storage types (KvType, kernels/gemm.h), chosen per context:
//   kF16 (default): IEEE half, 2 bytes a value. Keys and values after RoPE stay well inside the
//        f16 range; the rounding (2^-11 relative) moves logits by ~1e-3 on our small models.
//   kF32: 4 bytes a value, exact.
//   kQ8:  int8 with one f32 scale per block of 32 values of a position's head vector (a head
//        size that is not a multiple of 32, like stories260K's 8, gets one block per head
//        vector). Per 32 rather than per head vector because Qwen2 keys carry a few large
//        channels (the k bias): one scale per 128 values would spend most levels on them.
//        1.125 bytes a value, 44% less than f16.
// Layout of one (sequence, layer): positions one after another, each position's kv_dim values
// head by head (data), and for q8 each position's n_head_kv * head_dim / 32 scales (scales).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/gemm.h"
#include "model/model_spec.h"

namespace pocket {

class KvCache {
 public:
  KvCache(const ModelSpec& spec, int64_t n_ctx, int n_seq_max, KvType type = KvType::kF16);

  KvType type() const { return type_; }
  int64_t n_ctx() const { return n_ctx_; }
  int n_seq_max() const { return static_cast<int>(seqs_.size()); }
  int64_t kv_dim() const { return kv_dim_; }
  int64_t seq_len(int seq) const { return seqs_.at(static_cast<size_t>(seq)).len; }

  // Makes room for positions [0, n_pos) of a sequence.
  void reserve(int seq, int64_t n_pos);
  // Marks positions [0, n_pos) as filled (after the forward pass wrote them).
  void set_len(int seq, int64_t n_pos);
  // Forgets positions >= n_pos of a sequence (to rewind or reuse a shared prefix).
  void truncate(int seq, int64_t n_pos);
  void clear();

  // Stores one position's keys and values (kv_dim f32 values each), converted to the cache type.
  // The position must have been reserved.
  void write(int seq, int64_t layer, int64_t pos, const float* k, const float* v);

  // Rows of one KV head from position 0 on (n_rows = capacity), for the attention kernels.
  KvRows k_rows(int seq, int64_t layer, int64_t kv_head) const {
    return rows(seq, layer, kv_head, true);
  }
  KvRows v_rows(int seq, int64_t layer, int64_t kv_head) const {
    return rows(seq, layer, kv_head, false);
  }

  // One position's keys or values back in f32 (kv_dim values): what attention sees.
  void read_k(int seq, int64_t layer, int64_t pos, float* out) const;
  void read_v(int seq, int64_t layer, int64_t pos, float* out) const;

  // Bytes of every buffer the cache holds (data and scales), as allocated.
  uint64_t bytes_allocated() const;
  // What bytes_allocated() reaches when every sequence is full (for memory planning).
  static uint64_t bytes_when_full(const ModelSpec& spec, int64_t n_ctx, int n_seq_max, KvType type);

 private:
  struct Buffers {
    std::vector<uint8_t> data;  // capacity x row_bytes
    std::vector<float> scales;  // capacity x scales_per_row (q8 only)
  };
  struct Seq {
    int64_t len = 0;
    int64_t capacity = 0;
    std::vector<Buffers> k;  // per layer
    std::vector<Buffers> v;
  };
  KvRows rows(int seq, int64_t layer, int64_t kv_head, bool key) const;
  void write_row(Buffers& buf, int64_t pos, const float* x);
  void read_row(int seq, int64_t layer, int64_t pos, bool key, float* out) const;

  KvType type_;
  int64_t n_layer_;
  int64_t n_head_kv_;
  int64_t head_dim_;
  int64_t kv_dim_;
  int64_t n_ctx_;
  size_t row_bytes_;    // bytes of one position's data
  int64_t row_scales_;  // scales of one position (q8), else 0
  std::vector<Seq> seqs_;
};

}  // namespace pocket
