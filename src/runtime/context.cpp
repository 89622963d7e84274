#include "runtime/context.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/matmul.h"
#include "kernels/ref/ops.h"
#include "runtime/attention.h"

namespace pocket {
namespace {

int resolve_threads(int n) {
  return n > 0 ? n : ThreadPool::default_threads();
}

int64_t resolve_ctx(const ModelSpec& s, int64_t n_ctx) {
  if (n_ctx > 0) return n_ctx;
  return std::min<int64_t>(s.n_ctx_train > 0 ? s.n_ctx_train : 4096, 4096);
}

void add_bias(float* rows, int64_t n_rows, int64_t width, const TensorView* bias) {
  if (!bias) return;
  const auto* b = static_cast<const float*>(bias->data);
  for (int64_t t = 0; t < n_rows; ++t) ref::add_inplace(rows + t * width, b, width);
}

}  // namespace

Context::Context(const Model& model, ContextParams params)
    : model_(model),
      spec_(model.spec()),
      pool_(resolve_threads(params.n_threads)),
      kv_(model.spec(), resolve_ctx(model.spec(), params.n_ctx), params.n_seq_max),
      inv_freq_(model.spec().rope_inv_freq()) {}

void Context::validate(const Batch& b) const {
  const size_t n = b.tokens.size();
  POCKET_CHECK(n > 0, ErrorCode::kInvalidArgument, "the batch is empty");
  POCKET_CHECK(b.positions.size() == n && b.seq_ids.size() == n && b.want_logits.size() == n,
               ErrorCode::kInvalidArgument, "batch arrays differ in length");
  std::vector<int64_t> next(static_cast<size_t>(kv_.n_seq_max()));
  for (int s = 0; s < kv_.n_seq_max(); ++s) next[static_cast<size_t>(s)] = kv_.seq_len(s);
  for (size_t i = 0; i < n; ++i) {
    const int32_t tok = b.tokens[i];
    const int32_t seq = b.seq_ids[i];
    POCKET_CHECK(tok >= 0 && tok < spec_.n_vocab, ErrorCode::kInvalidArgument, "batch entry ", i,
                 ": token id ", tok, " is outside the vocabulary (0..", spec_.n_vocab - 1, ")");
    POCKET_CHECK(seq >= 0 && seq < kv_.n_seq_max(), ErrorCode::kInvalidArgument, "batch entry ", i,
                 ": sequence id ", seq, " is outside 0..", kv_.n_seq_max() - 1);
    int64_t& expected = next[static_cast<size_t>(seq)];
    POCKET_CHECK(b.positions[i] == expected, ErrorCode::kInvalidArgument, "batch entry ", i,
                 ": position ", b.positions[i], " of sequence ", seq, " should be ", expected,
                 " (positions must continue the sequence; truncate the cache to rewind)");
    POCKET_CHECK(expected < kv_.n_ctx(), ErrorCode::kOutOfRange, "batch entry ", i, ": sequence ",
                 seq, " is full (context ", kv_.n_ctx(), ")");
    ++expected;
  }
}

void Context::decode(const Batch& b) {
  validate(b);
  const auto& w = model_.weights();
  const int64_t n = static_cast<int64_t>(b.size());
  const int64_t d = spec_.n_embd;
  const int64_t q_dim = spec_.n_head * spec_.head_dim;
  const int64_t kv_dim = spec_.n_head_kv * spec_.head_dim;
  const int64_t ff = spec_.n_ff;

  for (size_t i = 0; i < b.size(); ++i) kv_.reserve(b.seq_ids[i], b.positions[i] + 1);
  auto sized = [n](std::vector<float>& v, int64_t width) {
    v.resize(static_cast<size_t>(n * width));
  };
  sized(x_, d);
  sized(xn_, d);
  sized(q_, q_dim);
  sized(k_, kv_dim);
  sized(v_, kv_dim);
  sized(attn_, q_dim);
  sized(gate_, ff);
  sized(up_, ff);

  for (int64_t t = 0; t < n; ++t)
    get_row_f32(*w.tok_embd, b.tokens[static_cast<size_t>(t)], &x_[t * d]);

  for (int64_t l = 0; l < spec_.n_layer; ++l) {
    const LayerWeights& lw = w.layers[static_cast<size_t>(l)];
    const auto* attn_norm = static_cast<const float*>(lw.attn_norm->data);
    for (int64_t t = 0; t < n; ++t)
      ref::rms_norm(&x_[t * d], attn_norm, &xn_[t * d], d, spec_.rms_eps);
    if (observer_) observer_->observe(l, LinearInput::kAttnIn, xn_.data(), n, d);
    matmul(*lw.wq, xn_.data(), d, n, q_.data(), q_dim, pool_);
    matmul(*lw.wk, xn_.data(), d, n, k_.data(), kv_dim, pool_);
    matmul(*lw.wv, xn_.data(), d, n, v_.data(), kv_dim, pool_);
    add_bias(q_.data(), n, q_dim, lw.bq);
    add_bias(k_.data(), n, kv_dim, lw.bk);
    add_bias(v_.data(), n, kv_dim, lw.bv);
    for (int64_t t = 0; t < n; ++t) {
      const int64_t pos = b.positions[static_cast<size_t>(t)];
      for (int64_t h = 0; h < spec_.n_head; ++h) {
        ref::rope(&q_[t * q_dim + h * spec_.head_dim], spec_.head_dim, pos, inv_freq_,
                  spec_.rope_style);
      }
      for (int64_t h = 0; h < spec_.n_head_kv; ++h) {
        ref::rope(&k_[t * kv_dim + h * spec_.head_dim], spec_.head_dim, pos, inv_freq_,
                  spec_.rope_style);
      }
      const int seq = b.seq_ids[static_cast<size_t>(t)];
      std::copy_n(&k_[t * kv_dim], kv_dim, kv_.k(seq, l, pos));
      std::copy_n(&v_[t * kv_dim], kv_dim, kv_.v(seq, l, pos));
    }
    attention(spec_, b, l, kv_, q_.data(), attn_.data(), pool_);
    if (observer_) observer_->observe(l, LinearInput::kAttnOut, attn_.data(), n, q_dim);
    matmul(*lw.wo, attn_.data(), q_dim, n, xn_.data(), d, pool_);
    ref::add_inplace(x_.data(), xn_.data(), n * d);

    const auto* ffn_norm = static_cast<const float*>(lw.ffn_norm->data);
    for (int64_t t = 0; t < n; ++t)
      ref::rms_norm(&x_[t * d], ffn_norm, &xn_[t * d], d, spec_.rms_eps);
    if (observer_) observer_->observe(l, LinearInput::kFfnIn, xn_.data(), n, d);
    matmul(*lw.w_gate, xn_.data(), d, n, gate_.data(), ff, pool_);
    matmul(*lw.w_up, xn_.data(), d, n, up_.data(), ff, pool_);
    ref::silu_mul(gate_.data(), up_.data(), gate_.data(), n * ff);
    if (observer_) observer_->observe(l, LinearInput::kFfnDown, gate_.data(), n, ff);
    matmul(*lw.w_down, gate_.data(), ff, n, xn_.data(), d, pool_);
    ref::add_inplace(x_.data(), xn_.data(), n * d);
  }

  // The final norm and the output projection only for the tokens that asked for logits.
  std::vector<int64_t> out_rows;
  for (int64_t t = 0; t < n; ++t) {
    if (b.want_logits[static_cast<size_t>(t)]) out_rows.push_back(t);
  }
  n_outputs_ = static_cast<int>(out_rows.size());
  const auto* out_norm = static_cast<const float*>(w.output_norm->data);
  for (size_t i = 0; i < out_rows.size(); ++i) {
    ref::rms_norm(&x_[out_rows[i] * d], out_norm, &xn_[static_cast<int64_t>(i) * d], d,
                  spec_.rms_eps);
  }
  logits_.resize(out_rows.size() * static_cast<size_t>(spec_.n_vocab));
  if (!out_rows.empty()) {
    if (observer_) observer_->observe(-1, LinearInput::kOutput, xn_.data(), n_outputs_, d);
    matmul(*w.output, xn_.data(), d, n_outputs_, logits_.data(), spec_.n_vocab, pool_);
  }
  for (size_t i = 0; i < b.size(); ++i) {
    const int seq = b.seq_ids[i];
    kv_.set_len(seq, std::max<int64_t>(kv_.seq_len(seq), b.positions[i] + 1));
  }
}

std::span<const float> Context::logits(int i) const {
  POCKET_CHECK(i >= 0 && i < n_outputs_, ErrorCode::kOutOfRange, "logits row ", i,
               " requested but the last batch produced ", n_outputs_);
  const size_t nv = static_cast<size_t>(spec_.n_vocab);
  return {logits_.data() + static_cast<size_t>(i) * nv, nv};
}

}  // namespace pocket
