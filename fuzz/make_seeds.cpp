// Writes the seed corpora in fuzz/corpus/<target>/ (run once; the output is committed):
//   fuzz_make_seeds fuzz/corpus [shared_dir]
// Seeds are small valid inputs that reach deep into each parser; the fuzzer mutates from there.
// GGUF seeds have no .gguf extension (*.gguf is gitignored).
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "kernels/ref/dequant.h"
#include "tokenizer/gguf_tokenizer_writer.h"
#include "tokenizer/pretokenizer_patterns.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using pocket::DType;
using pocket::GgufWriter;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) pocket::fail(pocket::ErrorCode::kIo, "cannot read ", path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::cout << path.string() << " (" << bytes.size() << " bytes)\n";
}

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes) {
  write_file(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// Tensor data kept alive until the writer is done with it.
class Tensors {
 public:
  explicit Tensors(GgufWriter& w) : w_(w) {}

  // Random values, quantized to `type` when it has a quantizer; K-quant blocks get random bytes.
  void add(const std::string& name, DType type, std::vector<int64_t> ne) {
    const int64_t row = ne[0];
    int64_t rows = 1;
    for (size_t i = 1; i < ne.size(); ++i) rows *= ne[i];
    std::vector<uint8_t>& bytes = data_.emplace_back(pocket::row_bytes(type, row) * rows);
    std::normal_distribution<float> dist(0.0f, 0.5f);
    std::vector<float> values(static_cast<size_t>(row));
    const bool k_quant = pocket::dtype_info(type).block_elems == 256;
    for (int64_t r = 0; r < rows; ++r) {
      uint8_t* dst = bytes.data() + r * pocket::row_bytes(type, row);
      if (k_quant) {
        for (uint64_t i = 0; i < pocket::row_bytes(type, row); ++i) dst[i] = rng_() & 0x3f;
        continue;
      }
      for (float& v : values) v = dist(rng_);
      pocket::quantize_row(type, values.data(), dst, row);
    }
    w_.add_tensor(name, type, ne, bytes.data());
  }

 private:
  GgufWriter& w_;
  std::mt19937 rng_{42};
  std::deque<std::vector<uint8_t>> data_;
};

// One key of every value type, so that each getter meets each type.
void add_typed_keys(GgufWriter& w) {
  w.add_uint8("seed.u8", 200);
  w.add_int8("seed.i8", -5);
  w.add_uint16("seed.u16", 60000);
  w.add_int16("seed.i16", -30000);
  w.add_uint64("seed.u64", ~0ull);
  w.add_int64("seed.i64", -1);
  w.add_float64("seed.f64", 0.25);
  w.add_bool("seed.bool", true);
  const std::vector<uint32_t> u32s = {1, 2, 0xFFFFFFFF};
  w.add_uint32_array("seed.u32s", u32s);
  const std::vector<int64_t> i64s = {-1, 1ll << 40};
  w.add_int64_array("seed.i64s", i64s);
  const bool bools[] = {true, false};
  w.add_bool_array("seed.bools", bools);
}

pocket::TokenizerSpec spm_tokenizer() {
  pocket::TokenizerSpec s;
  s.kind = pocket::TokenizerKind::kSentencePieceBpe;
  using T = pocket::TokenType;
  const std::vector<std::pair<std::string, T>> pieces = {{"<unk>", T::kUnknown},
                                                         {"<s>", T::kControl},
                                                         {"</s>", T::kControl},
                                                         {"<0x0A>", T::kByte},
                                                         {"<0xC3>", T::kByte},
                                                         {"<0xA9>", T::kByte},
                                                         {"\xE2\x96\x81", T::kNormal},
                                                         {"a", T::kNormal},
                                                         {"b", T::kNormal},
                                                         {"\xE2\x96\x81"
                                                          "a",
                                                          T::kNormal},
                                                         {"ab", T::kNormal},
                                                         {"\xE2\x96\x81"
                                                          "ab",
                                                          T::kNormal},
                                                         {"<|user|>", T::kUserDefined},
                                                         {"c", T::kNormal},
                                                         {"\xC3\xA9", T::kNormal},
                                                         {"\xE2\x96\x81\xE2\x96\x81", T::kNormal}};
  for (size_t i = 0; i < pieces.size(); ++i) {
    s.tokens.push_back(pieces[i].first);
    s.token_types.push_back(pieces[i].second);
    s.scores.push_back(-static_cast<float>(i));
  }
  s.unk_id = 0;
  s.bos_id = 1;
  s.eos_id = 2;
  s.add_bos = true;
  return s;
}

pocket::TokenizerSpec byte_level_tokenizer() {
  pocket::TokenizerSpec s;
  s.kind = pocket::TokenizerKind::kByteLevelBpe;
  s.tokens = {"a",
              "b",
              "\xC4\xA0",
              "ab",
              "\xC4\xA0"
              "a",
              "1",
              "<|endoftext|>",
              "<think>"};
  s.token_types.assign(s.tokens.size(), pocket::TokenType::kNormal);
  s.merges = {{"a", "b"}, {"\xC4\xA0", "a"}};
  s.added_tokens = {{"<|endoftext|>", 6, true}, {"<think>", 7, false}};
  s.pretokenizer_regexes = {std::string(pocket::kQwen2Pattern)};
  s.eos_id = 6;
  s.chat_template = "{% for m in messages %}<|im_start|>{{ m.content }}{% endfor %}";
  return s;
}

// A llama model with every dequantizable type among its weights, plus K-quant and unsupported
// tensors the model does not use.
std::vector<uint8_t> tiny_llama() {
  GgufWriter w;
  w.add_string("general.architecture", "llama");
  w.add_string("general.name", "fuzz seed");
  w.add_uint32("llama.context_length", 64);
  w.add_uint32("llama.embedding_length", 32);
  w.add_uint32("llama.feed_forward_length", 32);
  w.add_uint32("llama.block_count", 1);
  w.add_uint32("llama.attention.head_count", 4);
  w.add_uint32("llama.attention.head_count_kv", 2);
  w.add_uint32("llama.rope.dimension_count", 8);
  w.add_float32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  w.add_float32("llama.rope.freq_base", 10000.0f);
  add_typed_keys(w);
  const pocket::TokenizerSpec tok = spm_tokenizer();
  const auto n_vocab = static_cast<int64_t>(tok.tokens.size());
  pocket::write_gguf_tokenizer(w, tok, n_vocab);
  Tensors t(w);
  t.add("token_embd.weight", DType::kQ8_0, {32, n_vocab});
  t.add("output_norm.weight", DType::kF32, {32});
  t.add("output.weight", DType::kF16, {32, n_vocab});
  t.add("rope_freqs.weight", DType::kF32, {4});
  t.add("blk.0.attn_norm.weight", DType::kBF16, {32});
  t.add("blk.0.attn_q.weight", DType::kQ4_0, {32, 32});
  t.add("blk.0.attn_k.weight", DType::kQ4_1, {32, 16});
  t.add("blk.0.attn_v.weight", DType::kQ5_0, {32, 16});
  t.add("blk.0.attn_output.weight", DType::kQ5_1, {32, 32});
  t.add("blk.0.ffn_norm.weight", DType::kF32, {32});
  t.add("blk.0.ffn_gate.weight", DType::kF32, {32, 32});
  t.add("blk.0.ffn_up.weight", DType::kF16, {32, 32});
  t.add("blk.0.ffn_down.weight", DType::kQ8_0, {32, 32});
  t.add("extra.q4_k", DType::kQ4_K, {256});
  t.add("extra.q5_k", DType::kQ5_K, {256});
  t.add("extra.q6_k", DType::kQ6_K, {256});
  t.add("extra.q2_k", DType::kQ2_K, {256});
  t.add("extra.4d", DType::kF32, {2, 1, 2, 1});
  return w.to_bytes();
}

// A qwen2 model (q/k/v biases, tied output) with a byte-level BPE tokenizer, all F32.
std::vector<uint8_t> tiny_qwen2() {
  GgufWriter w(64);  // a non-default alignment, recorded as general.alignment
  w.add_string("general.architecture", "qwen2");
  w.add_uint32("qwen2.embedding_length", 8);
  w.add_uint32("qwen2.feed_forward_length", 8);
  w.add_uint32("qwen2.block_count", 1);
  w.add_uint32("qwen2.attention.head_count", 2);
  w.add_uint32("qwen2.attention.head_count_kv", 1);
  w.add_float32("qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
  const pocket::TokenizerSpec tok = byte_level_tokenizer();
  const auto n_vocab = static_cast<int64_t>(tok.tokens.size());
  pocket::write_gguf_tokenizer(w, tok, n_vocab);
  Tensors t(w);
  t.add("token_embd.weight", DType::kF32, {8, n_vocab});
  t.add("output_norm.weight", DType::kF32, {8});
  const std::string p = "blk.0.";
  t.add(p + "attn_norm.weight", DType::kF32, {8});
  t.add(p + "attn_q.weight", DType::kF32, {8, 8});
  t.add(p + "attn_q.bias", DType::kF32, {8});
  t.add(p + "attn_k.weight", DType::kF32, {8, 4});
  t.add(p + "attn_k.bias", DType::kF32, {4});
  t.add(p + "attn_v.weight", DType::kF32, {8, 4});
  t.add(p + "attn_v.bias", DType::kF32, {4});
  t.add(p + "attn_output.weight", DType::kF32, {8, 8});
  t.add(p + "ffn_norm.weight", DType::kF32, {8});
  t.add(p + "ffn_gate.weight", DType::kF32, {8, 8});
  t.add(p + "ffn_up.weight", DType::kF32, {8, 8});
  t.add(p + "ffn_down.weight", DType::kF32, {8, 8});
  return w.to_bytes();
}

// stories260K's metadata (its real 512-token SentencePiece vocabulary), without the tensors.
std::vector<uint8_t> stories_metadata(const fs::path& shared) {
  const pocket::GgufFile f = pocket::GgufFile::open((shared / "models/stories260K.gguf").string());
  GgufWriter w;
  for (const std::string& key : f.keys()) {
    using V = pocket::GgufValueType;
    switch (f.type_of(key)) {
      case V::kString:
        w.add_string(key, *f.get_string(key));
        break;
      case V::kFloat32:
        w.add_float32(key, static_cast<float>(*f.get_float(key)));
        break;
      case V::kArray:
        if (f.array_element_type(key) == V::kString) {
          w.add_string_array(key, f.get_string_array(key));
        } else if (f.array_element_type(key) == V::kFloat32) {
          w.add_float32_array(key, f.get_float_array(key));
        } else {
          const std::vector<int64_t> v = f.get_int_array(key);
          const std::vector<int32_t> v32(v.begin(), v.end());
          w.add_int32_array(key, v32);
        }
        break;
      default:
        w.add_uint32(key, static_cast<uint32_t>(*f.get_int(key)));
        break;
    }
  }
  return w.to_bytes();
}

std::string safetensors(const json& header, const std::string& data) {
  const std::string text = header.dump();
  std::string out(8, '\0');
  const uint64_t n = text.size();
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return out + text + data;
}

void safetensors_seeds(const fs::path& dir) {
  json h;
  h["__metadata__"] = {{"format", "pt"}};
  h["model.norm.weight"] = {{"dtype", "F32"}, {"shape", {2, 3}}, {"data_offsets", {0, 24}}};
  h["b"] = {{"dtype", "F16"}, {"shape", {4}}, {"data_offsets", {24, 32}}};
  h["c"] = {{"dtype", "BF16"}, {"shape", {2, 1, 2}}, {"data_offsets", {32, 40}}};
  h["scalar"] = {{"dtype", "F32"}, {"shape", json::array()}, {"data_offsets", {40, 44}}};
  h["empty"] = {{"dtype", "F16"}, {"shape", {0, 3}}, {"data_offsets", {44, 44}}};
  std::string data;
  for (int i = 0; i < 44; ++i) data.push_back(static_cast<char>(i * 7 + 1));
  write_file(dir / "three_types", safetensors(h, data));
  write_file(dir / "empty_header", safetensors(json::object(), ""));
}

// The first texts of each category of a golden file (short ones only).
void tokenizer_seeds(const fs::path& dir, const fs::path& golden, const std::string& prefix,
                     size_t per_category) {
  std::ifstream in(golden);
  std::map<std::string, size_t> taken;
  std::string line;
  while (std::getline(in, line)) {
    const json j = json::parse(line);
    const std::string text = j.at("text");
    const std::string cat = j.at("cat");
    if (text.size() > 300 || taken[cat] >= per_category) continue;
    write_file(dir / (prefix + cat + "_" + std::to_string(taken[cat]++)), text);
  }
}

// Texts at the edges of the round-trip property: composition across an added token or an ASCII
// character, Hangul jamo, ill-formed UTF-8, control tokens written in the text.
void extra_tokenizer_seeds(const fs::path& dir) {
  const std::vector<std::pair<std::string, std::string>> seeds = {
      {"compose_after_added", "<think>\xCC\xB8 a>\xCC\xB8 =\xCC\xB8"},
      {"decomposed_accents", "Cafe\xCC\x81 na\xC3\xAFve e\xCC\x81\xCC\xA3"},
      {"hangul_jamo", "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB \xEA\xB0\x80\xE1\x86\xA8"},
      {"ill_formed", "ok \xFF\xC3 \xE2\x82 \xED\xA0\x80 \xF4\x90\x80\x80 end"},
      {"control_tokens",
       "<s>a</s> <unk><\xEF\xBD\x9C"
       "begin\xE2\x96\x81"
       "of\xE2\x96\x81"
       "sentence\xEF\xBD\x9C>x"},
      {"spaces", "  lead\t\ttabs \n\n trail  "},
      {"nul_and_controls", std::string("a\0b\x01\x7F", 5)},
  };
  for (const auto& [name, text] : seeds) write_file(dir / ("extra_" + name), text);
}

// DeepSeek-R1's tokenizer.json cut down to its first vocabulary entries and the merges among
// them, with the added tokens renumbered to follow, and its tokenizer_config.json after a NUL.
void tokenizer_json_seeds(const fs::path& dir, const fs::path& shared, const fs::path& tests) {
  const fs::path src = shared / "tokenizers/deepseek-r1-distill-qwen";
  json tj = json::parse(read_file(src / "tokenizer.json"));
  constexpr int64_t kKeep = 300;
  json vocab = json::object();
  std::set<std::string> kept;
  for (const auto& [piece, id] : tj["model"]["vocab"].items()) {
    if (id.get<int64_t>() < kKeep) {
      vocab[piece] = id;
      kept.insert(piece);
    }
  }
  json merges = json::array();
  for (const json& m : tj["model"]["merges"]) {
    const std::string a = m.is_array() ? m[0].get<std::string>() : "";
    const std::string b = m.is_array() ? m[1].get<std::string>() : "";
    if (kept.count(a) && kept.count(b) && kept.count(a + b)) merges.push_back(m);
  }
  tj["model"]["vocab"] = vocab;
  tj["model"]["merges"] = merges;
  int64_t next = kKeep;
  for (json& t : tj["added_tokens"]) t["id"] = next++;
  tj["post_processor"]["special_tokens"]["<｜begin▁of▁sentence｜>"]["ids"] = {kKeep + 3};
  const std::string mini = tj.dump();
  write_file(dir / "deepseek_mini", mini);
  write_file(dir / "deepseek_mini_with_config",
             mini + std::string(1, '\0') + read_file(src / "tokenizer_config.json"));
  // The loader tests' fixtures: a good tiny file and the bad ones, each near a valid input.
  for (const auto& entry : fs::directory_iterator(tests / "data/tokenizer")) {
    const fs::path json_path = entry.path() / "tokenizer.json";
    if (!fs::exists(json_path)) continue;
    std::string bytes = read_file(json_path);
    if (fs::exists(entry.path() / "tokenizer_config.json")) {
      bytes += std::string(1, '\0') + read_file(entry.path() / "tokenizer_config.json");
    }
    write_file(dir / ("fixture_" + entry.path().filename().string()), bytes);
  }
}

void hf_config_seeds(const fs::path& dir, const fs::path& shared) {
  write_file(dir / "deepseek_1.5b",
             read_file(shared / "configs/deepseek-r1-distill-qwen-1.5b.json"));
  write_file(dir / "brown_qwen2", read_file(shared / "models/brown-qwen2-7m/hf/config.json"));
  const json llama3 = {{"model_type", "llama"},
                       {"vocab_size", 128256},
                       {"hidden_size", 2048},
                       {"num_hidden_layers", 16},
                       {"num_attention_heads", 32},
                       {"num_key_value_heads", 8},
                       {"intermediate_size", 8192},
                       {"head_dim", 64},
                       {"max_position_embeddings", 131072},
                       {"rms_norm_eps", 1e-5},
                       {"rope_theta", 500000.0},
                       {"tie_word_embeddings", true},
                       {"attention_bias", false},
                       {"rope_scaling",
                        {{"rope_type", "llama3"},
                         {"factor", 32.0},
                         {"low_freq_factor", 1.0},
                         {"high_freq_factor", 4.0},
                         {"original_max_position_embeddings", 8192}}}};
  write_file(dir / "llama3_rope_scaling", llama3.dump(2));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: fuzz_make_seeds CORPUS_DIR [SHARED_DIR]\n";
    return 2;
  }
  const fs::path corpus = argv[1];
  const fs::path shared = argc > 2 ? fs::path(argv[2]) : corpus / "../../../shared";
  const fs::path tests = corpus / "../../tests";
  try {
    write_file(corpus / "gguf/tiny_llama_all_types", tiny_llama());
    std::vector<uint8_t> qwen = tiny_qwen2();
    write_file(corpus / "gguf/tiny_qwen2_byte_level", qwen);
    qwen[4] = 2;  // the same file as GGUF v2
    write_file(corpus / "gguf/tiny_qwen2_v2", qwen);
    write_file(corpus / "gguf/stories260K_metadata", stories_metadata(shared));
    safetensors_seeds(corpus / "safetensors");
    tokenizer_seeds(corpus / "tokenizer", shared / "golden/tokenizer/deepseek-r1.jsonl", "ds_", 2);
    tokenizer_seeds(corpus / "tokenizer", shared / "golden/tokenizer/stories260K.jsonl", "st_", 1);
    extra_tokenizer_seeds(corpus / "tokenizer");
    tokenizer_json_seeds(corpus / "tokenizer_json", shared, tests);
    hf_config_seeds(corpus / "hf_config", shared);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
