#include "tokenizer/utf8.h"

#include <gtest/gtest.h>

namespace pocket {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8, LossyReplacesMaximalSubparts) {
  EXPECT_EQ(utf8_lossy("abc"), "abc");
  EXPECT_EQ(utf8_lossy("h\xC3\xA9llo"), "h\xC3\xA9llo");
  EXPECT_EQ(utf8_lossy("\xFF"), kFffd);
  EXPECT_EQ(utf8_lossy("\xE2\x82"), kFffd);  // truncated 3-byte: one U+FFFD
  EXPECT_EQ(utf8_lossy("\xE2\x82"
                       "A"),
            kFffd + "A");
  EXPECT_EQ(utf8_lossy("\xC0\xAF"), kFffd + kFffd);              // overlong: C0 is never valid
  EXPECT_EQ(utf8_lossy("\xED\xA0\x80"), kFffd + kFffd + kFffd);  // surrogate
  EXPECT_EQ(utf8_lossy("\xF4\x90\x80\x80"), kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  EXPECT_EQ(utf8_lossy("\xF0\x9F\x98"), kFffd);  // 3 of 4 bytes of an emoji
  EXPECT_EQ(utf8_lossy("\x80\x80"), kFffd + kFffd);
}

TEST(Utf8, DrainKeepsIncompleteTail) {
  std::string out;
  EXPECT_EQ(utf8_drain("ab\xF0\x9F\x98", false, &out), 2u);
  EXPECT_EQ(out, "ab");
  out.clear();
  EXPECT_EQ(utf8_drain("\xF0\x9F\x98\x80", false, &out), 4u);
  EXPECT_EQ(out, "\xF0\x9F\x98\x80");
}

TEST(Utf8, DecodeAndAppendRoundTrip) {
  for (char32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) {
    std::string s;
    utf8_append(cp, &s);
    ASSERT_EQ(utf8_char_len(s, 0), s.size());
    EXPECT_EQ(utf8_decode_at(s, 0), cp);
  }
  EXPECT_TRUE(is_valid_utf8("日本語"));
  EXPECT_FALSE(is_valid_utf8("\xE6\x97"));
  EXPECT_TRUE(is_unicode_whitespace(0x3000));
  EXPECT_FALSE(is_unicode_whitespace(0x180E));  // not White_Space since Unicode 6.3
}

}  // namespace
}  // namespace pocket
