// Model files that differ from a loadable one in exactly one way, for the bad-model tests
// (bad_model_test.cpp) and the CLI checks (tests/cli/make_bad_models.cpp):
//   - GgufParts: a GGUF file as editable metadata entries and tensors, written back with
//     GgufWriter. from_file() copies a real model (stories260K); wide_llama() builds one whose
//     rows are 256 long, so that a tensor can be turned into a K-quant without changing shape.
//   - write_hf_folder(): a Hugging Face folder (config.json, model.safetensors, tokenizer.json)
//     holding the same llama weights under Hugging Face names. It loads, but does not compute
//     what the GGUF computes: GGUF permutes the Q/K rows for its RoPE layout and this copy does
//     not undo that. It is for load errors only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "model/hf_config.h"

namespace pocket::test {

class GgufParts {
 public:
  struct Tensor {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    std::vector<uint8_t> data;
  };

  // Copies every key/value (same value types) and every tensor of `f`.
  static GgufParts from_file(const GgufFile& f) {
    GgufParts parts;
    for (const std::string& key : f.keys()) parts.keys_.emplace_back(key, copier(f, key));
    for (const TensorView& t : f.tensors()) {
      const auto* p = static_cast<const uint8_t*>(t.data);
      parts.tensors_.push_back(
          {t.name, t.type, {t.ne.begin(), t.ne.begin() + t.n_dims}, {p, p + t.nbytes}});
    }
    return parts;
  }

  // A 1-layer llama, hidden size and FFN 256 (4 heads of 64), with a 6-token SentencePiece
  // vocabulary; all weights F32, small values.
  static GgufParts wide_llama() {
    GgufParts parts;
    constexpr int64_t kEmbd = 256, kVocab = 6;
    parts.set_string("general.architecture", "llama");
    parts.set_uint32("llama.embedding_length", kEmbd);
    parts.set_uint32("llama.feed_forward_length", kEmbd);
    parts.set_uint32("llama.block_count", 1);
    parts.set_uint32("llama.attention.head_count", 4);
    parts.set_uint32("llama.context_length", 64);
    parts.set_string("tokenizer.ggml.model", "llama");
    const std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "\xE2\x96\x81", "a", "b"};
    const std::vector<float> scores = {0, 0, 0, -1, -2, -3};
    const std::vector<int32_t> types = {2, 3, 3, 1, 1, 1};
    parts.set([tokens](GgufWriter& w, const std::string& k) { w.add_string_array(k, tokens); },
              "tokenizer.ggml.tokens");
    parts.set([scores](GgufWriter& w, const std::string& k) { w.add_float32_array(k, scores); },
              "tokenizer.ggml.scores");
    parts.set([types](GgufWriter& w, const std::string& k) { w.add_int32_array(k, types); },
              "tokenizer.ggml.token_type");
    parts.set_uint32("tokenizer.ggml.bos_token_id", 1);
    parts.set_uint32("tokenizer.ggml.eos_token_id", 2);
    parts.add_f32("token_embd.weight", {kEmbd, kVocab});
    parts.add_f32("output_norm.weight", {kEmbd});
    for (const char* name :
         {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}) {
      parts.add_f32(std::string("blk.0.") + name + ".weight", {kEmbd, kEmbd});
    }
    parts.add_f32("blk.0.attn_norm.weight", {kEmbd});
    parts.add_f32("blk.0.ffn_norm.weight", {kEmbd});
    return parts;
  }

  // --- edits ---
  void drop_key(const std::string& key) {
    std::erase_if(keys_, [&](const auto& kv) { return kv.first == key; });
  }
  void set_string(const std::string& key, std::string value) {
    set([value](GgufWriter& w, const std::string& k) { w.add_string(k, value); }, key);
  }
  void set_uint32(const std::string& key, uint32_t value) {
    set([value](GgufWriter& w, const std::string& k) { w.add_uint32(k, value); }, key);
  }
  void drop_tensor(const std::string& name) {
    std::erase_if(tensors_, [&](const Tensor& t) { return t.name == name; });
  }
  Tensor& tensor(const std::string& name) {
    for (Tensor& t : tensors_) {
      if (t.name == name) return t;
    }
    fail(ErrorCode::kInvalidArgument, "no tensor '", name, "' to edit");
  }
  // Gives a tensor another shape or type, with zero bytes of the matching size.
  void reshape(const std::string& name, DType type, std::vector<int64_t> ne) {
    Tensor& t = tensor(name);
    uint64_t rows = 1;
    for (size_t i = 1; i < ne.size(); ++i) rows *= static_cast<uint64_t>(ne[i]);
    t.type = type;
    t.data.assign(row_bytes(type, static_cast<uint64_t>(ne[0])) * rows, 0);
    t.ne = std::move(ne);
  }

  const std::vector<Tensor>& tensors() const { return tensors_; }

  std::vector<uint8_t> bytes() const {
    GgufWriter w;
    for (const auto& [key, add] : keys_) add(w, key);
    for (const Tensor& t : tensors_) w.add_tensor(t.name, t.type, t.ne, t.data.data());
    return w.to_bytes();
  }
  void write(const std::string& path) const {
    const std::vector<uint8_t> b = bytes();
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }

 private:
  using Adder = std::function<void(GgufWriter&, const std::string& key)>;

  // Replaces the key where it is (file order kept), or appends it.
  void set(Adder add, const std::string& key) {
    for (auto& kv : keys_) {
      if (kv.first == key) {
        kv.second = std::move(add);
        return;
      }
    }
    keys_.emplace_back(key, std::move(add));
  }

  void add_f32(const std::string& name, std::vector<int64_t> ne) {
    int64_t n = 1;
    for (int64_t d : ne) n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (size_t i = 0; i < values.size(); ++i) values[i] = 0.01f * static_cast<float>(i % 7);
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    tensors_.push_back({name, DType::kF32, std::move(ne), {p, p + values.size() * sizeof(float)}});
  }

  // Writes the value of `key` again with the same GGUF type.
  static Adder copier(const GgufFile& f, const std::string& key) {
    using V = GgufValueType;
    switch (f.type_of(key)) {
      case V::kString: {
        const std::string v = *f.get_string(key);
        return [v](GgufWriter& w, const std::string& k) { w.add_string(k, v); };
      }
      case V::kFloat32:
      case V::kFloat64: {
        const double v = *f.get_float(key);
        return f.type_of(key) == V::kFloat32
                   ? Adder([v](GgufWriter& w, const std::string& k) {
                       w.add_float32(k, static_cast<float>(v));
                     })
                   : Adder([v](GgufWriter& w, const std::string& k) { w.add_float64(k, v); });
      }
      case V::kBool: {
        const bool v = *f.get_bool(key);
        return [v](GgufWriter& w, const std::string& k) { w.add_bool(k, v); };
      }
      case V::kArray:
        return array_copier(f, key);
      default:
        break;
    }
    const int64_t v = *f.get_int(key);
    switch (f.type_of(key)) {
      case V::kUint8:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_uint8(k, static_cast<uint8_t>(v)); };
      case V::kInt8:
        return [v](GgufWriter& w, const std::string& k) { w.add_int8(k, static_cast<int8_t>(v)); };
      case V::kUint16:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_uint16(k, static_cast<uint16_t>(v)); };
      case V::kInt16:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_int16(k, static_cast<int16_t>(v)); };
      case V::kUint32:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_uint32(k, static_cast<uint32_t>(v)); };
      case V::kInt32:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_int32(k, static_cast<int32_t>(v)); };
      case V::kUint64:
        return
            [v](GgufWriter& w, const std::string& k) { w.add_uint64(k, static_cast<uint64_t>(v)); };
      default:
        return [v](GgufWriter& w, const std::string& k) { w.add_int64(k, v); };
    }
  }

  // Arrays of strings, floats and integers (the writer's int32 for integer types up to 32 bits).
  static Adder array_copier(const GgufFile& f, const std::string& key) {
    using V = GgufValueType;
    const V element = f.array_element_type(key);
    if (element == V::kString) {
      const std::vector<std::string> v = f.get_string_array(key);
      return [v](GgufWriter& w, const std::string& k) { w.add_string_array(k, v); };
    }
    if (element == V::kFloat32 || element == V::kFloat64) {
      const std::vector<float> v = f.get_float_array(key);
      return [v](GgufWriter& w, const std::string& k) { w.add_float32_array(k, v); };
    }
    const std::vector<int64_t> v = f.get_int_array(key);
    if (element == V::kInt64 || element == V::kUint64) {
      return [v](GgufWriter& w, const std::string& k) { w.add_int64_array(k, v); };
    }
    const std::vector<int32_t> v32(v.begin(), v.end());
    return [v32](GgufWriter& w, const std::string& k) { w.add_int32_array(k, v32); };
  }

  std::vector<std::pair<std::string, Adder>> keys_;
  std::vector<Tensor> tensors_;
};

// safetensors bytes for tensors given in GGML order (ne[0] first); shapes are written reversed,
// as Hugging Face stores them. Only F32 tensors.
inline std::string safetensors_bytes(const std::vector<GgufParts::Tensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  std::string data;
  for (const GgufParts::Tensor& t : tensors) {
    if (t.type != DType::kF32) fail(ErrorCode::kInvalidArgument, "F32 tensors only");
    header[t.name] = {{"dtype", "F32"},
                      {"shape", std::vector<int64_t>(t.ne.rbegin(), t.ne.rend())},
                      {"data_offsets", {data.size(), data.size() + t.data.size()}}};
    data.append(reinterpret_cast<const char*>(t.data.data()), t.data.size());
  }
  const std::string text = header.dump();
  std::string out(8, '\0');
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xFF);
  return out + text + data;
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
}

// The Hugging Face config.json of a llama GGUF's hyperparameters.
inline nlohmann::json hf_llama_config(const GgufFile& f) {
  auto count = [&](const char* key) { return f.get_int(std::string("llama.") + key).value(); };
  return {{"model_type", "llama"},
          {"vocab_size", f.find_tensor("token_embd.weight")->ne[1]},
          {"hidden_size", count("embedding_length")},
          {"num_hidden_layers", count("block_count")},
          {"num_attention_heads", count("attention.head_count")},
          {"num_key_value_heads", count("attention.head_count_kv")},
          {"intermediate_size", count("feed_forward_length")},
          {"max_position_embeddings", count("context_length")},
          {"rms_norm_eps", f.get_float("llama.attention.layer_norm_rms_epsilon").value()},
          {"tie_word_embeddings", false}};
}

// Writes dir/config.json, dir/model.safetensors (the llama weights of `gguf` under Hugging Face
// names, minus `drop` if given) and dir/tokenizer.json (a copy of `tokenizer_json`).
inline void write_hf_folder(const std::filesystem::path& dir, const GgufFile& gguf,
                            const std::string& tokenizer_json, const std::string& drop = "") {
  std::filesystem::create_directories(dir);
  write_text(dir / "config.json", hf_llama_config(gguf).dump(2));
  std::vector<GgufParts::Tensor> tensors;
  const GgufParts parts = GgufParts::from_file(gguf);
  for (const GgufParts::Tensor& t : parts.tensors()) {
    const std::string hf = hf_tensor_name(t.name);
    if (hf.empty() || hf == drop) continue;  // rope_freqs and the like have no HF tensor
    tensors.push_back({hf, t.type, t.ne, t.data});
  }
  write_text(dir / "model.safetensors", safetensors_bytes(tensors));
  std::filesystem::copy_file(tokenizer_json, dir / "tokenizer.json",
                             std::filesystem::copy_options::overwrite_existing);
}

}  // namespace pocket::test
