#include "runtime/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "runtime/sampler_scan.h"

namespace pocket {
namespace {

constexpr float kNegInf = -std::numeric_limits<float>::infinity();
// Far beyond any context length; a bigger value is a mistake (INT_MAX would allocate 8 GB).
constexpr int kMaxRepeatLastN = 1 << 20;

// The order of candidates: higher logit first, then lower id. A total order, so the kept set and
// its order do not depend on the selection algorithm or the standard library.
struct Better {
  template <typename C>
  bool operator()(const C& a, const C& b) const {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  }
};

// NaN fails every comparison; +inf would turn the softmax into NaN. -inf is a masked token.
bool is_invalid(float x) {
  return !(x <= std::numeric_limits<float>::max()) && x != kNegInf;
}

void check_finite(float value, const char* name) {
  POCKET_CHECK(std::isfinite(value), ErrorCode::kInvalidArgument, "sampling: ", name,
               " must be a finite number, got ", value);
}

void check_unit(float value, const char* name) {
  POCKET_CHECK(value >= 0.0f && value <= 1.0f, ErrorCode::kInvalidArgument, "sampling: ", name,
               " must be in [0, 1], got ", value);
}

}  // namespace

void validate_sampling_params(const SamplingParams& p) {
  check_finite(p.temperature, "temperature");
  POCKET_CHECK(p.top_k >= 0, ErrorCode::kInvalidArgument,
               "sampling: top_k must be >= 0 (0 turns it off), got ", p.top_k);
  check_unit(p.top_p, "top_p");
  check_unit(p.min_p, "min_p");
  check_finite(p.repeat_penalty, "repeat_penalty");
  POCKET_CHECK(p.repeat_penalty > 0.0f, ErrorCode::kInvalidArgument,
               "sampling: repeat_penalty must be > 0 (1 turns it off), got ", p.repeat_penalty);
  POCKET_CHECK(p.repeat_last_n >= 0 && p.repeat_last_n <= kMaxRepeatLastN,
               ErrorCode::kInvalidArgument, "sampling: repeat_last_n must be in [0, ",
               kMaxRepeatLastN, "] (0 turns penalties off), got ", p.repeat_last_n);
  check_finite(p.presence_penalty, "presence_penalty");
  check_finite(p.frequency_penalty, "frequency_penalty");
}

Sampler::Sampler(SamplingParams params, int n_vocab)
    : params_(params), n_vocab_(n_vocab), rng_(params.seed) {
  validate_sampling_params(params_);
  POCKET_CHECK(n_vocab > 0, ErrorCode::kInvalidArgument, "sampler: n_vocab must be > 0, got ",
               n_vocab);
  penalties_on_ = params_.repeat_last_n > 0 &&
                  (params_.repeat_penalty != 1.0f || params_.presence_penalty != 0.0f ||
                   params_.frequency_penalty != 0.0f);
  const auto n = static_cast<size_t>(n_vocab);
  if (penalties_on_) {
    history_.reserve(static_cast<size_t>(params_.repeat_last_n));
    counts_.assign(n, 0);
    penalized_.resize(n);
  }
  // Everything a call can need, up front: later calls never allocate.
  if (params_.temperature > 0.0f) {
    const auto k = static_cast<size_t>(params_.top_k);
    const bool top_k_on = k > 0 && k < n;
    cand_.reserve(top_k_on ? std::min(2 * k, n) : n);
    probs_.reserve(top_k_on ? k : n);
  }
}

void Sampler::accept(int32_t token) {
  POCKET_CHECK(token >= 0 && token < n_vocab_, ErrorCode::kInvalidArgument, "sampler: token ",
               token, " is outside the vocabulary [0, ", n_vocab_, ")");
  if (!penalties_on_) return;
  const auto window = static_cast<size_t>(params_.repeat_last_n);
  if (history_.size() < window) {
    history_.push_back(token);
  } else {
    --counts_[static_cast<size_t>(history_[history_next_])];
    history_[history_next_] = token;
    history_next_ = (history_next_ + 1) % window;
  }
  ++counts_[static_cast<size_t>(token)];
}

void Sampler::reset() {
  for (int32_t t : history_) counts_[static_cast<size_t>(t)] = 0;
  history_.clear();
  history_next_ = 0;
  rng_.seed_with(params_.seed);
}

std::span<const float> Sampler::prepare_logits(std::span<const float> logits) {
  POCKET_CHECK(logits.size() == static_cast<size_t>(n_vocab_), ErrorCode::kInvalidArgument,
               "sampler: got ", logits.size(), " logits for a vocabulary of ", n_vocab_);
  std::span<const float> out = logits;
  if (penalties_on_ && !history_.empty()) {
    std::copy(logits.begin(), logits.end(), penalized_.begin());
    // Recomputed from the input, so a token that appears several times is penalized once.
    for (int32_t t : history_) {
      const auto i = static_cast<size_t>(t);
      const float x = logits[i];
      float y = x <= 0.0f ? x * params_.repeat_penalty : x / params_.repeat_penalty;
      y -= static_cast<float>(counts_[i]) * params_.frequency_penalty + params_.presence_penalty;
      penalized_[i] = y;
    }
    out = penalized_;
  }
  const sampler_scan::LogitScan scan = sampler_scan::scan_logits(out);
  if (scan.invalid) {
    for (size_t i = 0; i < out.size(); ++i) {
      if (is_invalid(out[i])) {
        fail(ErrorCode::kInvalidArgument, "sampler: logit of token ", i, " is ", out[i],
             "; the model produced invalid numbers");
      }
    }
  }
  POCKET_CHECK(scan.max != kNegInf, ErrorCode::kInvalidArgument,
               "sampler: every logit is -inf, no token can be chosen");
  max_logit_ = scan.max;
  return out;
}

int32_t Sampler::argmax(std::span<const float> logits) const {
  // prepare_logits found the maximum; the first token holding it wins ties.
  return static_cast<int32_t>(sampler_scan::find_first_equal(logits, max_logit_));
}

void Sampler::select_top_k(std::span<const float> logits, size_t k) {
  // Keep every logit above a threshold in a buffer of up to 2k; when it fills, cut it back to its
  // k best and raise the threshold to the k-th: linear time with cheap appends (a heap's pops cost
  // more once k is in the hundreds). Most blocks of a large vocabulary hold nothing above the
  // threshold, which one vector comparison per element shows. Ties: a later token with the k-th
  // logit has a higher id, so it loses to all kept ones; hence `>`.
  const Better better;
  float threshold = kNegInf;  // -inf tokens never qualify
  const auto cut_to_k = [&] {
    std::nth_element(cand_.begin(), cand_.begin() + static_cast<ptrdiff_t>(k - 1), cand_.end(),
                     better);
    cand_.resize(k);
    threshold = cand_[k - 1].logit;
  };
  const auto consider = [&](size_t i) {
    const float x = logits[i];
    if (!(x > threshold)) return;
    cand_.push_back({static_cast<int32_t>(i), x, 0.0f});
    if (cand_.size() == 2 * k) cut_to_k();
  };
  constexpr size_t kBlock = sampler_scan::kBlock;
  const size_t n = logits.size();
  size_t i = 0;
  for (; i + kBlock <= n; i += kBlock) {
    if (!sampler_scan::any_greater(logits.data() + i, threshold)) continue;
    for (size_t j = 0; j < kBlock; ++j) consider(i + j);
  }
  for (; i < n; ++i) consider(i);
  if (cand_.size() > k) cut_to_k();
  std::sort(cand_.begin(), cand_.end(), better);
}

size_t Sampler::top_p_count(double target) {
  // The best-first prefix whose weight reaches target; 0 if all candidates do not.
  const auto reaching = [&](size_t end) -> size_t {
    double cum = 0.0;
    for (size_t i = 0; i < end; ++i) {
      cum += cand_[i].weight;
      if (cum >= target) return i + 1;
    }
    return 0;
  };
  // Candidates are unsorted only when top-k is off; the nucleus is then usually a few hundred
  // tokens of 152k, so sort a growing best prefix instead of everything.
  size_t m = std::min<size_t>(cand_.size(), 256);
  for (;;) {
    if (m < cand_.size()) std::nth_element(cand_.begin(), cand_.begin() + m, cand_.end(), Better());
    std::sort(cand_.begin(), cand_.begin() + m, Better());
    if (const size_t keep = reaching(m)) return keep;
    if (m == cand_.size()) return 0;
    m = std::min(cand_.size(), m * 8);
  }
}

double Sampler::build_candidates(std::span<const float> logits) {
  cand_.clear();
  const size_t n = logits.size();
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < n) {
    select_top_k(logits, static_cast<size_t>(params_.top_k));
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (logits[i] != kNegInf) cand_.push_back({static_cast<int32_t>(i), logits[i], 0.0f});
    }
  }

  // Softmax weights relative to the best token (weight 1), so nothing overflows.
  // Divided, not multiplied by 1/T: with a tiny T, 1/T is inf and 0 * inf would be NaN.
  double total = 0.0;
  for (Candidate& c : cand_) {
    c.weight = std::exp((c.logit - max_logit_) / params_.temperature);
    total += c.weight;
  }

  // min-p and top-p each keep a best-first prefix, so applying min-p first (it is cheap and
  // shrinks the set to sort) gives the same result as top-p then min-p, provided top-p still
  // measures against the total of all candidates.
  if (params_.min_p > 0.0f) {
    const float floor = params_.min_p;  // p / p_max == weight, as p_max has weight 1
    std::erase_if(cand_, [floor](const Candidate& c) { return c.weight < floor; });
  }
  if (params_.top_p < 1.0f) {
    const size_t keep = top_p_count(static_cast<double>(params_.top_p) * total);
    if (keep > 0) cand_.resize(keep);
  }

  double kept = 0.0;
  for (const Candidate& c : cand_) kept += c.weight;
  return kept;
}

std::span<const TokenProb> Sampler::distribution(std::span<const float> logits) {
  const std::span<const float> l = prepare_logits(logits);
  probs_.clear();
  if (params_.temperature <= 0.0f) {
    probs_.push_back({argmax(l), 1.0f});
    return probs_;
  }
  const double kept = build_candidates(l);
  for (const Candidate& c : cand_) {
    probs_.push_back({c.id, static_cast<float>(c.weight / kept)});
  }
  return probs_;
}

int32_t Sampler::sample(std::span<const float> logits) {
  const std::span<const float> l = prepare_logits(logits);
  if (params_.temperature <= 0.0f) return argmax(l);
  const double kept = build_candidates(l);
  const double target = rng_.uniform() * kept;
  double cum = 0.0;
  int32_t last_positive = cand_.front().id;  // the best token always has weight 1
  for (const Candidate& c : cand_) {
    if (c.weight <= 0.0f) continue;
    cum += c.weight;
    last_positive = c.id;
    if (target < cum) return c.id;
  }
  return last_positive;  // target rounded up to the total: the last token that can be drawn
}

}  // namespace pocket
