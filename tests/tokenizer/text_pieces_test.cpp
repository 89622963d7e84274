// The text-side building blocks: byte-level alphabet, NFC, regex splitting, added-token matching.
#include <gtest/gtest.h>

#include "core/error.h"
#include "tokenizer/added_token_matcher.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/pretokenizer_patterns.h"
#include "tokenizer/regex_splitter.h"

namespace pocket {
namespace {

using Pieces = std::vector<std::string_view>;

TEST(ByteLevel, AlphabetIsGpt2s) {
  EXPECT_EQ(byte_to_unicode(' '), "Ġ");
  EXPECT_EQ(byte_to_unicode('\n'), "Ċ");
  EXPECT_EQ(byte_to_unicode('a'), "a");
  EXPECT_EQ(byte_to_unicode(0xAD), "Ń");
  EXPECT_EQ(byte_to_unicode(0xFF), "ÿ");
  for (int b = 0; b < 256; ++b) {
    std::string bytes;
    ASSERT_TRUE(byte_level_decode(byte_to_unicode(static_cast<uint8_t>(b)), &bytes));
    EXPECT_EQ(bytes, std::string(1, static_cast<char>(b)));
  }
  std::string out;
  EXPECT_FALSE(byte_level_decode("<｜User｜>", &out));  // ｜ is not in the alphabet
  EXPECT_EQ(out, "");
  EXPECT_EQ(byte_level_encode("é "), "Ã©Ġ");
}

TEST(Normalizer, Nfc) {
  EXPECT_EQ(nfc_normalize("plain ascii"), "plain ascii");
  EXPECT_EQ(nfc_normalize("e\xCC\x81t\xC3\xA9"), "\xC3\xA9t\xC3\xA9");     // e + U+0301 -> é
  EXPECT_EQ(nfc_normalize("=\xCC\xB8"), "\xE2\x89\xA0");                   // = + U+0338 -> ≠
  EXPECT_EQ(nfc_normalize("\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB"), "한");  // jamo
  EXPECT_EQ(nfc_normalize("x \xE2\x84\xAB y"), "x \xC3\x85 y");            // Å (angstrom) -> Å
}

TEST(RegexSplitter, KeepsMatchesAndGaps) {
  const RegexSplitter digits(R"(\d+)", "test");
  Pieces out;
  digits.split("ab12cd345", &out);
  EXPECT_EQ(out, (Pieces{"ab", "12", "cd", "345"}));
  out.clear();
  const RegexSplitter empty_match(R"(x*)", "test");
  empty_match.split("abxxc", &out);
  EXPECT_EQ(out, (Pieces{"ab", "xx", "c"}));
}

TEST(RegexSplitter, Qwen2Pattern) {
  const PreTokenizer pre({kQwen2Pattern}, "test");
  Pieces out;
  pre.split("Hello, world! It's 2024.\n\n  ok  ", &out);
  EXPECT_EQ(out, (Pieces{"Hello", ",", " world", "!", " It", "'s", " ", "2", "0", "2", "4", ".\n\n",
                         " ", " ok", "  "}));
  // U+180E is not White_Space (Oniguruma agrees; PCRE2's own \s would split here).
  out.clear();
  pre.split("a\xE1\xA0\x8E b", &out);
  EXPECT_EQ(out, (Pieces{"a", "\xE1\xA0\x8E", " b"}));
  EXPECT_THROW(PreTokenizer(std::vector<std::string>{"(unclosed"}, "test"), Error);
}

TEST(AddedTokenMatcher, LeftmostLongest) {
  const AddedTokenMatcher m({{"<a>", 1}, {"<a><b>", 2}, {"<b>", 3, /*special=*/true}});
  std::vector<AddedTokenMatcher::Match> out;
  m.find("x<a><b>y<a>z<b>", true, &out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, 2);
  EXPECT_EQ(out[0].start, 1u);
  EXPECT_EQ(out[1].id, 1);
  EXPECT_EQ(out[2].id, 3);
  out.clear();
  m.find("z<b>", /*parse_special=*/false, &out);
  EXPECT_TRUE(out.empty());
}

TEST(AddedTokenMatcher, StripAndSingleWord) {
  AddedToken strip{"<m>", 1};
  strip.lstrip = strip.rstrip = true;
  AddedToken word{"cat", 2};
  word.single_word = true;
  const AddedTokenMatcher m({strip, word});
  std::vector<AddedTokenMatcher::Match> out;
  m.find("a \t<m>\u3000 b", true, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start, 1u);
  EXPECT_EQ(out[0].end, 10u);  // "<m>" plus the ideographic space (3 bytes) and ' '
  out.clear();
  m.find("concatenate cat cats", true, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start, 12u);
}

}  // namespace
}  // namespace pocket
