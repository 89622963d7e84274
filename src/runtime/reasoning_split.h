// Separates a reasoning model's generated text into its reasoning (between <think> and </think>)
// and its answer, as it streams, the way DeepSeek's API fills reasoning_content and content.
#pragma once

#include <string>
#include <string_view>

namespace pocket {

struct SplitPiece {
  std::string reasoning;
  std::string answer;
};

// Rules:
//  - The stream starts in reasoning (DeepSeek-R1: the generation prompt opened `<think>\n`) or in
//    the answer (a model that does not think, or one that opens <think> itself, as Qwen3 does);
//    generation_prompt_opens_reasoning() in chat_template.h tells which for a chat format.
//  - If the very first bytes are `<think>`, they are dropped with the newlines after them, and the
//    stream is in reasoning: the result is the same whether the prompt or the model opened it.
//  - In reasoning, `</think>` ends it; the marker and the newlines right after it are dropped and
//    the rest is the answer. Further <think> / </think> in the answer are plain answer text.
//  - A marker split across pieces (`</th` + `ink>`) is recognized: only bytes that could still be
//    the start of a marker are held back, until the next piece or finish().
class ReasoningSplitter {
 public:
  explicit ReasoningSplitter(bool starts_in_reasoning);

  // Throws Error(kInvalidArgument) after finish() (until reset()).
  SplitPiece push(std::string_view text);
  // End of the stream: releases held-back bytes (an unfinished marker is plain text).
  SplitPiece finish();
  // Back to the state of a new stream.
  void reset();

  // True while the text being generated is reasoning (for a UI that shows "thinking...").
  bool in_reasoning() const;

 private:
  enum class State {
    kStart,      // nothing seen yet: the stream may open with <think>
    kAfterOpen,  // dropping newlines after <think>
    kReasoning,
    kAfterClose,  // dropping newlines after </think>
    kAnswer,
    kFinished,
  };

  bool starts_in_reasoning_;
  State state_;
  std::string held_;  // bytes that may be the start of the marker awaited in the current state
};

// The whole text at once; the same as one push() and finish().
SplitPiece split_reasoning(std::string_view full, bool starts_in_reasoning = true);

}  // namespace pocket
