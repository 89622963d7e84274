// Mixed precision: which type each tensor gets. A policy is a comma-separated list of rules,
// the first matching rule wins, tensors no rule matches get the run's base type:
//
//   rule   := glob ['@' layers] '=' type
//   glob   := a GGUF tensor name with * (any characters) and ? (one character)
//   layers := firstN | lastN | endsN (first N and last N) | A-B | A      (block numbers)
//   type   := 4 | 8 (the run's group size and scheme at that many bits) | fp8 | f16 | bf16 | f32
//             | a type name (q8_0, q4_0, q4_1, pq8_g64, pq4_g128, pq4a_g128, pfp8_g128, ...)
//
// Example: "token_embd.weight=8,output.weight=8,*attn_v.weight@ends1=8,*=4". A policy without
// '=' names a preset (mix_presets()). Norms and biases always stay F32.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "quant/type_choice.h"

namespace pocket::quant {

struct MixPreset {
  std::string name;
  std::string policy;
  std::string description;
};
const std::vector<MixPreset>& mix_presets();

class MixPolicy {
 public:
  // Parses a policy or a preset name; Error(kInvalidArgument) pointing at the bad rule.
  // n_layer resolves lastN / endsN.
  MixPolicy(const std::string& text, int group, Scheme scheme, int64_t n_layer);
  MixPolicy() = default;

  // The type a rule gives this tensor, or nothing when no rule matches.
  std::optional<DType> type_for(const std::string& name, int64_t layer) const;
  const std::string& text() const { return text_; }

 private:
  struct Rule {
    std::string glob;
    int64_t layer_lo = -1, layer_hi = -1;  // both -1: any tensor
    int64_t tail_lo = -1;                  // endsN: also layers >= tail_lo
    DType type = DType::kF32;
  };
  std::vector<Rule> rules_;
  std::string text_;
};

// Glob match with * and ? (exposed for tests).
bool glob_match(const std::string& glob, const std::string& name);

}  // namespace pocket::quant
