#include "runtime/synth_model.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "io/gguf_writer.h"
#include "model/hf_config.h"
#include "runtime/gguf_model_writer.h"
#include "tokenizer/hf_folder_loader.h"

namespace pocket {
namespace {

// config.json of deepseek-ai/DeepSeek-R1-Distill-Qwen-{1.5B,7B} (the fields that set shapes).
constexpr const char* kQwen15B = R"({
  "model_type": "qwen2", "hidden_size": 1536, "intermediate_size": 8960,
  "num_attention_heads": 12, "num_hidden_layers": 28, "num_key_value_heads": 2,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-06, "rope_theta": 10000,
  "tie_word_embeddings": false, "vocab_size": 151936, "bos_token_id": 151643,
  "eos_token_id": 151643})";
constexpr const char* kQwen7B = R"({
  "model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944,
  "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-06, "rope_theta": 10000,
  "tie_word_embeddings": false, "vocab_size": 152064, "bos_token_id": 151643,
  "eos_token_id": 151643})";

// splitmix64: fast, and the same stream on every platform for a given seed.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// Fills a tensor with uniform values in [-scale, scale] (or all `fill` when scale is 0), written
// in pieces so that no tensor is ever whole in memory.
GgufWriter::TensorFiller random_filler(DType type, int64_t n, float scale, float fill, uint64_t seed) {
  return [=](const GgufWriter::ByteSink& sink) {
    Random rng(seed);
    constexpr int64_t kPiece = 1 << 16;
    std::vector<float> f(static_cast<size_t>(kPiece));
    std::vector<uint16_t> h(static_cast<size_t>(kPiece));
    for (int64_t done = 0; done < n; done += kPiece) {
      const int64_t m = std::min(kPiece, n - done);
      for (int64_t i = 0; i < m; i += 4) {
        const uint64_t r = rng.next();
        for (int j = 0; j < 4 && i + j < m; ++j) {
          const auto bits = static_cast<uint16_t>(r >> (16 * j));
          f[static_cast<size_t>(i + j)] =
              scale == 0.0f ? fill : (static_cast<float>(bits) / 32767.5f - 1.0f) * scale;
        }
      }
      if (type == DType::kF32) {
        sink(f.data(), static_cast<size_t>(m) * sizeof(float));
        continue;
      }
      for (int64_t i = 0; i < m; ++i) {
        h[static_cast<size_t>(i)] = type == DType::kF16 ? fp32_to_fp16(f[static_cast<size_t>(i)])
                                                        : fp32_to_bf16(f[static_cast<size_t>(i)]);
      }
      sink(h.data(), static_cast<size_t>(m) * sizeof(uint16_t));
    }
  };
}

uint32_t gguf_file_type(DType t) {
  switch (t) {
    case DType::kF32: return 0;   // LLAMA_FTYPE_ALL_F32
    case DType::kF16: return 1;   // LLAMA_FTYPE_MOSTLY_F16
    case DType::kBF16: return 32;  // LLAMA_FTYPE_MOSTLY_BF16
    default: fail(ErrorCode::kInvalidArgument, "synth writes F32, F16 or BF16, not ", dtype_name(t));
  }
}

}  // namespace

const std::vector<SynthPreset>& synth_presets() {
  static const std::vector<SynthPreset> presets = {
      {"deepseek-r1-distill-qwen-1.5b", kQwen15B},
      {"deepseek-r1-distill-qwen-7b", kQwen7B},
  };
  return presets;
}

std::optional<SynthPreset> find_synth_preset(const std::string& name) {
  for (const auto& p : synth_presets()) {
    if (p.name == name) return p;
  }
  return std::nullopt;
}

ModelSpec write_synthetic_model(const SynthOptions& o, const std::string& path) {
  ModelSpec s = hf_model_spec(o.config_json, o.config_origin);
  if (o.n_layer_override > 0) s.n_layer = o.n_layer_override;
  const uint32_t file_type = gguf_file_type(o.type);
  const TokenizerSpec tok = load_hf_tokenizer_dir(o.tokenizer_path);

  GgufWriter w;
  add_model_metadata(w, s, tok, file_type, o.name);

  uint64_t seed = o.seed * 0x100000001b3ULL;
  // Weights uniform in +-sqrt(3)*0.02 (std 0.02, like a fresh initialization): activations stay
  // finite through every layer. Norm weights are 1, biases small.
  const float w_scale = 0.0346f;
  auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
    w.add_tensor(name, o.type, {cols, rows}, random_filler(o.type, cols * rows, w_scale, 0, ++seed));
  };
  auto vector = [&](const std::string& name, int64_t n, float scale, float fill) {
    w.add_tensor(name, DType::kF32, {n}, random_filler(DType::kF32, n, scale, fill, ++seed));
  };
  const int64_t q = s.n_head * s.head_dim, kv = s.n_head_kv * s.head_dim;
  matrix("token_embd.weight", s.n_embd, s.n_vocab);
  vector("output_norm.weight", s.n_embd, 0, 1.0f);
  if (!s.tied_output) matrix("output.weight", s.n_embd, s.n_vocab);
  for (int64_t l = 0; l < s.n_layer; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    vector(p + "attn_norm.weight", s.n_embd, 0, 1.0f);
    matrix(p + "attn_q.weight", s.n_embd, q);
    matrix(p + "attn_k.weight", s.n_embd, kv);
    matrix(p + "attn_v.weight", s.n_embd, kv);
    if (s.attn_qkv_bias) {
      vector(p + "attn_q.bias", q, 0.02f, 0);
      vector(p + "attn_k.bias", kv, 0.02f, 0);
      vector(p + "attn_v.bias", kv, 0.02f, 0);
    }
    matrix(p + "attn_output.weight", q, s.n_embd);
    vector(p + "ffn_norm.weight", s.n_embd, 0, 1.0f);
    matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_up.weight", s.n_embd, s.n_ff);
    matrix(p + "ffn_down.weight", s.n_ff, s.n_embd);
  }
  w.write(path);
  return s;
}

}  // namespace pocket
