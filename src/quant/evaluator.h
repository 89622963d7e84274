// pocket eval: perplexity of a model on a text and, against a reference model, the KL divergence
// of the next-token distributions and top-1 agreement.
//
// Procedure (deterministic): the text is tokenized line by line (each line with its "\n",
// without BOS) and concatenated; the tokens are cut into non-overlapping windows of ctx tokens
// (ctx - 1 text tokens after a BOS when the model adds one); each window is one forward pass from
// an empty cache. As in llama.cpp's perplexity, only the second half of each window is scored
// (positions ctx/2 .. ctx-2 predict the next token), so every scored token has at least ctx/2
// tokens of context. Both models see exactly the same windows (the reference must have the same
// vocabulary).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/context.h"
#include "runtime/model_loader.h"

namespace pocket::quant {

struct EvalOptions {
  std::string text_path;
  int64_t ctx = 256;
  int64_t max_windows = 0;  // 0: all
  int threads = 0;
  KvType kv_type = ContextParams{}.kv_type;  // the model's KV cache type
  // The reference's (default: the same). Evaluating a model against itself with another KV type
  // measures what that KV type costs.
  std::optional<KvType> ref_kv_type;
  // ContextParams::fast_math of the model and of the reference. The reference runs accurate math
  // unless asked: --model M --ref M --fast-math measures what fast math costs.
  bool fast_math = false;
  bool ref_fast_math = false;
};

struct EvalResult {
  double ppl = 0;
  double ref_ppl = 0;         // when a reference was given
  double kl_mean = 0;         // mean over scored tokens of KL(ref || model), nats
  double kl_p99 = 0;          // 99th percentile of the same
  double top1_agreement = 0;  // fraction of scored tokens where both argmaxes agree
  int64_t n_tokens = 0;       // scored tokens
  int64_t n_windows = 0;
  bool has_ref = false;
};

// Throws Error(kIo) for an unreadable text, kInvalidArgument when the text is shorter than one
// window or the vocabularies differ.
EvalResult evaluate(const LoadedModel& model, const LoadedModel* ref, const EvalOptions& options);

}  // namespace pocket::quant
