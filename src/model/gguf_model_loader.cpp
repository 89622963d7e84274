#include "model/gguf_model_loader.h"

#include "core/error.h"
#include "kernels/ref/dequant.h"
#include "model/weight_binding.h"

namespace pocket {
namespace {

int64_t require_int(const GgufFile& f, const std::string& key) {
  auto v = f.get_int(key);
  if (!v) fail(ErrorCode::kFormat, f.name(), ": missing metadata key '", key, "'");
  return *v;
}

// The tensors the spec looks at (vocabulary size, rope_freqs, tied output), wherever they are.
template <typename Tensors>
ModelSpec spec_from(const GgufFile& f, const Tensors& tensors) {
  const auto arch_str = f.get_string("general.architecture");
  if (!arch_str)
    fail(ErrorCode::kFormat, f.name(), ": missing metadata key 'general.architecture'");
  ModelSpec s;
  if (*arch_str == "llama") {
    s.arch = Arch::kLlama;
    // GGUF llama weights have Q/K rows permuted for the interleaved convention (llama.cpp's
    // converters do it; llama2.c models use it natively).
    s.rope_style = ref::RopeStyle::kInterleaved;
  } else if (*arch_str == "qwen2") {
    s.arch = Arch::kQwen2;
    s.rope_style = ref::RopeStyle::kHalf;  // qwen2 GGUF keeps Hugging Face's layout
    s.attn_qkv_bias = true;
  } else {
    fail(ErrorCode::kUnsupported, f.name(), ": architecture '", *arch_str,
         "' is not supported (supported: llama, qwen2)");
  }
  const std::string a = *arch_str + ".";
  s.n_embd = require_int(f, a + "embedding_length");
  s.n_layer = require_int(f, a + "block_count");
  s.n_ff = require_int(f, a + "feed_forward_length");
  s.n_head = require_int(f, a + "attention.head_count");
  s.n_head_kv = f.get_int(a + "attention.head_count_kv").value_or(s.n_head);
  s.n_ctx_train = f.get_int(a + "context_length").value_or(2048);
  POCKET_CHECK(s.n_head > 0, ErrorCode::kFormat, f.name(), ": head count must be positive");
  s.head_dim = f.get_int(a + "attention.key_length").value_or(s.n_embd / s.n_head);
  const int64_t rope_dims = f.get_int(a + "rope.dimension_count").value_or(s.head_dim);
  POCKET_CHECK(rope_dims == s.head_dim, ErrorCode::kUnsupported, f.name(),
               ": partial RoPE (rope.dimension_count ", rope_dims, " < head dim ", s.head_dim,
               ") is not supported");
  s.rms_eps =
      static_cast<float>(f.get_float(a + "attention.layer_norm_rms_epsilon").value_or(1e-5));
  s.rope_theta = static_cast<float>(f.get_float(a + "rope.freq_base").value_or(10000.0));
  const TensorView* embd = tensors.find_tensor("token_embd.weight");
  if (!embd) fail(ErrorCode::kFormat, f.name(), ": missing tensor 'token_embd.weight'");
  s.n_vocab = embd->ne[1];
  if (const TensorView* freqs = tensors.find_tensor("rope_freqs.weight")) {
    POCKET_CHECK(freqs->n_elements() == s.head_dim / 2, ErrorCode::kFormat, f.name(),
                 ": rope_freqs.weight has ", freqs->n_elements(), " values, expected ",
                 s.head_dim / 2);
    s.rope_freq_factors.resize(static_cast<size_t>(s.head_dim / 2));
    dequantize_row(freqs->type, freqs->data, s.rope_freq_factors.data(), s.head_dim / 2);
  }
  s.tied_output = tensors.find_tensor("output.weight") == nullptr;
  s.validate(f.name());
  return s;
}

}  // namespace

ModelSpec gguf_model_spec(const GgufFile& f) {
  return spec_from(f, f);
}

ModelSpec gguf_model_spec(const GgufModelFiles& files) {
  return spec_from(files.metadata(), files);
}

std::unique_ptr<Model> load_gguf_model(std::shared_ptr<const GgufModelFiles> files) {
  auto model = std::make_unique<Model>(gguf_model_spec(*files), ModelFormat::kGguf, files->name());
  const GgufModelFiles& f = *files;
  // Errors name part 1 (the model's path); a missing or misshapen tensor of a split model says so.
  const std::string origin =
      f.is_split() ? cat(f.name(), " (split model of ", f.parts().size(), " parts)") : f.name();
  bind_weights(
      *model, [&f](const std::string& name) { return f.find_tensor(name); }, origin);
  model->keep_alive(std::move(files));
  return model;
}

std::unique_ptr<Model> load_gguf_model(std::shared_ptr<const GgufFile> file) {
  return load_gguf_model(
      std::make_shared<const GgufModelFiles>(GgufModelFiles::single(std::move(file))));
}

}  // namespace pocket
