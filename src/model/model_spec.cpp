#include "model/model_spec.h"

#include <cmath>

#include "core/error.h"

namespace pocket {

namespace {
constexpr int64_t kMaxHeadDim = 1 << 16;
}  // namespace

const char* arch_name(Arch arch) {
  switch (arch) {
    case Arch::kLlama: return "llama";
    case Arch::kQwen2: return "qwen2";
  }
  return "?";
}

std::vector<float> ModelSpec::rope_inv_freq() const {
  std::vector<float> inv(static_cast<size_t>(head_dim / 2));
  for (size_t i = 0; i < inv.size(); ++i) {
    double f = std::pow(static_cast<double>(rope_theta),
                        -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
    if (!rope_freq_factors.empty()) f /= rope_freq_factors[i];
    inv[i] = static_cast<float>(f);
  }
  return inv;
}

void ModelSpec::validate(const std::string& origin) const {
  auto positive = [&](int64_t v, const char* field) {
    POCKET_CHECK(v > 0 && v <= (int64_t{1} << 31), ErrorCode::kFormat, origin, ": ", field,
                 " must be a positive count, got ", v);
  };
  positive(n_vocab, "vocabulary size");
  positive(n_embd, "embedding length");
  positive(n_layer, "layer count");
  positive(n_head, "head count");
  positive(n_head_kv, "KV head count");
  positive(head_dim, "head dimension");
  positive(n_ff, "feed-forward length");
  POCKET_CHECK(n_head % n_head_kv == 0, ErrorCode::kFormat, origin, ": head count ", n_head,
               " is not a multiple of the KV head count ", n_head_kv);
  // Far above any real model (64 to 256), and low enough that what is sized by it (RoPE
  // frequency tables) cannot become a multi-gigabyte allocation from a bad config.
  POCKET_CHECK(head_dim <= kMaxHeadDim, ErrorCode::kFormat, origin, ": head dimension ", head_dim,
               " is more than ", kMaxHeadDim);
  POCKET_CHECK(head_dim % 2 == 0, ErrorCode::kFormat, origin, ": head dimension ", head_dim,
               " must be even for RoPE");
  POCKET_CHECK(std::isfinite(rms_eps) && rms_eps > 0, ErrorCode::kFormat, origin,
               ": RMSNorm epsilon must be positive, got ", rms_eps);
  POCKET_CHECK(std::isfinite(rope_theta) && rope_theta > 0, ErrorCode::kFormat, origin,
               ": RoPE base must be positive, got ", rope_theta);
  POCKET_CHECK(rope_freq_factors.empty() ||
                   static_cast<int64_t>(rope_freq_factors.size()) == head_dim / 2,
               ErrorCode::kFormat, origin, ": ", rope_freq_factors.size(),
               " RoPE frequency factors for a head dimension of ", head_dim);
}

std::string ModelSpec::describe() const {
  return cat(arch_name(arch), ": vocab ", n_vocab, ", hidden ", n_embd, ", layers ", n_layer,
             ", heads ", n_head, " (KV ", n_head_kv, ", dim ", head_dim, "), ffn ", n_ff,
             ", context ", n_ctx_train, ", rms_eps ", rms_eps, ", rope theta ", rope_theta, " (",
             rope_style == ref::RopeStyle::kHalf ? "rotate-half" : "interleaved", ")",
             attn_qkv_bias ? ", qkv bias" : "", tied_output ? ", tied output" : "");
}

}  // namespace pocket
