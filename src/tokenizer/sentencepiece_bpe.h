// SentencePiece BPE merging (sentencepiece's bpe_model.cc, llama.cpp's "llama" vocabulary): every
// character starts as a symbol; the adjacent pair whose concatenation is a piece with the highest
// score is merged first, the leftmost on ties; a symbol left that is not a piece falls back to
// <0xXX> byte pieces (or <unk> without byte fallback).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/bpe_scratch.h"
#include "tokenizer/piece_index.h"
#include "tokenizer/tokenizer_spec.h"

namespace pocket {

class SentencePieceBpeModel {
 public:
  SentencePieceBpeModel() = default;
  SentencePieceBpeModel(const TokenizerSpec& spec, const PieceIndex& vocab);

  // `text` is already escaped (spaces as U+2581, dummy prefix added).
  void encode(std::string_view text, BpeScratch* scratch, std::vector<int32_t>* out) const;

 private:
  const PieceIndex* vocab_ = nullptr;
  std::vector<float> scores_;
  std::vector<bool> mergeable_;  // pieces a merge may produce (normal, user-defined, unused)
  std::array<int32_t, 256> byte_ids_{};
  int32_t unk_id_ = -1;
  bool byte_fallback_ = true;
};

}  // namespace pocket
