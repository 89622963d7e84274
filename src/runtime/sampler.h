// Picks the next token from a row of logits: repetition penalties, then top-k, softmax with
// temperature, top-p and min-p, then a seeded draw that is the same on every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/sampler_rng.h"

namespace pocket {

// Fixed so that two runs with default settings agree; give a fresh seed for varied outputs.
inline constexpr uint64_t kDefaultSamplerSeed = 0x5eedULL;

struct SamplingParams {
  float temperature = 0.8f;     // <= 0: greedy (argmax, ties to the lowest id)
  int top_k = 40;               // 0 (or >= n_vocab): off
  float top_p = 0.95f;          // in [0, 1]; 1: off
  float min_p = 0.05f;          // in [0, 1]; keeps tokens with p >= min_p * p_max; 0: off
  float repeat_penalty = 1.0f;  // > 0; 1: off
  int repeat_last_n = 64;       // how many recent accepted tokens the penalties look at; 0: off
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  uint64_t seed = kDefaultSamplerSeed;
};

// Throws Error(kInvalidArgument) naming the first bad field and its value.
void validate_sampling_params(const SamplingParams& params);

struct TokenProb {
  int32_t id;
  float p;
};

// Semantics, in order:
//  1. Penalties (llama.cpp's) for each token seen c > 0 times among the last repeat_last_n
//     accepted: a logit > 0 is divided by repeat_penalty, one <= 0 multiplied by it; then
//     c * frequency_penalty + presence_penalty is subtracted.
//  2. Greedy if temperature <= 0. Otherwise keep the top_k best logits (ties: lower id first).
//  3. Softmax of logit / temperature over those.
//  4. top-p: the smallest best-first prefix whose probability reaches top_p (at least one token).
//  5. min-p: drop tokens with p < min_p * p_max.
//  6. Draw one of the rest in proportion to its probability.
// Temperature comes before top-p and min-p here (llama.cpp's default chain applies it last), so
// a high temperature widens the nucleus. Tokens with logit -inf are never drawn. NaN or +inf
// logits are refused with an error rather than sampled into nonsense.
//
// Cost (152k vocabulary, x86-64 -O3, default params): about 60 us a call on a loaded 2-core
// machine. A vectorized pass finds the maximum and refuses NaN; top-k is a linear-time selection
// that skips most of the vocabulary with vector comparisons; a copy of the logits is made only
// when penalties apply. With top_k off, every token gets an exp() and top-p sorts a growing
// best prefix rather than the whole vocabulary (about 1-5 ms). Scratch buffers are kept, so
// calls after the first allocate nothing.
class Sampler {
 public:
  Sampler(SamplingParams params, int n_vocab);

  int32_t sample(std::span<const float> logits);
  // The distribution sample() draws from: kept tokens and their probabilities (summing to 1),
  // best first (in id order when no truncation is on, to avoid sorting). Valid until the next call.
  std::span<const TokenProb> distribution(std::span<const float> logits);

  // Records a token of the sequence (generated or prompt) for the penalties.
  void accept(int32_t token);
  // Forgets the history and restarts the random sequence from the seed.
  void reset();

  const SamplingParams& params() const { return params_; }
  int n_vocab() const { return n_vocab_; }

 private:
  struct Candidate {
    int32_t id;
    float logit;
    float weight;  // exp((logit - max) / temperature), unnormalized probability
  };

  // Penalized logits (the input itself when penalties are off); checks size and values.
  std::span<const float> prepare_logits(std::span<const float> logits);
  int32_t argmax(std::span<const float> logits) const;
  // Fills cand_ with the kept tokens and their weights; returns the sum of kept weights.
  double build_candidates(std::span<const float> logits);
  void select_top_k(std::span<const float> logits, size_t k);
  // Sorts the best-first prefix of cand_ that reaches `target` weight; returns its length, or 0
  // if the whole set does not reach it.
  size_t top_p_count(double target);

  SamplingParams params_;
  int n_vocab_;
  bool penalties_on_;
  SamplerRng rng_;
  float max_logit_ = 0.0f;

  std::vector<int32_t> history_;  // ring of the last repeat_last_n accepted tokens
  size_t history_next_ = 0;
  std::vector<uint32_t> counts_;  // occurrences of each token in history_
  std::vector<float> penalized_;  // scratch: logits after penalties
  std::vector<Candidate> cand_;   // scratch
  std::vector<TokenProb> probs_;  // scratch: distribution() result
};

}  // namespace pocket
