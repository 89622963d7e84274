// Edge cases of encode/decode on the real tokenizers: empty and blank text, text that is only
// special tokens, ill-formed UTF-8 (encoded as raw bytes, decoded as U+FFFD), huge inputs.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "shared_tokenizers.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/utf8.h"

namespace pocket::test {
namespace {

using Ids = std::vector<int32_t>;

TEST(EdgeCases, EmptyText) {
  EXPECT_EQ(deepseek_tokenizer().encode("", false), Ids{});
  EXPECT_EQ(deepseek_tokenizer().encode("", true), Ids{151646});
  EXPECT_EQ(qwen3_tokenizer().encode("", true), Ids{});
  EXPECT_EQ(stories_tokenizer().encode("", false), Ids{});
  EXPECT_EQ(stories_tokenizer().encode("", true), Ids{1});
  EXPECT_EQ(deepseek_tokenizer().decode(Ids{}), "");
}

TEST(EdgeCases, OnlySpaces) {
  for (const Tokenizer* tok :
       {&deepseek_tokenizer(), &stories_tokenizer(), &brown_hf_tokenizer()}) {
    for (const std::string_view text : {" ", "  ", "          ", "\t \n", "\n\n\n"}) {
      const Ids ids = tok->encode(text, false);
      EXPECT_FALSE(ids.empty());
      EXPECT_EQ(tok->decode(ids), text);
    }
  }
  EXPECT_EQ(deepseek_tokenizer().encode("  ", false), Ids{256});
}

TEST(EdgeCases, OnlySpecialTokens) {
  const Tokenizer& tok = deepseek_tokenizer();
  const std::string text = "<｜begin▁of▁sentence｜><｜User｜><｜Assistant｜><think></think>";
  EXPECT_EQ(tok.encode(text, false), (Ids{151646, 151644, 151645, 151648, 151649}));
  EXPECT_EQ(tok.decode(tok.encode(text, false)), text);
  EXPECT_EQ(tok.decode(tok.encode(text, false), /*skip_special=*/true),
            "<｜User｜><｜Assistant｜><think></think>");  // only special=true tokens are dropped
  EXPECT_EQ(stories_tokenizer().encode("<s></s>", false), (Ids{1, 2}));
  EXPECT_EQ(stories_tokenizer().decode(Ids{1, 2}, /*skip_special=*/true), "");
}

TEST(EdgeCases, ParseSpecialOff) {
  const Tokenizer& tok = deepseek_tokenizer();
  // Special (control) tokens become plain text; non-special added tokens are still matched.
  const Ids ids = tok.encode("<｜end▁of▁sentence｜><think>", false, /*parse_special=*/false);
  EXPECT_EQ(std::count(ids.begin(), ids.end(), 151643), 0);
  EXPECT_EQ(ids.back(), 151648);
  EXPECT_EQ(tok.decode(ids), "<｜end▁of▁sentence｜><think>");
  const Ids s = stories_tokenizer().encode("<s>", false, false);
  EXPECT_NE(s, Ids{1});
  EXPECT_EQ(stories_tokenizer().decode(s), "<s>");
}

TEST(EdgeCases, InvalidUtf8IsEncodedAsBytes) {
  const std::string bad[] = {
      "\xff",
      "abc\xc3",
      "\xc3(",
      "\xe2\x82",
      "a\xed\xa0\x80z",  // lone lead, truncated, surrogate
      "\xf4\x90\x80\x80",
      "\xc0\xaf",
      std::string("nul\0byte", 8),
      "\x80\x80\x80 x",
  };
  for (const Tokenizer* tok :
       {&deepseek_tokenizer(), &stories_tokenizer(), &brown_hf_tokenizer()}) {
    for (const std::string& text : bad) {
      const Ids ids = tok->encode(text, true);
      ASSERT_FALSE(ids.empty());
      // The raw bytes come back; decode() shows the ill-formed ones as U+FFFD.
      std::string bytes;
      for (int32_t id : ids) {
        if (id != tok->bos()) bytes += tok->token_piece_bytes(id);
      }
      if (tok->kind() == TokenizerKind::kSentencePieceBpe) bytes.erase(0, 1);  // dummy prefix
      EXPECT_EQ(bytes, text);
      EXPECT_EQ(tok->decode(ids, true), utf8_lossy(text));
      EXPECT_TRUE(is_valid_utf8(tok->decode(ids)));
    }
  }
}

TEST(EdgeCases, RandomBytesNeverFail) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 64);
  for (const Tokenizer* tok :
       {&deepseek_tokenizer(), &stories_tokenizer(), &brown_hf_tokenizer()}) {
    for (int i = 0; i < 300; ++i) {
      std::string text(static_cast<size_t>(len(rng)), '\0');
      for (char& c : text) c = static_cast<char>(byte(rng));
      const Ids ids = tok->encode(text, true);
      for (int32_t id : ids) ASSERT_TRUE(id >= 0 && id < tok->n_vocab());
      EXPECT_TRUE(is_valid_utf8(tok->decode(ids)));
    }
  }
}

// decode(encode(x)) gives x back (NFC-normalized for byte-level BPE) for any valid text.
TEST(EdgeCases, RandomUnicodeRoundTrips) {
  const std::vector<std::string> pool = {"a",
                                         "Z",
                                         "7",
                                         " ",
                                         "  ",
                                         "\t",
                                         "\n",
                                         "\r\n",
                                         ".",
                                         "'s",
                                         "'LL",
                                         "é",
                                         "e\xCC\x81",
                                         "\xCC\x81",
                                         "ß",
                                         "ﬁ",
                                         "日",
                                         "本",
                                         "한",
                                         "\xE1\x84\x92",
                                         "\xE1\x85\xA1",
                                         "ا",
                                         "ह",
                                         "\xE0\xA5\x8D",
                                         "😀",
                                         "👩\xE2\x80\x8D👩",
                                         "🇰",
                                         "\xEF\xB8\x8F",
                                         "\xC2\xA0",
                                         "\xE3\x80\x80",
                                         "\xE1\xA0\x8E",
                                         "\xC2\x85",
                                         "\xE2\x80\xA8",
                                         "\x00",
                                         "\x7F",
                                         "\xEF\xBB\xBF",
                                         "\xF4\x8F\xBF\xBF",
                                         "123",
                                         "_",
                                         "-->",
                                         "{\"k\":"};
  std::mt19937 rng(42);
  std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
  std::uniform_int_distribution<int> len(1, 24);
  for (int i = 0; i < 400; ++i) {
    std::string text;
    for (int k = len(rng); k > 0; --k) text += pool[pick(rng)];
    for (const Tokenizer* tok : {&deepseek_tokenizer(), &qwen3_tokenizer()}) {
      EXPECT_EQ(tok->decode(tok->encode(text, true), true), nfc_normalize(text));
    }
    for (const Tokenizer* tok : {&stories_tokenizer(), &brown_hf_tokenizer()}) {
      EXPECT_EQ(tok->decode(tok->encode(text, true), true), text);
    }
  }
}

TEST(EdgeCases, DecodeIgnoresIdsOutsideTheVocabulary) {
  const Tokenizer& tok = deepseek_tokenizer();
  EXPECT_EQ(tok.decode(Ids{9707, -1, 151936, 1879}), "Hello world");
  EXPECT_EQ(tok.token_piece_bytes(-5), "");
  EXPECT_FALSE(tok.is_eog(-1));
  EXPECT_FALSE(tok.is_special(1 << 30));
}

TEST(EdgeCases, HugeInputs) {
  const Tokenizer& tok = deepseek_tokenizer();
  for (const std::string& text : {std::string(1 << 18, ' '), std::string(1 << 18, 'a'),
                                  std::string(1 << 18, '\n'), std::string(1 << 18, '7')}) {
    const Ids ids = tok.encode(text, false);
    EXPECT_EQ(tok.decode(ids), text);
    EXPECT_LE(ids.size(), text.size());
  }
  std::string mixed;
  for (int i = 0; i < 20000; ++i) mixed += "  \t\n x";
  EXPECT_EQ(tok.decode(tok.encode(mixed, false)), mixed);
  const std::string spaces(1 << 18, ' ');
  EXPECT_EQ(stories_tokenizer().decode(stories_tokenizer().encode(spaces, false)), spaces);
}

TEST(EdgeCases, NfcAppliesOutsideAddedTokensOnly) {
  const Tokenizer& tok = deepseek_tokenizer();
  // "e" + U+0301 composes to "é" (963 alone); the same after an added token.
  EXPECT_EQ(tok.encode("e\xcc\x81", false), tok.encode("\xc3\xa9", false));
  EXPECT_EQ(tok.encode("<think>e\xcc\x81", false), (Ids{151648, 963}));
  // A combining mark right after an added token has nothing to compose with.
  const Ids ids = tok.encode("<think>\xcc\x81", false);
  EXPECT_EQ(ids.front(), 151648);
  EXPECT_EQ(tok.decode(ids), "<think>\xcc\x81");
}

TEST(EdgeCases, EncodeIsThreadSafe) {
  const Tokenizer& tok = deepseek_tokenizer();
  const std::string text = read_text_file(shared_path("corpus/brown-eval.txt")).substr(0, 20000);
  const Ids want = tok.encode(text, true);
  std::vector<Ids> got(4);
  std::vector<std::thread> threads;
  for (auto& g : got) threads.emplace_back([&] { g = tok.encode(text, true); });
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, want);
}

}  // namespace
}  // namespace pocket::test
