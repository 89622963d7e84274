#include "runtime/generator.h"

#include <algorithm>
#include <chrono>

#include "core/error.h"
#include "runtime/stop_strings.h"
#include "tokenizer/stream_decoder.h"

namespace pocket {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

void Generator::reset() {
  history_.clear();
  ctx_.kv().clear();
}

// The prompt goes in pieces of at most the context's batch size (its scratch is sized for that).
void Generator::prefill(std::span<const int32_t> tokens, int seq, bool all_logits,
                        const LogitsCallback& on_logits) {
  const auto piece = static_cast<size_t>(ctx_.n_batch());
  for (size_t begin = 0; begin < tokens.size(); begin += piece) {
    const size_t end = std::min(tokens.size(), begin + piece);
    batch_.clear();
    const auto start = static_cast<int32_t>(ctx_.kv().seq_len(seq));
    for (size_t i = begin; i < end; ++i) {
      const bool last = i + 1 == tokens.size();
      batch_.add(tokens[i], start + static_cast<int32_t>(i - begin), seq, all_logits || last);
    }
    ctx_.decode(batch_);
    if (on_logits) {
      for (int i = 0; i < ctx_.n_outputs(); ++i) on_logits(ctx_.logits(i));
    }
  }
}

GenerateResult Generator::generate(std::span<const int32_t> prompt, const GenerateParams& params,
                                   const TextCallback& on_text, const LogitsCallback& on_logits) {
  POCKET_CHECK(!prompt.empty(), ErrorCode::kInvalidArgument, "the prompt has no tokens");
  POCKET_CHECK(params.max_tokens >= 0, ErrorCode::kInvalidArgument,
               "max tokens must not be negative, got ", params.max_tokens);
  const int seq = params.seq_id;
  GenerateResult result;

  // Keep the cached positions that the new prompt starts with; evaluate only the rest (at least
  // one token, so that there are logits to sample from).
  size_t keep = 0;
  while (keep < history_.size() && keep < prompt.size() && history_[keep] == prompt[keep]) ++keep;
  keep = std::min(keep, prompt.size() - 1);
  if (on_logits) keep = 0;  // a logits dump covers every prompt position
  ctx_.kv().truncate(seq, static_cast<int64_t>(keep));
  history_.resize(keep);

  const auto t0 = std::chrono::steady_clock::now();
  const auto rest = prompt.subspan(keep);
  POCKET_CHECK(static_cast<int64_t>(prompt.size()) <= ctx_.kv().n_ctx(), ErrorCode::kOutOfRange,
               "the prompt has ", prompt.size(), " tokens but the context holds ",
               ctx_.kv().n_ctx());
  prefill(rest, seq, static_cast<bool>(on_logits), on_logits);
  history_.insert(history_.end(), rest.begin(), rest.end());
  result.n_prompt = static_cast<int>(rest.size());
  result.prefill_seconds = seconds_since(t0);

  Sampler sampler(params.sampling, static_cast<int>(ctx_.model().spec().n_vocab));
  for (int32_t id : history_) sampler.accept(id);  // penalties see the prompt, as llama.cpp's do
  StopStringMatcher stops(params.stop);
  StreamDecoder decoder(tok_, /*skip_special=*/false, /*continues_text=*/true);
  std::span<const float> logits = ctx_.logits(ctx_.n_outputs() - 1);
  const auto t1 = std::chrono::steady_clock::now();
  bool keep_going = true;
  auto emit = [&](const std::string& text) {
    if (text.empty()) return;
    result.text += text;
    if (on_text && !on_text(text)) keep_going = false;
  };
  result.stop_reason = "max tokens";
  for (int n = 0; n < params.max_tokens; ++n) {
    const int32_t id = sampler.sample(logits);
    sampler.accept(id);
    if (!params.ignore_eos && tok_.is_eog(id)) {
      result.stop_reason = "eos";
      break;
    }
    result.tokens.push_back(id);
    const StopResult piece = stops.push(decoder.push(id));
    emit(piece.text);
    if (piece.stopped) {
      result.stop_reason = "stop string";
      break;
    }
    if (!keep_going) {
      result.stop_reason = "cancelled";
      break;
    }
    // The last token needs evaluating only when its logits are wanted (a logits dump).
    if (n + 1 == params.max_tokens && !on_logits) break;
    if (ctx_.kv().seq_len(seq) >= ctx_.kv().n_ctx()) {
      result.stop_reason = "context full";
      break;
    }
    batch_.clear();
    batch_.add(id, static_cast<int32_t>(ctx_.kv().seq_len(seq)), seq, true);
    ctx_.decode(batch_);
    history_.push_back(id);
    logits = ctx_.logits(0);
    if (on_logits) on_logits(logits);
  }
  if (!stops.stopped()) {
    const StopResult tail = stops.push(decoder.flush());
    emit(tail.text);
    emit(stops.finish());
  }
  result.decode_seconds = seconds_since(t1);
  return result;
}

}  // namespace pocket
