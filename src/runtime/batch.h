// A batch of tokens from one or more sequences, evaluated in one forward pass (like a
// llama_batch): prefill, decode and the server's dynamic batching are the same call.
#pragma once

#include <cstdint>
#include <vector>

namespace pocket {

struct Batch {
  std::vector<int32_t> tokens;
  std::vector<int32_t> positions;  // position of each token within its sequence
  std::vector<int32_t> seq_ids;
  std::vector<uint8_t> want_logits;  // 1: return logits for this token

  void add(int32_t token, int32_t position, int32_t seq_id, bool logits) {
    tokens.push_back(token);
    positions.push_back(position);
    seq_ids.push_back(seq_id);
    want_logits.push_back(logits ? 1 : 0);
  }
  void clear() {
    tokens.clear();
    positions.clear();
    seq_ids.clear();
    want_logits.clear();
  }
  size_t size() const { return tokens.size(); }
};

}  // namespace pocket
