// Shared by the quant tests: a scratch folder and a small random model written as a GGUF file.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "io/gguf_writer.h"
#include "random_model.h"
#include "runtime/gguf_model_writer.h"
#include "runtime/model_loader.h"
#include "shared_data.h"

namespace pocket::test {

class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("pocket_quant_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Every file in the folder (to check that a failed run left nothing behind).
  size_t n_files() const {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
    return n;
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  std::filesystem::path path_;
};

// A qwen2-shaped random model (rows of 128 and, for ffn_down, 192: not a multiple of 128) with
// stories260K's tokenizer, written as an F32 GGUF file.
inline ModelSpec random_model_spec() {
  ModelSpec s = RandomModel::small_spec(Arch::kQwen2);
  s.n_vocab = 512;
  s.n_embd = 128;
  s.n_head = 4;
  s.n_head_kv = 2;
  s.head_dim = 32;
  s.n_ff = 192;
  return s;
}

inline void write_random_model(const std::string& path, uint32_t seed = 99) {
  RandomModel rm(random_model_spec(), seed);
  const auto tok = load_tokenizer(shared_path("models/stories260K.gguf"));
  GgufWriter w;
  add_model_metadata(w, rm.model().spec(), tok->spec(), 0, "random");
  const ModelWeights& mw = rm.model().weights();
  auto add = [&](const std::string& name, const TensorView* v) {
    std::vector<int64_t> ne;
    for (uint32_t i = 0; i < v->n_dims; ++i) ne.push_back(v->ne[i]);
    w.add_tensor(name, DType::kF32, ne, v->data);
  };
  add("token_embd.weight", mw.tok_embd);
  add("output_norm.weight", mw.output_norm);
  add("output.weight", mw.output);
  for (size_t l = 0; l < mw.layers.size(); ++l) {
    const LayerWeights& L = mw.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    add(p + "attn_norm.weight", L.attn_norm);
    add(p + "attn_q.weight", L.wq);
    add(p + "attn_k.weight", L.wk);
    add(p + "attn_v.weight", L.wv);
    add(p + "attn_q.bias", L.bq);
    add(p + "attn_k.bias", L.bk);
    add(p + "attn_v.bias", L.bv);
    add(p + "attn_output.weight", L.wo);
    add(p + "ffn_norm.weight", L.ffn_norm);
    add(p + "ffn_gate.weight", L.w_gate);
    add(p + "ffn_up.weight", L.w_up);
    add(p + "ffn_down.weight", L.w_down);
  }
  w.write(path);
}

}  // namespace pocket::test
