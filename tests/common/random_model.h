// A small model with random f32 weights built in memory, for tests that need a forward pass
// but not a file (batching, cache handling, the generation loop).
#pragma once

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "model/model.h"
#include "model/weight_binding.h"

namespace pocket::test {

class RandomModel {
 public:
  explicit RandomModel(ModelSpec spec, uint32_t seed = 1234) {
    spec.validate("random model");
    model_ = std::make_unique<Model>(spec, ModelFormat::kGguf, "random model");
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, 0.3f);
    auto make = [&](const std::string& name, std::vector<int64_t> ne, bool ones = false) {
      auto& data = buffers_.emplace_back();
      int64_t count = 1;
      for (int64_t v : ne) count *= v;
      data.resize(static_cast<size_t>(count));
      for (auto& x : data) x = ones ? 1.0f + 0.1f * dist(rng) : dist(rng);
      TensorView t;
      t.name = name;
      t.type = DType::kF32;
      t.n_dims = static_cast<uint32_t>(ne.size());
      for (size_t i = 0; i < ne.size(); ++i) t.ne[i] = ne[i];
      t.data = data.data();
      t.nbytes = data.size() * sizeof(float);
      views_.push_back(t);
    };
    const int64_t q = spec.n_head * spec.head_dim, kv = spec.n_head_kv * spec.head_dim;
    make("token_embd.weight", {spec.n_embd, spec.n_vocab});
    make("output_norm.weight", {spec.n_embd}, true);
    if (!spec.tied_output) make("output.weight", {spec.n_embd, spec.n_vocab});
    for (int64_t l = 0; l < spec.n_layer; ++l) {
      const std::string p = "blk." + std::to_string(l) + ".";
      make(p + "attn_norm.weight", {spec.n_embd}, true);
      make(p + "attn_q.weight", {spec.n_embd, q});
      make(p + "attn_k.weight", {spec.n_embd, kv});
      make(p + "attn_v.weight", {spec.n_embd, kv});
      make(p + "attn_output.weight", {q, spec.n_embd});
      if (spec.attn_qkv_bias) {
        make(p + "attn_q.bias", {q});
        make(p + "attn_k.bias", {kv});
        make(p + "attn_v.bias", {kv});
      }
      make(p + "ffn_norm.weight", {spec.n_embd}, true);
      make(p + "ffn_gate.weight", {spec.n_embd, spec.n_ff});
      make(p + "ffn_up.weight", {spec.n_embd, spec.n_ff});
      make(p + "ffn_down.weight", {spec.n_ff, spec.n_embd});
    }
    bind_weights(
        *model_,
        [this](const std::string& name) -> const TensorView* {
          for (const auto& v : views_) {
            if (v.name == name) return &v;
          }
          return nullptr;
        },
        "random model");
  }

  const Model& model() const { return *model_; }

  static ModelSpec small_spec(Arch arch = Arch::kQwen2) {
    ModelSpec s;
    s.arch = arch;
    s.n_vocab = 97;
    s.n_embd = 48;
    s.n_layer = 2;
    s.n_head = 6;
    s.n_head_kv = 2;
    s.head_dim = 8;
    s.n_ff = 72;
    s.n_ctx_train = 128;
    s.rms_eps = 1e-5f;
    s.rope_style = arch == Arch::kQwen2 ? ref::RopeStyle::kHalf : ref::RopeStyle::kInterleaved;
    s.attn_qkv_bias = arch == Arch::kQwen2;
    return s;
  }

 private:
  std::vector<std::vector<float>> buffers_;
  std::deque<TensorView> views_;
  std::unique_ptr<Model> model_;
};

}  // namespace pocket::test
