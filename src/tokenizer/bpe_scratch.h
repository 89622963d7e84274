// Reusable work buffers of the two BPE engines.
#pragma once

#include <cstdint>
#include <vector>

namespace pocket {

// Reusable buffers, so that encoding a word allocates nothing in the steady state.
struct BpeScratch {
  struct Symbol {
    int32_t value;  // ByteLevel: current token id; SentencePiece: byte offset in the text
    int32_t len;    // SentencePiece: bytes (0 = merged into its left neighbour)
    int32_t prev;
    int32_t next;
  };
  struct RankCandidate {  // ByteLevel: pops lowest rank, then leftmost
    int32_t rank;
    int32_t pos;
    int32_t left, right;  // the ids it was made from: stale once either symbol changed
    int32_t merged;       // the id the pair becomes
  };
  struct ScoreCandidate {  // SentencePiece: pops highest score, then leftmost
    float score;
    int32_t pos;
    int32_t size;  // bytes of the pair: stale once either symbol changed
  };
  std::vector<Symbol> symbols;
  std::vector<RankCandidate> rank_heap;
  std::vector<ScoreCandidate> score_heap;
};

}  // namespace pocket
