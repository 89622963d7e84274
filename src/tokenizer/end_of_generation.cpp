#include "tokenizer/end_of_generation.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace pocket {

namespace {

constexpr std::array<std::string_view, 11> kEndMarkers = {
    "<|im_end|>", "<|eot_id|>",    "<|eom_id|>", "<|endoftext|>",         "<|end_of_text|>",
    "<|EOT|>",    "<end_of_turn>", "<|end|>",    "<｜end▁of▁sentence｜>", "<|return|>",
    "</s>",
};

void add(TokenizerSpec* spec, int32_t id) {
  if (id < 0) return;
  if (std::find(spec->eog_ids.begin(), spec->eog_ids.end(), id) == spec->eog_ids.end()) {
    spec->eog_ids.push_back(id);
  }
}

bool is_marker(std::string_view text) {
  return std::find(kEndMarkers.begin(), kEndMarkers.end(), text) != kEndMarkers.end();
}

}  // namespace

void collect_end_of_generation_ids(TokenizerSpec* spec) {
  add(spec, spec->eos_id);
  // Only tokens that cannot come out of ordinary text: added tokens and control tokens.
  for (const AddedToken& t : spec->added_tokens) {
    if (is_marker(t.content)) add(spec, t.id);
  }
  for (size_t i = 0; i < spec->token_types.size() && i < spec->tokens.size(); ++i) {
    if (spec->token_types[i] == TokenType::kControl && is_marker(spec->tokens[i])) {
      add(spec, static_cast<int32_t>(i));
    }
  }
}

}  // namespace pocket
