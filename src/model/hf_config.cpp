#include "model/hf_config.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "core/error.h"

namespace pocket {
namespace {

using Json = nlohmann::json;

int64_t get_count(const Json& j, const char* key, const std::string& origin) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) fail(ErrorCode::kFormat, origin, ": missing field '", key, "'");
  if (!it->is_number_integer()) fail(ErrorCode::kFormat, origin, ": field '", key, "' must be an integer");
  return it->get<int64_t>();
}

double get_number(const Json& j, const char* key, double fallback, const std::string& origin) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number()) fail(ErrorCode::kFormat, origin, ": field '", key, "' must be a number");
  return it->get<double>();
}

bool get_bool(const Json& j, const char* key, bool fallback, const std::string& origin) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) fail(ErrorCode::kFormat, origin, ": field '", key, "' must be true or false");
  return it->get<bool>();
}

// Llama 3.1's long-context RoPE: low frequencies are slowed by `factor`, high ones kept, and the
// band between is blended. Returned as divisors of the base frequencies.
std::vector<float> llama3_freq_factors(const Json& rs, const ModelSpec& s, const std::string& origin) {
  const double factor = get_number(rs, "factor", 8.0, origin);
  const double low = get_number(rs, "low_freq_factor", 1.0, origin);
  const double high = get_number(rs, "high_freq_factor", 4.0, origin);
  const double old_ctx = get_number(rs, "original_max_position_embeddings", 8192, origin);
  POCKET_CHECK(factor > 0 && high > low, ErrorCode::kFormat, origin, ": bad llama3 rope_scaling");
  const double low_wavelen = old_ctx / low;
  const double high_wavelen = old_ctx / high;
  std::vector<float> factors(static_cast<size_t>(s.head_dim / 2));
  for (size_t i = 0; i < factors.size(); ++i) {
    const double freq =
        std::pow(static_cast<double>(s.rope_theta), -2.0 * static_cast<double>(i) / s.head_dim);
    const double wavelen = 2.0 * std::numbers::pi / freq;
    double scaled = freq;
    if (wavelen > low_wavelen) {
      scaled = freq / factor;
    } else if (wavelen >= high_wavelen) {
      const double smooth = (old_ctx / wavelen - low) / (high - low);
      scaled = (1.0 - smooth) * freq / factor + smooth * freq;
    }
    factors[i] = static_cast<float>(freq / scaled);
  }
  return factors;
}

}  // namespace

ModelSpec hf_model_spec(const std::string& text, const std::string& origin) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) fail(ErrorCode::kFormat, origin, ": not a valid JSON object");
  const auto type_it = j.find("model_type");
  if (type_it == j.end() || !type_it->is_string()) fail(ErrorCode::kFormat, origin, ": missing field 'model_type'");
  const std::string type = type_it->get<std::string>();
  ModelSpec s;
  s.rope_style = ref::RopeStyle::kHalf;  // Hugging Face checkpoints use rotate_half
  if (type == "llama") {
    s.arch = Arch::kLlama;
    s.attn_qkv_bias = get_bool(j, "attention_bias", false, origin);
  } else if (type == "qwen2") {
    s.arch = Arch::kQwen2;
    s.attn_qkv_bias = true;
  } else {
    fail(ErrorCode::kUnsupported, origin, ": model_type '", type, "' is not supported (supported: llama, qwen2)");
  }
  s.n_vocab = get_count(j, "vocab_size", origin);
  s.n_embd = get_count(j, "hidden_size", origin);
  s.n_layer = get_count(j, "num_hidden_layers", origin);
  s.n_head = get_count(j, "num_attention_heads", origin);
  s.n_head_kv = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                    ? get_count(j, "num_key_value_heads", origin)
                    : s.n_head;
  s.n_ff = get_count(j, "intermediate_size", origin);
  POCKET_CHECK(s.n_head > 0, ErrorCode::kFormat, origin, ": num_attention_heads must be positive");
  s.head_dim = j.contains("head_dim") && !j["head_dim"].is_null() ? get_count(j, "head_dim", origin)
                                                                   : s.n_embd / s.n_head;
  const double n_ctx = get_number(j, "max_position_embeddings", 2048, origin);
  // Checked before the conversion, which is undefined behavior for a double beyond int64.
  POCKET_CHECK(n_ctx >= 1 && n_ctx <= static_cast<double>(int64_t{1} << 31), ErrorCode::kFormat,
               origin, ": max_position_embeddings must be a positive count, got ", n_ctx);
  s.n_ctx_train = static_cast<int64_t>(n_ctx);
  s.rms_eps = static_cast<float>(get_number(j, "rms_norm_eps", 1e-6, origin));
  s.rope_theta = static_cast<float>(get_number(j, "rope_theta", 10000.0, origin));
  s.tied_output = get_bool(j, "tie_word_embeddings", false, origin);
  if (auto rs = j.find("rope_scaling"); rs != j.end() && !rs->is_null()) {
    POCKET_CHECK(rs->is_object(), ErrorCode::kFormat, origin, ": rope_scaling must be an object");
    // Not json::value(): it throws nlohmann's type_error when the field is not a string.
    std::string kind;
    for (const char* key : {"rope_type", "type"}) {
      const auto it = rs->find(key);
      if (it == rs->end() || it->is_null()) continue;
      POCKET_CHECK(it->is_string(), ErrorCode::kFormat, origin, ": rope_scaling.", key,
                   " must be a string");
      kind = it->get<std::string>();
      break;
    }
    if (kind == "llama3") {
      s.validate(origin);  // head_dim must be sane before sizing the factors
      s.rope_freq_factors = llama3_freq_factors(*rs, s, origin);
    } else if (kind != "default") {
      fail(ErrorCode::kUnsupported, origin, ": rope_scaling type '", kind, "' is not supported");
    }
  }
  s.validate(origin);
  return s;
}

std::string hf_tensor_name(const std::string& g) {
  if (g == "token_embd.weight") return "model.embed_tokens.weight";
  if (g == "output_norm.weight") return "model.norm.weight";
  if (g == "output.weight") return "lm_head.weight";
  if (g.rfind("blk.", 0) != 0) return {};
  const size_t dot = g.find('.', 4);
  if (dot == std::string::npos) return {};
  const std::string layer = g.substr(4, dot - 4);
  const std::string rest = g.substr(dot + 1);
  static const std::pair<const char*, const char*> kMap[] = {
      {"attn_norm.weight", "input_layernorm.weight"},
      {"attn_q.weight", "self_attn.q_proj.weight"},
      {"attn_k.weight", "self_attn.k_proj.weight"},
      {"attn_v.weight", "self_attn.v_proj.weight"},
      {"attn_output.weight", "self_attn.o_proj.weight"},
      {"attn_q.bias", "self_attn.q_proj.bias"},
      {"attn_k.bias", "self_attn.k_proj.bias"},
      {"attn_v.bias", "self_attn.v_proj.bias"},
      {"ffn_norm.weight", "post_attention_layernorm.weight"},
      {"ffn_gate.weight", "mlp.gate_proj.weight"},
      {"ffn_up.weight", "mlp.up_proj.weight"},
      {"ffn_down.weight", "mlp.down_proj.weight"},
  };
  for (const auto& [from, to] : kMap) {
    if (rest == from) return "model.layers." + layer + "." + to;
  }
  return {};
}

}  // namespace pocket
