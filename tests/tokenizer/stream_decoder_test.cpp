// Streaming detokenization: text comes out as soon as characters are complete, never half a
// UTF-8 character, and all of it together equals decode().
#include "tokenizer/stream_decoder.h"

#include <gtest/gtest.h>

#include "shared_tokenizers.h"
#include "tokenizer/utf8.h"

namespace pocket::test {
namespace {

using Ids = std::vector<int32_t>;

// Pushes ids one by one; every piece must be valid UTF-8 on its own.
std::string stream(const Tokenizer& tok, const Ids& ids, bool skip_special,
                   std::vector<std::string>* pieces = nullptr) {
  StreamDecoder dec(tok, skip_special);
  std::string all;
  for (int32_t id : ids) {
    const std::string piece = dec.push(id);
    EXPECT_TRUE(is_valid_utf8(piece)) << "id " << id;
    if (pieces) pieces->push_back(piece);
    all += piece;
  }
  const std::string rest = dec.flush();
  if (pieces) pieces->push_back(rest);
  return all + rest;
}

TEST(StreamDecoder, MatchesDecodeOnGoldenCases) {
  struct Source {
    const Tokenizer* tok;
    const char* file;
  };
  for (const Source& s : {Source{&deepseek_tokenizer(), "golden/tokenizer/deepseek-r1.jsonl"},
                          Source{&qwen3_tokenizer(), "golden/tokenizer/qwen3.jsonl"},
                          Source{&stories_tokenizer(), "golden/tokenizer/stories260K.jsonl"}}) {
    for (const auto& c : read_jsonl(shared_path(s.file))) {
      for (const char* key : {"ids", "ids_with_bos"}) {
        const auto ids = c[key].get<Ids>();
        EXPECT_EQ(stream(*s.tok, ids, false), s.tok->decode(ids)) << c["text"].dump();
        EXPECT_EQ(stream(*s.tok, ids, true), s.tok->decode(ids, true)) << c["text"].dump();
      }
    }
  }
}

// "😀" is 4 bytes; stories260K spells it with four byte-fallback tokens.
TEST(StreamDecoder, EmojiSplitAcrossByteTokens) {
  const Tokenizer& tok = stories_tokenizer();
  const Ids ids = tok.encode("I love 😀!", false);
  std::vector<std::string> pieces;
  EXPECT_EQ(stream(tok, ids, false, &pieces), "I love 😀!");
  // The emoji appears whole, in the piece of its last byte.
  size_t with_emoji = 0;
  for (const auto& p : pieces) with_emoji += p.find("😀") != std::string::npos;
  EXPECT_EQ(with_emoji, 1u);
  StreamDecoder dec(tok);
  EXPECT_EQ(dec.push(410), "");   // "▁" at the start: the dummy-prefix space is dropped
  EXPECT_EQ(dec.push(243), "");   // <0xF0>
  EXPECT_EQ(dec.push(162), "");   // <0x9F>
  EXPECT_EQ(dec.push(155), "");   // <0x98>
  EXPECT_EQ(dec.push(131), "😀");  // <0x80>
}

TEST(StreamDecoder, CjkAndEmojiByteLevelTokens) {
  const Tokenizer& tok = deepseek_tokenizer();
  for (const std::string text :
       {"解释一下量子纠缠。", "日本の首都は？東京です。", "🇰🇷 👩‍👩‍👧 🍕",
        "한국어 텍스트", "𠀀𪛖𰀀 CJK ext B/C/G"}) {
    const Ids ids = tok.encode(text, false);
    std::vector<std::string> pieces;
    EXPECT_EQ(stream(tok, ids, false, &pieces), text);
  }
  // 𠀀 (U+20000) is one character but several byte-level tokens: nothing until it is whole.
  const Ids ids = tok.encode("𠀀", false);
  ASSERT_GT(ids.size(), 1u);
  StreamDecoder dec(tok);
  for (size_t i = 0; i + 1 < ids.size(); ++i) EXPECT_EQ(dec.push(ids[i]), "");
  EXPECT_EQ(dec.push(ids.back()), "𠀀");
}

TEST(StreamDecoder, InvalidBytesBecomeReplacementChars) {
  const Tokenizer& tok = stories_tokenizer();  // byte pieces: <0xXX> = id 3 + XX
  auto byte = [](int b) { return 3 + b; };
  StreamDecoder dec(tok);
  EXPECT_EQ(dec.push(byte(0xE2)), "");
  EXPECT_EQ(dec.push(byte(0x82)), "");
  // 'A' cannot continue E2 82: the two bytes are one U+FFFD, then 'A'.
  EXPECT_EQ(dec.push(byte('A')),
            "\xEF\xBF\xBD"
            "A");
  EXPECT_EQ(dec.push(byte(0xFF)), "\xEF\xBF\xBD");  // can never start a character
  EXPECT_EQ(dec.push(byte(0xF0)), "");
  EXPECT_EQ(dec.flush(), "\xEF\xBF\xBD");  // the stream ended inside a character
  EXPECT_EQ(dec.flush(), "");
}

TEST(StreamDecoder, SkipSpecialAndReset) {
  const Tokenizer& tok = deepseek_tokenizer();
  const Ids ids = tok.encode("<｜begin▁of▁sentence｜>Hi<｜end▁of▁sentence｜>", false);
  EXPECT_EQ(stream(tok, ids, true), "Hi");
  EXPECT_EQ(stream(tok, ids, false), "<｜begin▁of▁sentence｜>Hi<｜end▁of▁sentence｜>");
  StreamDecoder dec(tok);
  dec.push(tok.encode("😀", false).front());  // half an emoji pending
  dec.reset();
  EXPECT_EQ(dec.flush(), "");
}

}  // namespace
}  // namespace pocket::test
