// Byte-level BPE merging (GPT-2, Qwen, Llama 3): every byte of a word starts as its own symbol
// (the token of its byte-level character); the adjacent pair with the lowest merge rank is merged
// first, the leftmost on ties, until no pair has a merge (Hugging Face's BPE::merge_word).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/bpe_scratch.h"
#include "tokenizer/piece_index.h"
#include "tokenizer/tokenizer_spec.h"

namespace pocket {

class ByteLevelBpeModel {
 public:
  ByteLevelBpeModel() = default;
  // Throws Error(kFormat) naming spec.source when a merge names a piece not in the vocabulary.
  ByteLevelBpeModel(const TokenizerSpec& spec, const PieceIndex& vocab);

  // `word` is raw bytes (not yet mapped to the alphabet).
  void encode_word(std::string_view word, BpeScratch* scratch, std::vector<int32_t>* out) const;

 private:
  struct Merge {
    int32_t rank;
    int32_t id;
  };
  // Open addressing on (left id, right id); ~150k merges fit in a 512k-slot table. Key and
  // value share a slot so that a probe touches one cache line.
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  const Merge* find_merge(int32_t a, int32_t b) const;
  void insert_merge(int32_t a, int32_t b, Merge m);

  std::array<int32_t, 256> byte_ids_{};
  std::vector<Slot> slots_;
  int shift_ = 64;  // 64 - log2(table size)
  int32_t unk_id_ = -1;
};

}  // namespace pocket
