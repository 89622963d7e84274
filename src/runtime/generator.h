// The generation loop shared by the CLI, the C API and (later) the server: prefill a prompt,
// then sample token by token, streaming text that is safe to print, until a stop rule fires.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/context.h"
#include "runtime/sampler.h"
#include "tokenizer/tokenizer.h"

namespace pocket {

struct GenerateParams {
  int max_tokens = 128;
  SamplingParams sampling;
  std::vector<std::string> stop;  // stop strings (not included in the output)
  bool ignore_eos = false;
  int seq_id = 0;
};

struct GenerateResult {
  std::vector<int32_t> tokens;  // generated ids (the stop token excluded)
  std::string text;             // what was streamed
  std::string stop_reason;      // "eos", "stop string", "max tokens", "context full", "cancelled"
  int n_prompt = 0;             // prompt tokens evaluated (not already in the cache)
  double prefill_seconds = 0;
  double decode_seconds = 0;
};

// Called with each newly printable piece of text; returning false stops generation.
using TextCallback = std::function<bool(std::string_view)>;
// Called with the logits of every evaluated position, in order (prompt positions, then each
// generated token's position).
using LogitsCallback = std::function<void(std::span<const float>)>;

class Generator {
 public:
  Generator(Context& ctx, const Tokenizer& tokenizer) : ctx_(ctx), tok_(tokenizer) {}

  // Evaluates `prompt` after whatever the sequence already holds in the cache. With
  // reuse_prefix, cached positions that equal the prompt's start are kept and only the rest is
  // evaluated (multi-turn chat); `history` holds the ids already in the cache.
  GenerateResult generate(std::span<const int32_t> prompt, const GenerateParams& params,
                          const TextCallback& on_text, const LogitsCallback& on_logits = {});

  // Ids currently in the cache of seq 0, in order (prompt and generated).
  const std::vector<int32_t>& history() const { return history_; }
  void reset();

 private:
  void prefill(std::span<const int32_t> tokens, int seq, bool all_logits,
               const LogitsCallback& on_logits);

  Context& ctx_;
  const Tokenizer& tok_;
  std::vector<int32_t> history_;
  Batch batch_;
};

}  // namespace pocket
