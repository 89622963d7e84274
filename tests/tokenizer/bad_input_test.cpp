// Malformed tokenizer files: every one must end in pocket::Error whose message names the file and
// the field, never in a crash. Fixtures: tests/data/tokenizer/<case>/tokenizer.json.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>

#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "shared_data.h"
#include "tokenizer/gguf_tokenizer_loader.h"
#include "tokenizer/sentencepiece_loader.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_json_loader.h"

namespace pocket::test {
namespace {

void expect_error(const std::function<void()>& fn, ErrorCode code,
                  std::initializer_list<const char*> fragments) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one mentioning " << *fragments.begin();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    for (const char* f : fragments) {
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos)
          << "message lacks '" << f << "': " << e.what();
    }
  }
}

std::string fixture(const std::string& name) {
  return test_data_path("tokenizer/" + name + "/tokenizer.json");
}

void load_json(const std::string& name) {
  Tokenizer tok(load_hf_tokenizer_json(fixture(name)));
}

TEST(BadTokenizerJson, Errors) {
  struct Case {
    const char* dir;
    ErrorCode code;
    std::initializer_list<const char*> fragments;
  };
  const Case cases[] = {
      {"bad_json", ErrorCode::kFormat, {"bad_json/tokenizer.json", "not valid JSON"}},
      {"missing_model", ErrorCode::kFormat, {"missing_model/tokenizer.json", "model", "missing"}},
      {"unknown_merge",
       ErrorCode::kFormat,
       {"unknown_merge/tokenizer.json", "model.merges[1]", "'c'"}},
      {"vocab_id_string", ErrorCode::kFormat, {"vocab_id_string/tokenizer.json", "model.vocab.b"}},
      {"merge_shape", ErrorCode::kFormat, {"merge_shape/tokenizer.json", "model.merges[1]"}},
      {"merge_no_space", ErrorCode::kFormat, {"merge_no_space/tokenizer.json", "model.merges[1]"}},
      {"added_token_id_string",
       ErrorCode::kFormat,
       {"added_token_id_string/tokenizer.json", "added_tokens[0].id", "integer"}},
      {"wordpiece",
       ErrorCode::kUnsupported,
       {"wordpiece/tokenizer.json", "model.type", "WordPiece"}},
      {"vocab_array", ErrorCode::kFormat, {"vocab_array/tokenizer.json", "model.vocab", "object"}},
      {"negative_id", ErrorCode::kFormat, {"negative_id/tokenizer.json", "model.vocab.b", "-7"}},
      {"nfkc", ErrorCode::kUnsupported, {"nfkc/tokenizer.json", "normalizer", "NFKC"}},
      {"bad_regex", ErrorCode::kFormat, {"bad_regex/tokenizer.json", "pre-tokenizer", "regex"}},
      {"config_unknown_bos",
       ErrorCode::kFormat,
       {"config_unknown_bos/tokenizer_config.json", "bos_token", "<s>"}},
      {"config_bad_json", ErrorCode::kFormat, {"config_bad_json/tokenizer_config.json", "JSON"}},
      {"duplicate_id", ErrorCode::kFormat, {"duplicate_id/tokenizer.json", "model.vocab", "id 0"}},
      {"split_removed",
       ErrorCode::kUnsupported,
       {"split_removed/tokenizer.json", "pre_tokenizer.pretokenizers[0]", "Removed"}},
      {"metaspace", ErrorCode::kUnsupported, {"metaspace/tokenizer.json", "Metaspace"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dir);
    expect_error([&] { load_json(c.dir); }, c.code, c.fragments);
  }
  expect_error([] { load_json("no_such_folder"); }, ErrorCode::kIo, {"no_such_folder"});
}

// A hand-written tokenizer whose ids can be worked out by hand (see the fixture).
TEST(TinyTokenizerJson, MergesByRankAndAddedTokenFlags) {
  const Tokenizer tok(load_hf_tokenizer_json(fixture("tiny")));
  // hello: h+e (rank 0), l+l (1), ll+o (2), he+llo (3); "l o" (rank 5) never gets its turn.
  // " world": Ġ+w; 'r' and 'd' are not in the vocabulary and there is no unk: dropped.
  EXPECT_EQ(tok.encode("hello world", false), (std::vector<int32_t>{9, 10, 3, 2}));
  EXPECT_EQ(tok.encode("hello", true), (std::vector<int32_t>{12, 9}));  // template BOS
  EXPECT_EQ(tok.bos(), 12);
  // <pad> has lstrip and rstrip: it swallows the spaces around it.
  EXPECT_EQ(tok.encode("he <pad> ll", false), (std::vector<int32_t>{6, 13, 7}));
  EXPECT_EQ(tok.encode("lo", false), (std::vector<int32_t>{11}));
  EXPECT_EQ(tok.decode(std::vector<int32_t>{12, 9, 10, 3}, true), "hello wo");
  EXPECT_TRUE(tok.is_eog(12));  // <|end|> ends a turn (Phi-3)
}

// --- tokenizer.model ---

void put_varint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void put_bytes(std::string* out, uint32_t field, const std::string& bytes) {
  put_varint(out, (field << 3) | 2);
  put_varint(out, bytes.size());
  out->append(bytes);
}

void put_int(std::string* out, uint32_t field, int64_t v) {
  put_varint(out, field << 3);
  put_varint(out, static_cast<uint64_t>(v));
}

std::string piece(const std::string& text, float score, int type) {
  std::string p;
  put_bytes(&p, 1, text);
  put_varint(&p, (2 << 3) | 5);
  char f[4];
  std::memcpy(f, &score, 4);
  p.append(f, 4);
  put_int(&p, 3, type);
  return p;
}

// A small SentencePiece BPE model: <unk> <s> </s>, then ▁, a, b, ▁a, ab.
std::string spm_model(int model_type = 2, int bos_id = 1, const std::string& norm = "identity") {
  std::string m;
  put_bytes(&m, 1, piece("<unk>", 0, 2));
  put_bytes(&m, 1, piece("<s>", 0, 3));
  put_bytes(&m, 1, piece("</s>", 0, 3));
  put_bytes(&m, 1, piece("\xE2\x96\x81", -1, 1));
  put_bytes(&m, 1, piece("a", -2, 1));
  put_bytes(&m, 1, piece("b", -3, 1));
  put_bytes(&m, 1,
            piece("\xE2\x96\x81"
                  "a",
                  -4, 1));
  put_bytes(&m, 1, piece("ab", -0.5f, 1));
  std::string trainer;
  put_int(&trainer, 3, model_type);
  put_int(&trainer, 41, bos_id);
  put_bytes(&m, 2, trainer);
  std::string normalizer;
  put_bytes(&normalizer, 1, norm);
  put_int(&normalizer, 3, 1);  // add_dummy_prefix
  put_int(&normalizer, 4, 0);  // remove_extra_whitespaces
  put_bytes(&m, 3, normalizer);
  return m;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(BadTokenizerJson, EmptyAndNonObjectFiles) {
  const std::string dir = testing::TempDir() + "/tokjson";
  std::filesystem::create_directories(dir);
  for (const char* text : {"", "[]", "null", "{\"model\": 3}", "{\"model\": {\"vocab\": {}}}"}) {
    SCOPED_TRACE(text);
    std::ofstream(dir + "/tokenizer.json", std::ios::binary) << text;
    expect_error([&] { Tokenizer t(load_hf_tokenizer_json(dir + "/tokenizer.json")); },
                 ErrorCode::kFormat, {"tokjson/tokenizer.json"});
  }
}

TEST(SentencePieceModel, HandMadeModel) {
  const Tokenizer tok(load_sentencepiece_model(write_temp("tiny.model", spm_model())));
  // "ab" (score -0.5) beats "▁a" (-4): ▁ + ab. "ba": ▁ + b + a (no ▁b piece; ▁a needs adjacency).
  EXPECT_EQ(tok.encode("ab", true), (std::vector<int32_t>{1, 3, 7}));
  EXPECT_EQ(tok.encode("a", false), (std::vector<int32_t>{6}));
  EXPECT_EQ(tok.encode("c", false), (std::vector<int32_t>{3, 0}));  // no byte pieces: <unk>
  EXPECT_EQ(tok.decode(std::vector<int32_t>{1, 3, 7, 6}), "<s>ab a");
  EXPECT_EQ(tok.decode(std::vector<int32_t>{1, 3, 7, 6}, true), "ab a");
}

TEST(SentencePieceModel, Errors) {
  const std::string real = read_text_file(shared_path("models/brown-qwen2-7m/hf/tokenizer.model"));
  ASSERT_GT(real.size(), 1000u);
  expect_error([&] { load_sentencepiece_model(write_temp("trunc.model", real.substr(0, 1000))); },
               ErrorCode::kFormat, {"trunc.model", "protobuf"});
  expect_error([&] { load_sentencepiece_model(write_temp("empty.model", "")); }, ErrorCode::kFormat,
               {"empty.model", "no pieces"});
  expect_error([&] { load_sentencepiece_model(write_temp("text.model", "hello, world\n")); },
               ErrorCode::kFormat, {"text.model"});
  expect_error([&] { load_sentencepiece_model(write_temp("uni.model", spm_model(1))); },
               ErrorCode::kUnsupported, {"uni.model", "model_type"});
  expect_error([&] { load_sentencepiece_model(write_temp("bos.model", spm_model(2, 99))); },
               ErrorCode::kFormat, {"bos.model", "bos_id"});
  expect_error(
      [&] { load_sentencepiece_model(write_temp("nfkc.model", spm_model(2, 1, "nmt_nfkc"))); },
      ErrorCode::kUnsupported, {"nfkc.model", "nmt_nfkc"});
  std::string bad_type;
  put_bytes(&bad_type, 1, piece("x", 0, 9));
  expect_error([&] { load_sentencepiece_model(write_temp("type.model", bad_type)); },
               ErrorCode::kFormat, {"type.model", "pieces[0].type"});
  expect_error([] { load_sentencepiece_model("/nonexistent/tokenizer.model"); }, ErrorCode::kIo,
               {"/nonexistent/tokenizer.model"});
}

// --- GGUF metadata ---

TEST(GgufTokenizer, Errors) {
  auto load = [](const GgufWriter& w, const char* name) {
    const std::vector<uint8_t> bytes = w.to_bytes();
    Tokenizer tok(load_gguf_tokenizer(GgufFile::parse(bytes, name)));
  };
  const std::vector<std::string> tokens = {"<unk>", "<s>", "</s>", "a"};
  {
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    expect_error([&] { load(w, "none.gguf"); }, ErrorCode::kFormat,
                 {"none.gguf", "tokenizer.ggml.model"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "bert");
    w.add_string_array("tokenizer.ggml.tokens", tokens);
    expect_error([&] { load(w, "bert.gguf"); }, ErrorCode::kUnsupported, {"bert.gguf", "bert"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_string_array("tokenizer.ggml.tokens", tokens);
    w.add_int32_array("tokenizer.ggml.token_type", std::vector<int32_t>{2, 3, 3});
    expect_error([&] { load(w, "types.gguf"); }, ErrorCode::kFormat,
                 {"types.gguf", "tokenizer.ggml.token_type"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "llama");
    w.add_string_array("tokenizer.ggml.tokens", tokens);
    w.add_uint32("tokenizer.ggml.bos_token_id", 7);
    expect_error([&] { load(w, "bos.gguf"); }, ErrorCode::kFormat,
                 {"bos.gguf", "tokenizer.ggml.bos_token_id"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string_array("tokenizer.ggml.tokens", tokens);
    w.add_string_array("tokenizer.ggml.merges", std::vector<std::string>{"a <s>", "a"});
    expect_error([&] { load(w, "merges.gguf"); }, ErrorCode::kFormat,
                 {"merges.gguf", "tokenizer.ggml.merges[1]"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_string_array("tokenizer.ggml.tokens", tokens);
    w.add_string_array("tokenizer.ggml.merges", std::vector<std::string>{"a b"});
    expect_error([&] { load(w, "unknown.gguf"); }, ErrorCode::kFormat, {"unknown.gguf", "'b'"});
  }
  {
    GgufWriter w;
    w.add_string("tokenizer.ggml.model", "gpt2");
    w.add_uint32("tokenizer.ggml.tokens", 5);  // not an array
    expect_error([&] { load(w, "wrongtype.gguf"); }, ErrorCode::kFormat,
                 {"wrongtype.gguf", "tokenizer.ggml.tokens"});
  }
}

TEST(TokenizerSpecChecks, InconsistentSpecs) {
  TokenizerSpec empty;
  empty.source = "empty-spec";
  expect_error([&] { Tokenizer t(empty); }, ErrorCode::kFormat, {"empty-spec", "empty"});
  TokenizerSpec s;
  s.source = "spec";
  s.tokens = {"a", "b"};
  s.eos_id = 5;
  expect_error([&] { Tokenizer t(s); }, ErrorCode::kFormat, {"spec", "eos", "5"});
  s.eos_id = -1;
  s.added_tokens.push_back({"<x>", 9});
  expect_error([&] { Tokenizer t(s); }, ErrorCode::kFormat, {"spec", "added token", "9"});
}

}  // namespace
}  // namespace pocket::test
