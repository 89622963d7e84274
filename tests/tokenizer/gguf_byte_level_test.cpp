// The GGUF "gpt2" path, which no shared model exercises: the DeepSeek tokenizer written into GGUF
// metadata the way llama.cpp's converter does, then loaded back and run on the golden cases.
#include <gtest/gtest.h>

#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "shared_tokenizers.h"
#include "tokenizer/gguf_tokenizer_loader.h"
#include "tokenizer/tokenizer_json_loader.h"

namespace pocket::test {
namespace {

std::vector<uint8_t> deepseek_as_gguf() {
  const TokenizerSpec spec =
      load_hf_tokenizer_json(shared_path("tokenizers/deepseek-r1-distill-qwen/tokenizer.json"));
  std::vector<int32_t> types(spec.tokens.size(), 1);
  for (const AddedToken& t : spec.added_tokens) types[t.id] = t.special ? 3 : 4;
  std::vector<std::string> merges;
  merges.reserve(spec.merges.size());
  for (const auto& [a, b] : spec.merges) merges.push_back(a + " " + b);
  GgufWriter w;
  w.add_string("general.architecture", "qwen2");
  w.add_string("tokenizer.ggml.model", "gpt2");
  w.add_string("tokenizer.ggml.pre", "deepseek-r1-qwen");
  w.add_string_array("tokenizer.ggml.tokens", spec.tokens);
  w.add_int32_array("tokenizer.ggml.token_type", types);
  w.add_string_array("tokenizer.ggml.merges", merges);
  w.add_uint32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(spec.bos_id));
  w.add_uint32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(spec.eos_id));
  w.add_uint32("tokenizer.ggml.padding_token_id", 0xFFFFFFFFu);
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_bool("tokenizer.ggml.add_eos_token", false);
  w.add_string("tokenizer.chat_template", spec.chat_template);
  return w.to_bytes();
}

TEST(GgufByteLevel, DeepSeekGoldenCasesFromGgufMetadata) {
  const std::vector<uint8_t> bytes = deepseek_as_gguf();
  const GgufFile gguf = GgufFile::parse(bytes, "deepseek-tokenizer.gguf");
  const Tokenizer tok(load_gguf_tokenizer(gguf));
  EXPECT_EQ(tok.kind(), TokenizerKind::kByteLevelBpe);
  EXPECT_EQ(tok.bos(), 151646);
  EXPECT_EQ(tok.n_vocab(), deepseek_tokenizer().n_vocab());
  size_t failed = 0;
  const auto cases = read_jsonl(shared_path("golden/tokenizer/deepseek-r1.jsonl"));
  for (const auto& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const auto want = c["ids_with_bos"].get<std::vector<int32_t>>();
    if (tok.encode(text, true) != want) {
      ++failed;
      ADD_FAILURE() << "GGUF-loaded DeepSeek tokenizer differs on " << c["text"].dump();
    }
    EXPECT_EQ(tok.decode(want), deepseek_tokenizer().decode(want));
  }
  EXPECT_EQ(failed, 0u);
}

}  // namespace
}  // namespace pocket::test
