#include "tokenizer/added_token_matcher.h"

#include <utf8proc.h>

#include "tokenizer/utf8.h"

namespace pocket {

namespace {

uint64_t edge_key(int32_t node, uint8_t byte) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(node)) << 8) | byte;
}

// Length of the valid character that ends at `end` (exclusive), or 0.
size_t len_before(std::string_view text, size_t end) {
  for (size_t back = 1; back <= 4 && back <= end; ++back) {
    if (utf8_char_len(text, end - back) == back) return back;
  }
  return 0;
}

// The character that ends at `end`, or -1.
int64_t char_before(std::string_view text, size_t end) {
  const size_t len = len_before(text, end);
  return len ? utf8_decode_at(text, end - len) : -1;
}

int64_t char_at(std::string_view text, size_t i) {
  return i < text.size() && utf8_char_len(text, i) ? utf8_decode_at(text, i) : -1;
}

// Rust's char::is_alphanumeric (letters and numbers), for single_word.
bool is_word_char(int64_t cp) {
  if (cp < 0) return false;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
  terminal_.push_back(-1);
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;  // an empty token would match everywhere
    int32_t node = 0;
    for (char c : t.content) {
      const uint64_t key = edge_key(node, static_cast<uint8_t>(c));
      auto it = edges_.find(key);
      if (it == edges_.end()) {
        const auto next = static_cast<int32_t>(terminal_.size());
        terminal_.push_back(-1);
        it = edges_.emplace(key, next).first;
      }
      node = it->second;
    }
    if (terminal_[node] < 0) {  // the first of two identical contents wins
      terminal_[node] = static_cast<int32_t>(tokens_.size());
      tokens_.push_back(t);
    }
    first_byte_[static_cast<uint8_t>(t.content[0])] = true;
  }
}

int32_t AddedTokenMatcher::child(int32_t node, uint8_t byte) const {
  const auto it = edges_.find(edge_key(node, byte));
  return it == edges_.end() ? -1 : it->second;
}

void AddedTokenMatcher::find(std::string_view text, bool parse_special,
                             std::vector<Match>* out) const {
  if (tokens_.empty()) return;
  size_t done = 0;  // end of the previous match: lstrip may not reach before it
  size_t i = 0;
  while (i < text.size()) {
    if (!first_byte_[static_cast<uint8_t>(text[i])]) {
      ++i;
      continue;
    }
    // The longest usable token starting at i.
    int32_t best = -1;
    size_t best_end = 0;
    int32_t node = 0;
    for (size_t j = i; j < text.size(); ++j) {
      node = child(node, static_cast<uint8_t>(text[j]));
      if (node < 0) break;
      const int32_t t = terminal_[node];
      if (t < 0) continue;
      const AddedToken& tok = tokens_[t];
      if (tok.special && !parse_special) continue;
      if (tok.single_word &&
          (is_word_char(char_before(text, i)) || is_word_char(char_at(text, j + 1)))) {
        continue;
      }
      best = t;
      best_end = j + 1;
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const AddedToken& tok = tokens_[best];
    size_t start = i;
    size_t end = best_end;
    if (tok.lstrip) {
      while (start > done) {
        const int64_t cp = char_before(text, start);
        if (cp < 0 || !is_unicode_whitespace(static_cast<char32_t>(cp))) break;
        start -= len_before(text, start);
      }
    }
    if (tok.rstrip) {
      while (end < text.size()) {
        const int64_t cp = char_at(text, end);
        if (cp < 0 || !is_unicode_whitespace(static_cast<char32_t>(cp))) break;
        end += utf8_char_len(text, end);
      }
    }
    out->push_back({start, end, tok.id});
    done = i = end;
  }
}

}  // namespace pocket
