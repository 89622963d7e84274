#include "tokenizer/sentencepiece_bpe.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>

#include "tokenizer/utf8.h"

namespace pocket {

namespace {

// Max-heap order: higher score first, then the leftmost position.
bool later(const BpeScratch::ScoreCandidate& x, const BpeScratch::ScoreCandidate& y) {
  return x.score != y.score ? x.score < y.score : x.pos > y.pos;
}

}  // namespace

SentencePieceBpeModel::SentencePieceBpeModel(const TokenizerSpec& spec, const PieceIndex& vocab)
    : vocab_(&vocab), unk_id_(spec.unk_id), byte_fallback_(spec.byte_fallback) {
  const size_t n = spec.tokens.size();
  scores_.assign(n, 0.0f);
  mergeable_.assign(n, true);
  for (size_t i = 0; i < n; ++i) {
    // NaN would break the heap's ordering; a file that has one gets the lowest priority.
    if (i < spec.scores.size()) scores_[i] = std::isnan(spec.scores[i]) ? -FLT_MAX : spec.scores[i];
    if (i < spec.token_types.size()) {
      // As in sentencepiece, merges only produce ordinary pieces, never <s> or <0x41>.
      const TokenType t = spec.token_types[i];
      mergeable_[i] = t == TokenType::kNormal || t == TokenType::kUserDefined ||
                      t == TokenType::kUnused || t == TokenType::kUndefined;
    }
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    byte_ids_[b] = vocab.find(name);
  }
}

void SentencePieceBpeModel::encode(std::string_view text, BpeScratch* scratch,
                                   std::vector<int32_t>* out) const {
  auto& syms = scratch->symbols;
  auto& heap = scratch->score_heap;
  syms.clear();
  heap.clear();
  for (size_t i = 0; i < text.size();) {
    size_t len = utf8_char_len(text, i);
    if (len == 0) len = 1;  // an invalid byte is a symbol of its own (and ends as <0xXX>)
    const auto n = static_cast<int32_t>(syms.size());
    syms.push_back({static_cast<int32_t>(i), static_cast<int32_t>(len), n - 1, n + 1});
    i += len;
  }
  if (syms.empty()) return;
  syms.back().next = -1;

  auto push_pair = [&](int32_t left) {
    const int32_t right = syms[left].next;
    if (right < 0) return;
    const int32_t size = syms[left].len + syms[right].len;
    const int32_t id = vocab_->find(text.substr(static_cast<size_t>(syms[left].value), size));
    if (id < 0 || !mergeable_[id]) return;
    heap.push_back({scores_[id], left, size});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(syms.size()); ++i) push_pair(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const BpeScratch::ScoreCandidate c = heap.back();
    heap.pop_back();
    auto& left = syms[c.pos];
    if (left.len == 0 || left.next < 0) continue;
    auto& right = syms[left.next];
    // Symbols only grow, so an unchanged total length means an unchanged pair.
    if (left.len + right.len != c.size) continue;
    left.len = c.size;
    left.next = right.next;
    if (right.next >= 0) syms[right.next].prev = c.pos;
    right.len = 0;
    if (left.prev >= 0) push_pair(left.prev);
    push_pair(c.pos);
  }

  for (int32_t i = 0; i >= 0; i = syms[i].next) {
    const std::string_view piece =
        text.substr(static_cast<size_t>(syms[i].value), static_cast<size_t>(syms[i].len));
    if (const int32_t id = vocab_->find(piece); id >= 0) {
      out->push_back(id);
      continue;
    }
    if (!byte_fallback_) {
      if (unk_id_ >= 0) out->push_back(unk_id_);
      continue;
    }
    for (char c : piece) {
      const int32_t id = byte_ids_[static_cast<uint8_t>(c)];
      if (id >= 0) {
        out->push_back(id);
      } else if (unk_id_ >= 0) {
        out->push_back(unk_id_);
      }
    }
  }
}

}  // namespace pocket
