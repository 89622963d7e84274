#include "runtime/reasoning_split.h"

#include "core/error.h"
#include "runtime/stop_strings.h"

namespace pocket {
namespace {

constexpr std::string_view kOpen = "<think>";
constexpr std::string_view kClose = "</think>";

// Drops leading '\n' from text; returns true when something other than a newline remains.
bool drop_newlines(std::string& text) {
  const size_t pos = text.find_first_not_of('\n');
  text.erase(0, pos == std::string::npos ? text.size() : pos);
  return !text.empty();
}

}  // namespace

ReasoningSplitter::ReasoningSplitter(bool starts_in_reasoning)
    : starts_in_reasoning_(starts_in_reasoning), state_(State::kStart) {}

bool ReasoningSplitter::in_reasoning() const {
  switch (state_) {
    case State::kStart:
      return starts_in_reasoning_;
    case State::kAfterOpen:
    case State::kReasoning:
      return true;
    case State::kAfterClose:
    case State::kAnswer:
    case State::kFinished:
      return false;
  }
  return false;
}

SplitPiece ReasoningSplitter::push(std::string_view text) {
  POCKET_CHECK(state_ != State::kFinished, ErrorCode::kInvalidArgument,
               "reasoning splitter: push() after finish(); call reset() for a new stream");
  SplitPiece out;
  held_.append(text);
  // Each state consumes what it can and either moves on or returns to wait for more bytes.
  while (!held_.empty()) {
    switch (state_) {
      case State::kStart:
        if (held_.starts_with(kOpen)) {
          held_.erase(0, kOpen.size());
          state_ = State::kAfterOpen;
        } else if (kOpen.starts_with(held_)) {
          return out;  // "<thi": wait
        } else {
          state_ = starts_in_reasoning_ ? State::kReasoning : State::kAnswer;
        }
        break;
      case State::kAfterOpen:
        if (!drop_newlines(held_)) return out;
        state_ = State::kReasoning;
        break;
      case State::kReasoning: {
        const size_t close = held_.find(kClose);
        if (close == std::string::npos) {
          const size_t keep = partial_match_length(held_, kClose);
          out.reasoning.append(held_, 0, held_.size() - keep);
          held_.erase(0, held_.size() - keep);
          return out;
        }
        out.reasoning.append(held_, 0, close);
        held_.erase(0, close + kClose.size());
        state_ = State::kAfterClose;
        break;
      }
      case State::kAfterClose:
        if (!drop_newlines(held_)) return out;
        state_ = State::kAnswer;
        break;
      case State::kAnswer:
        out.answer.append(held_);
        held_.clear();
        break;
      case State::kFinished:
        fail(ErrorCode::kInternal, "reasoning splitter: finished state while pushing");
    }
  }
  return out;
}

SplitPiece ReasoningSplitter::finish() {
  SplitPiece out;
  if (state_ == State::kFinished) return out;
  // Only kStart and kReasoning hold bytes back; what is held is an unfinished marker.
  const bool reasoning =
      state_ == State::kReasoning || (state_ == State::kStart && starts_in_reasoning_);
  (reasoning ? out.reasoning : out.answer) = std::move(held_);
  held_.clear();
  state_ = State::kFinished;
  return out;
}

void ReasoningSplitter::reset() {
  state_ = State::kStart;
  held_.clear();
}

SplitPiece split_reasoning(std::string_view full, bool starts_in_reasoning) {
  ReasoningSplitter splitter(starts_in_reasoning);
  SplitPiece out = splitter.push(full);
  SplitPiece rest = splitter.finish();
  out.reasoning += rest.reasoning;
  out.answer += rest.answer;
  return out;
}

}  // namespace pocket
