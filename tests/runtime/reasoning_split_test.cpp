#include "runtime/reasoning_split.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"

namespace pocket {
namespace {

// Cuts text into random pieces (some empty, some single bytes, cutting UTF-8 characters too).
std::vector<std::string> random_pieces(const std::string& text, std::mt19937& rng) {
  std::vector<std::string> pieces;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t len = std::min<size_t>(rng() % 6, text.size() - pos);  // 0..5 bytes
    pieces.push_back(text.substr(pos, len));
    pos += len;
  }
  return pieces;
}

SplitPiece stream(const std::vector<std::string>& pieces, bool starts_in_reasoning) {
  ReasoningSplitter splitter(starts_in_reasoning);
  SplitPiece all;
  for (const std::string& p : pieces) {
    SplitPiece s = splitter.push(p);
    all.reasoning += s.reasoning;
    all.answer += s.answer;
  }
  SplitPiece s = splitter.finish();
  all.reasoning += s.reasoning;
  all.answer += s.answer;
  return all;
}

void expect_split(std::string_view text, bool starts_in_reasoning, std::string_view reasoning,
                  std::string_view answer) {
  const SplitPiece s = split_reasoning(text, starts_in_reasoning);
  EXPECT_EQ(s.reasoning, reasoning) << "text: " << text;
  EXPECT_EQ(s.answer, answer) << "text: " << text;
}

TEST(ReasoningSplitTest, DeepSeekStartsInReasoning) {
  expect_split("Okay, 2+2 is 4.\n</think>\n\nThe answer is **4**.", true, "Okay, 2+2 is 4.\n",
               "The answer is **4**.");
  // Only the newlines right after </think> go; other whitespace and later newlines stay.
  expect_split("r</think>\n\n  a\n\nb\n", true, "r", "  a\n\nb\n");
}

TEST(ReasoningSplitTest, ModelOpensThinkItself) {
  for (bool starts : {true, false}) {
    expect_split("<think>\nHmm.\n</think>\n\nYes.", starts, "Hmm.\n", "Yes.");
    expect_split("<think></think>Yes.", starts, "", "Yes.");
  }
  // Only at the very start: later it is plain text of the current section.
  expect_split(" <think>x</think>y", false, "", " <think>x</think>y");
  expect_split("a<think>b</think>c", true, "a<think>b", "c");
}

TEST(ReasoningSplitTest, ModelThatNeverThinks) {
  expect_split("Hello there.", false, "", "Hello there.");
  // In answer mode a stray close marker is answer text: we cannot take back what was shown.
  expect_split("Hi </think> x", false, "", "Hi </think> x");
  expect_split("<thin", false, "", "<thin");
  expect_split("", false, "", "");
}

TEST(ReasoningSplitTest, UnfinishedReasoning) {
  expect_split("still thinking", true, "still thinking", "");
  expect_split("still thinking </thi", true, "still thinking </thi", "");
  expect_split("<thi", true, "<thi", "");
  expect_split("done</think>\n\n", true, "done", "");
}

TEST(ReasoningSplitTest, LaterMarkersAreAnswerText) {
  expect_split("r</think>a</think>b<think>c", true, "r", "a</think>b<think>c");
}

TEST(ReasoningSplitTest, HoldsBackOnlyPossibleMarkerStarts) {
  ReasoningSplitter s(true);
  EXPECT_EQ(s.push("a<b").reasoning, "a<b");  // "<b" cannot start </think>
  EXPECT_EQ(s.push("x<").reasoning, "x");
  EXPECT_EQ(s.push("/").reasoning, "");
  EXPECT_EQ(s.push("th").reasoning, "");
  EXPECT_EQ(s.push("x").reasoning, "</thx");
  EXPECT_EQ(s.push("</th").reasoning, "");
  EXPECT_TRUE(s.in_reasoning());
  SplitPiece p = s.push("ink>");
  EXPECT_EQ(p.reasoning, "");
  EXPECT_EQ(p.answer, "");
  EXPECT_FALSE(s.in_reasoning());
  EXPECT_EQ(s.push("\n").answer, "");
  EXPECT_EQ(s.push("\nA").answer, "A");
  EXPECT_EQ(s.push("\n").answer, "\n");
}

TEST(ReasoningSplitTest, StartMarkerSplitAcrossPieces) {
  ReasoningSplitter s(false);
  EXPECT_FALSE(s.in_reasoning());
  EXPECT_EQ(s.push("<th").answer, "");
  EXPECT_EQ(s.push("ink>").reasoning, "");
  EXPECT_TRUE(s.in_reasoning());
  EXPECT_EQ(s.push("\n").reasoning, "");
  EXPECT_EQ(s.push("\nwhy").reasoning, "why");
}

TEST(ReasoningSplitTest, RandomSplitsGiveTheSameResult) {
  const std::vector<std::string> texts = {
      "Okay, the user asks 2+2.\n</think>\n\nThe answer is 4.",
      "<think>\n\n量子纠缠是… </th </think> no\n</think>\n\n\n答案：是。🇰🇷",
      "<<</</t</th</thi</thin</think></think>\n\nend",
      "<thin<think>x",
      "no markers at all, ünïcödé",
      "</think>",
      "\n\n</think>\n",
  };
  std::mt19937 rng(1234);
  for (const std::string& text : texts) {
    for (bool starts : {true, false}) {
      const SplitPiece whole = split_reasoning(text, starts);
      EXPECT_LE(whole.reasoning.size() + whole.answer.size(), text.size());  // only drops
      for (int trial = 0; trial < 200; ++trial) {
        const SplitPiece s = stream(random_pieces(text, rng), starts);
        ASSERT_EQ(s.reasoning, whole.reasoning) << text << " trial " << trial;
        ASSERT_EQ(s.answer, whole.answer) << text << " trial " << trial;
      }
      std::vector<std::string> bytes;
      for (char c : text) bytes.emplace_back(1, c);
      const SplitPiece b = stream(bytes, starts);
      EXPECT_EQ(b.reasoning, whole.reasoning);
      EXPECT_EQ(b.answer, whole.answer);
    }
  }
}

TEST(ReasoningSplitTest, PushAfterFinishThrowsUntilReset) {
  ReasoningSplitter s(true);
  s.push("abc</th");
  EXPECT_EQ(s.finish().reasoning, "</th");
  EXPECT_THROW(s.push("x"), Error);
  EXPECT_EQ(s.finish().reasoning, "");  // a second finish is harmless
  s.reset();
  EXPECT_TRUE(s.in_reasoning());
  EXPECT_EQ(s.push("r</think>a").answer, "a");
}

}  // namespace
}  // namespace pocket
