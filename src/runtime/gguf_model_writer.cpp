#include "runtime/gguf_model_writer.h"

#include "tokenizer/gguf_tokenizer_writer.h"

namespace pocket {

void add_model_metadata(GgufWriter& w, const ModelSpec& s, const TokenizerSpec& tokenizer,
                        uint32_t file_type, const std::string& name) {
  const std::string a = arch_name(s.arch);
  w.add_string("general.architecture", a);
  w.add_string("general.name", name);
  w.add_uint32("general.file_type", file_type);
  w.add_uint32(a + ".context_length", static_cast<uint32_t>(s.n_ctx_train));
  w.add_uint32(a + ".embedding_length", static_cast<uint32_t>(s.n_embd));
  w.add_uint32(a + ".block_count", static_cast<uint32_t>(s.n_layer));
  w.add_uint32(a + ".feed_forward_length", static_cast<uint32_t>(s.n_ff));
  w.add_uint32(a + ".attention.head_count", static_cast<uint32_t>(s.n_head));
  w.add_uint32(a + ".attention.head_count_kv", static_cast<uint32_t>(s.n_head_kv));
  // Only when it differs from the default the readers derive (n_embd / n_head).
  if (s.head_dim * s.n_head != s.n_embd) {
    w.add_uint32(a + ".attention.key_length", static_cast<uint32_t>(s.head_dim));
    w.add_uint32(a + ".attention.value_length", static_cast<uint32_t>(s.head_dim));
  }
  w.add_float32(a + ".rope.freq_base", s.rope_theta);
  w.add_float32(a + ".attention.layer_norm_rms_epsilon", s.rms_eps);
  write_gguf_tokenizer(w, tokenizer, s.n_vocab);
}

}  // namespace pocket
