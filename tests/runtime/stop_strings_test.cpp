#include "runtime/stop_strings.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace pocket {
namespace {

struct Streamed {
  std::string text;
  bool stopped = false;
  std::optional<size_t> index;
};

Streamed stream(StopStringMatcher& m, const std::vector<std::string>& pieces) {
  Streamed out;
  for (const std::string& p : pieces) {
    StopResult r = m.push(p);
    out.text += r.text;
    if (r.stopped) {
      out.stopped = true;
      out.index = r.stop_index;
      return out;
    }
  }
  out.text += m.finish();
  return out;
}

std::vector<std::string> random_pieces(const std::string& text, std::mt19937& rng) {
  std::vector<std::string> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t len = std::min<size_t>(rng() % 7, text.size() - pos);  // 0..6 bytes
    pieces.push_back(text.substr(pos, len));
    pos += len;
  }
  return pieces;
}

TEST(StopStringsTest, PartialMatchLength) {
  EXPECT_EQ(partial_match_length("Hello<|im", "<|im_end|>"), 4u);
  EXPECT_EQ(partial_match_length("Hello", "<|im_end|>"), 0u);
  EXPECT_EQ(partial_match_length("aaa", "aab"), 2u);
  EXPECT_EQ(partial_match_length("ab", "ab"), 0u);  // a whole match is not a partial one
  EXPECT_EQ(partial_match_length("aba", "ab"), 1u);
  EXPECT_EQ(partial_match_length("", "ab"), 0u);
  EXPECT_EQ(partial_match_length("x", ""), 0u);
}

TEST(StopStringsTest, StopsAndDoesNotEmitTheStopString) {
  StopStringMatcher m({"<|im_end|>"});
  StopResult r = m.push("Hello<|im");
  EXPECT_EQ(r.text, "Hello");
  EXPECT_FALSE(r.stopped);
  r = m.push("_end|>more");
  EXPECT_EQ(r.text, "");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(r.stop_index, 0u);
  EXPECT_TRUE(m.stopped());
  r = m.push("later");  // nothing after a stop
  EXPECT_EQ(r.text, "");
  EXPECT_TRUE(r.stopped);
  EXPECT_EQ(m.finish(), "");
}

TEST(StopStringsTest, HoldsBackOnlyAPossiblePrefix) {
  StopStringMatcher m({"STOP"});
  EXPECT_EQ(m.push("xxS").text, "xx");
  EXPECT_EQ(m.push("T").text, "");
  EXPECT_EQ(m.push("x").text, "STx");
  EXPECT_EQ(m.push("aST").text, "a");
  EXPECT_EQ(m.finish(), "ST");  // the generation ended without the stop string
}

TEST(StopStringsTest, FirstToCompleteWins) {
  // "bc" completes before "abcd" does, as a stream sees it.
  EXPECT_EQ(find_first_stop("xabcd", {"abcd", "bc"})->position, 2u);
  EXPECT_EQ(find_first_stop("xabcd", {"abcd", "bc"})->index, 1u);
  // Same end: the longer one, which starts earlier.
  EXPECT_EQ(find_first_stop("xab", {"b", "ab"})->position, 1u);
  EXPECT_EQ(find_first_stop("xab", {"b", "ab"})->index, 1u);
  EXPECT_FALSE(find_first_stop("xab", {"c"}).has_value());
  StopStringMatcher m({"abcd", "bc"});
  const Streamed s = stream(m, {"xab", "cd"});
  EXPECT_EQ(s.text, "xa");
  EXPECT_EQ(s.index, 1u);
}

TEST(StopStringsTest, SelfOverlappingStopString) {
  StopStringMatcher m({"aab"});
  const Streamed s = stream(m, {"a", "a", "a", "b", "c"});
  EXPECT_TRUE(s.stopped);
  EXPECT_EQ(s.text, "a");
}

TEST(StopStringsTest, NoStopStringsPassEverything) {
  StopStringMatcher m({});
  EXPECT_EQ(m.push("<|im_end|>").text, "<|im_end|>");
  EXPECT_EQ(m.finish(), "");
}

TEST(StopStringsTest, EmptyStopStringRejected) {
  try {
    StopStringMatcher m({"ok", ""});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("stop string 1"), std::string::npos) << e.what();
  }
}

TEST(StopStringsTest, ResetStartsOver) {
  StopStringMatcher m({"END"});
  EXPECT_TRUE(m.push("aEND").stopped);
  m.reset();
  EXPECT_FALSE(m.stopped());
  EXPECT_EQ(m.push("xyEN").text, "xy");
  m.reset();
  EXPECT_EQ(m.finish(), "");  // reset dropped the held "EN"
}

TEST(StopStringsTest, RandomSplitsMatchTheWholeText) {
  const std::vector<std::string> stops = {"<|im_end|>", "\n\nUser:", "aab", "ßtop", "🛑"};
  const std::vector<std::string> texts = {
      "Hello there<|im_end|>after",
      "no stop here <|im_end| <|im_en",
      "Line\n\nUse\n\nUser: next",
      "aaaaab tail",
      "größtenteils ßto ßtop",
      "emoji 🛐🛑 stop",
      "<|im_end|>",
      "",
      "\n\nUser",
  };
  std::mt19937 rng(42);
  for (const std::string& text : texts) {
    const auto match = find_first_stop(text, stops);
    const std::string expected = match ? text.substr(0, match->position) : text;
    for (int trial = 0; trial < 200; ++trial) {
      StopStringMatcher m(stops);
      const Streamed s = stream(m, random_pieces(text, rng));
      ASSERT_EQ(s.text, expected) << text << " trial " << trial;
      ASSERT_EQ(s.stopped, match.has_value()) << text;
      if (match) {
        ASSERT_EQ(s.index, match->index) << text;
      }
    }
  }
}

}  // namespace
}  // namespace pocket
