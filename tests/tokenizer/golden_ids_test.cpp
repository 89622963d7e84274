// The acceptance tests: ids identical to the reference tokenizers on every golden case.
#include <gtest/gtest.h>

#include <sstream>

#include "shared_tokenizers.h"
#include "tokenizer/normalizer.h"

namespace pocket::test {
namespace {

std::string show(const std::vector<int32_t>& ids) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
  out << "]";
  return out.str();
}

// Checks one expectation; on a mismatch, reports the case, both id lists and where they part.
bool same_ids(const std::string& what, const nlohmann::json& c, const std::vector<int32_t>& want,
              const std::vector<int32_t>& got) {
  if (want == got) return true;
  size_t i = 0;
  while (i < want.size() && i < got.size() && want[i] == got[i]) ++i;
  ADD_FAILURE() << what << " differs for " << c.value("cat", "") << " case " << c["text"].dump()
                << "\n  want " << show(want) << "\n  got  " << show(got)
                << "\n  first difference at index " << i;
  return false;
}

// Encodes every case with and without BOS; decode(ids) must give back the (normalized) text.
void check_golden(const Tokenizer& tok, const std::string& file, bool normalize_nfc) {
  const auto cases = read_jsonl(shared_path(file));
  ASSERT_FALSE(cases.empty()) << file;
  size_t failed = 0;
  for (const auto& c : cases) {
    const std::string text = c["text"].get<std::string>();
    const auto ids = c["ids"].get<std::vector<int32_t>>();
    const auto ids_bos = c["ids_with_bos"].get<std::vector<int32_t>>();
    bool ok = same_ids("encode", c, ids, tok.encode(text, /*add_bos=*/false));
    ok &= same_ids("encode with BOS", c, ids_bos, tok.encode(text, /*add_bos=*/true));
    const std::string want_text = normalize_nfc ? nfc_normalize(text) : text;
    const std::string got_text = tok.decode(ids);
    if (got_text != want_text) {
      ok = false;
      ADD_FAILURE() << "decode differs for " << c["text"].dump() << ": got "
                    << nlohmann::json(got_text).dump();
    }
    failed += ok ? 0 : 1;
  }
  std::printf("[ golden   ] %s: %zu/%zu cases pass\n", file.c_str(), cases.size() - failed,
              cases.size());
}

TEST(GoldenIds, DeepSeekR1) {
  check_golden(deepseek_tokenizer(), "golden/tokenizer/deepseek-r1.jsonl", true);
}

TEST(GoldenIds, Qwen3) {
  check_golden(qwen3_tokenizer(), "golden/tokenizer/qwen3.jsonl", true);
}

// Rendered chat prompts already start with BOS: encoded without adding another.
TEST(GoldenIds, DeepSeekR1ChatTemplate) {
  const auto cases = read_jsonl(shared_path("golden/tokenizer/deepseek-r1-chat-template.jsonl"));
  ASSERT_EQ(cases.size(), 8u);
  for (const auto& c : cases) {
    const auto want = c["ids"].get<std::vector<int32_t>>();
    const auto got = deepseek_tokenizer().encode(c["rendered"].get<std::string>(), false);
    EXPECT_EQ(show(want), show(got)) << c["rendered"].dump();
  }
}

TEST(GoldenIds, DeepSeekSpecialIds) {
  const Tokenizer& tok = deepseek_tokenizer();
  EXPECT_EQ(tok.bos(), 151646);  // from tokenizer_config.json, not config.json's 151643
  EXPECT_EQ(tok.eos(), 151643);
  EXPECT_TRUE(tok.is_eog(151643));
  EXPECT_FALSE(tok.token_id("<|endoftext|>").has_value());
  EXPECT_EQ(tok.n_vocab(), 151665);
  EXPECT_NE(tok.chat_template().find("<｜Assistant｜>"), std::string::npos);
}

TEST(GoldenIds, Qwen3SpecialIds) {
  const Tokenizer& tok = qwen3_tokenizer();
  EXPECT_EQ(tok.bos(), -1);
  EXPECT_EQ(tok.eos(), 151645);  // <|im_end|>
  EXPECT_TRUE(tok.is_eog(151645));
  EXPECT_TRUE(tok.is_eog(151643));  // <|endoftext|>
  EXPECT_EQ(tok.encode("hi", true), tok.encode("hi", false));
}

// llama.cpp's tokenizer on the GGUF's metadata, special tokens in the text parsed ("<s>" -> 1).
TEST(GoldenIds, Stories260KFromGguf) {
  check_golden(stories_tokenizer(), "golden/tokenizer/stories260K.jsonl", false);
}

// brown-qwen2-7m: the torch reference's prompt tokens (BOS added), from hf/tokenizer.model and
// from the GGUF's metadata.
void check_brown(const Tokenizer& tok) {
  EXPECT_EQ(tok.kind(), TokenizerKind::kSentencePieceBpe);
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  for (const char* name : {"dc4", "dev0", "dev_c0", "dev_c1"}) {
    const auto g = nlohmann::json::parse(
        read_text_file(shared_path(std::string("golden/brown-qwen2/") + name + ".json")));
    const auto want = g["prompt_tokens"].get<std::vector<int32_t>>();
    const std::string prompt = g["prompt"].get<std::string>();
    EXPECT_EQ(show(want), show(tok.encode(prompt, true))) << name;
    EXPECT_EQ(tok.decode(want, /*skip_special=*/true), prompt) << name;
  }
}

TEST(GoldenIds, BrownQwen2FromTokenizerModel) {
  check_brown(brown_hf_tokenizer());
}

TEST(GoldenIds, BrownQwen2FromGguf) {
  check_brown(brown_gguf_tokenizer());
}

TEST(GoldenIds, BrownQwen2SourcesAgreeOnCorpus) {
  const std::string text = read_text_file(shared_path("corpus/brown-calib.txt")).substr(0, 50000);
  EXPECT_EQ(brown_hf_tokenizer().encode(text, true), brown_gguf_tokenizer().encode(text, true));
}

}  // namespace
}  // namespace pocket::test
