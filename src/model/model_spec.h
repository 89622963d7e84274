// The hyper-parameters that fully describe a llama-family decoder. One forward implementation
// reads this; architectures differ only in the values here, never in code paths of their own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/ref/ops.h"

namespace pocket {

enum class Arch { kLlama, kQwen2 };

const char* arch_name(Arch arch);

struct ModelSpec {
  Arch arch = Arch::kLlama;
  int64_t n_vocab = 0;
  int64_t n_embd = 0;       // hidden size
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;    // < n_head for grouped-query attention
  int64_t head_dim = 0;
  int64_t n_ff = 0;         // SwiGLU inner size
  int64_t n_ctx_train = 0;  // the context length the model was trained for
  float rms_eps = 1e-5f;
  float rope_theta = 10000.0f;
  ref::RopeStyle rope_style = ref::RopeStyle::kHalf;
  std::vector<float> rope_freq_factors;  // llama3-style long-context scaling (empty: none)
  bool attn_qkv_bias = false;            // qwen2
  bool tied_output = false;              // the output projection reuses the token embedding

  // Angles per rotated pair: theta^(-2i/head_dim), divided by the frequency factors if any.
  std::vector<float> rope_inv_freq() const;
  // Throws Error(kFormat) naming the field when a value is missing or inconsistent.
  void validate(const std::string& origin) const;
  std::string describe() const;
};

}  // namespace pocket
