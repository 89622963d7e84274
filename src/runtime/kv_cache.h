// Keys and values of past positions, per sequence and layer, kept in f32 and grown as each
// sequence grows (nothing is allocated for the full context up front).
#pragma once

#include <cstdint>
#include <vector>

#include "model/model_spec.h"

namespace pocket {

class KvCache {
 public:
  KvCache(const ModelSpec& spec, int64_t n_ctx, int n_seq_max);

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

  float* k(int seq, int64_t layer, int64_t pos) { return row(seq, layer, pos, true); }
  float* v(int seq, int64_t layer, int64_t pos) { return row(seq, layer, pos, false); }
  const float* k(int seq, int64_t layer, int64_t pos) const;
  const float* v(int seq, int64_t layer, int64_t pos) const;

  uint64_t bytes_allocated() const;

 private:
  struct Seq {
    int64_t len = 0;
    int64_t capacity = 0;
    std::vector<std::vector<float>> k;  // per layer: capacity x kv_dim
    std::vector<std::vector<float>> v;
  };
  float* row(int seq, int64_t layer, int64_t pos, bool key);

  int64_t n_layer_;
  int64_t kv_dim_;
  int64_t n_ctx_;
  std::vector<Seq> seqs_;
};

}  // namespace pocket
