#include "runtime/context.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "kernels/gemm.h"
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

void add_bias(float* row, int64_t width, const TensorView* bias) {
  if (bias) ref::add_inplace(row, static_cast<const float*>(bias->data), width);
}

// Floats of the arena per token: x, xn, attn and q (q_dim), k and v, gate and up, rope cos/sin.
int64_t arena_floats_per_token(const ModelSpec& s) {
  const int64_t q_dim = s.n_head * s.head_dim;
  const int64_t kv_dim = s.n_head_kv * s.head_dim;
  return 2 * s.n_embd + 2 * q_dim + 2 * kv_dim + 2 * s.n_ff + s.head_dim;
}

int64_t checked_batch(int64_t n_batch) {
  POCKET_CHECK(n_batch > 0 && n_batch <= 65536, ErrorCode::kInvalidArgument,
               "batch size must be 1..65536, got ", n_batch);
  return n_batch;
}

}  // namespace

int64_t Context::resolved_ctx(const ModelSpec& spec, const ContextParams& params) {
  return resolve_ctx(spec, params.n_ctx);
}

uint64_t Context::scratch_bytes(const ModelSpec& spec, const ContextParams& params) {
  const auto per_token = static_cast<uint64_t>(arena_floats_per_token(spec));
  return (per_token * static_cast<uint64_t>(checked_batch(params.n_batch)) +
          static_cast<uint64_t>(spec.n_vocab)) *
         sizeof(float);
}

Context::Context(const Model& model, ContextParams params)
    : model_(model),
      spec_(model.spec()),
      pool_(resolve_threads(params.n_threads)),
      kv_(model.spec(), resolve_ctx(model.spec(), params.n_ctx), params.n_seq_max, params.kv_type),
      inv_freq_(model.spec().rope_inv_freq()),
      n_batch_(checked_batch(params.n_batch)),
      streamer_(params.streamer),
      fast_math_(params.fast_math) {
  const int64_t n = n_batch_;
  const int64_t q_dim = spec_.n_head * spec_.head_dim;
  const int64_t kv_dim = spec_.n_head_kv * spec_.head_dim;
  // new float[] leaves the pages untouched: only what batches use becomes resident.
  arena_.reset(new float[static_cast<size_t>(n * arena_floats_per_token(spec_))]);
  float* next = arena_.get();
  auto carve = [&](int64_t width) {
    float* p = next;
    next += n * width;
    return p;
  };
  x_ = carve(spec_.n_embd);
  xn_ = carve(spec_.n_embd);
  q_ = carve(q_dim);
  attn_ = carve(q_dim);
  k_ = carve(kv_dim);
  v_ = carve(kv_dim);
  gate_ = carve(spec_.n_ff);
  up_ = carve(spec_.n_ff);
  rope_cos_ = carve(spec_.head_dim / 2);
  rope_sin_ = carve(spec_.head_dim / 2);
  logits_.reserve(static_cast<size_t>(spec_.n_vocab));
  out_rows_.reserve(static_cast<size_t>(n));
  next_pos_.resize(static_cast<size_t>(kv_.n_seq_max()));
}

void Context::validate(const Batch& b) {
  const size_t n = b.tokens.size();
  POCKET_CHECK(n > 0, ErrorCode::kInvalidArgument, "the batch is empty");
  POCKET_CHECK(b.positions.size() == n && b.seq_ids.size() == n && b.want_logits.size() == n,
               ErrorCode::kInvalidArgument, "batch arrays differ in length");
  POCKET_CHECK(static_cast<int64_t>(n) <= n_batch_, ErrorCode::kInvalidArgument, "the batch has ",
               n, " tokens but this context takes at most ", n_batch_,
               " per call (ContextParams::n_batch)");
  std::vector<int64_t>& next = next_pos_;
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

// Element-wise work over the batch's tokens goes to the pool once there is enough of it to pay
// for a wake-up (a single decode token's row ops are cheaper inline).
void Context::for_tokens(int64_t n, int64_t width, FunctionRef<void(int64_t)> fn) {
  if (n * width < 16384 || n == 1) {
    for (int64_t t = 0; t < n; ++t) fn(t);
    return;
  }
  pool_.parallel_for(n, [&](int, int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) fn(t);
  });
}

// cos and sin of every rotation angle of every token's position, computed once per batch and
// shared by all heads of all layers (the same double-precision angles as ref::rope).
void Context::fill_rope_tables(const Batch& b) {
  const int64_t half = spec_.head_dim / 2;
  const int64_t n = static_cast<int64_t>(b.size());
  for (int64_t t = 0; t < n; ++t) {
    const double pos = static_cast<double>(b.positions[static_cast<size_t>(t)]);
    for (int64_t i = 0; i < half; ++i) {
      const double angle = pos * static_cast<double>(inv_freq_[static_cast<size_t>(i)]);
      rope_cos_[static_cast<size_t>(t * half + i)] = static_cast<float>(std::cos(angle));
      rope_sin_[static_cast<size_t>(t * half + i)] = static_cast<float>(std::sin(angle));
    }
  }
}

void Context::decode(const Batch& b) {
  validate(b);
  const auto& w = model_.weights();
  const KernelSet& ks = active_kernels();
  // fast_math: the cheaper exp in SiLU and the attention softmax (ContextParams::fast_math).
  const SiluMulFn silu_mul = fast_math_ ? ks.silu_mul_fast : ks.silu_mul;
  AttentionOptions attn_opts;
  attn_opts.exp = fast_math_ ? ks.exp_fast : ks.exp;
  const int64_t n = static_cast<int64_t>(b.size());
  const int64_t d = spec_.n_embd;
  const int64_t hd = spec_.head_dim;
  const int64_t q_dim = spec_.n_head * hd;
  const int64_t kv_dim = spec_.n_head_kv * hd;
  const int64_t ff = spec_.n_ff;

  for (size_t i = 0; i < b.size(); ++i) kv_.reserve(b.seq_ids[i], b.positions[i] + 1);
  fill_rope_tables(b);

  for (int64_t t = 0; t < n; ++t)
    get_row_f32(*w.tok_embd, b.tokens[static_cast<size_t>(t)], &x_[t * d]);

  for (int64_t l = 0; l < spec_.n_layer; ++l) {
    const LayerWeights& lw =
        streamer_ ? streamer_->begin_layer(l) : w.layers[static_cast<size_t>(l)];
    const auto* attn_norm = static_cast<const float*>(lw.attn_norm->data);
    for_tokens(n, d, [&](int64_t t) {
      ref::rms_norm(&x_[t * d], attn_norm, &xn_[t * d], d, spec_.rms_eps);
    });
    if (observer_) observer_->observe(l, LinearInput::kAttnIn, xn_, n, d);
    const MatmulOutput qkv[] = {{lw.wq, q_, q_dim}, {lw.wk, k_, kv_dim}, {lw.wv, v_, kv_dim}};
    matmul_many(qkv, xn_, d, n, pool_);
    for_tokens(n, q_dim + 2 * kv_dim, [&](int64_t t) {
      float* q = &q_[t * q_dim];
      float* k = &k_[t * kv_dim];
      float* v = &v_[t * kv_dim];
      add_bias(q, q_dim, lw.bq);
      add_bias(k, kv_dim, lw.bk);
      add_bias(v, kv_dim, lw.bv);
      const float* c = &rope_cos_[static_cast<size_t>(t * (hd / 2))];
      const float* s = &rope_sin_[static_cast<size_t>(t * (hd / 2))];
      for (int64_t h = 0; h < spec_.n_head; ++h)
        ref::rope_table(q + h * hd, hd, c, s, spec_.rope_style);
      for (int64_t h = 0; h < spec_.n_head_kv; ++h)
        ref::rope_table(k + h * hd, hd, c, s, spec_.rope_style);
      const size_t i = static_cast<size_t>(t);
      kv_.write(b.seq_ids[i], l, b.positions[i], k, v);
    });
    attention(spec_, b, l, kv_, q_, attn_, pool_, attn_opts);
    if (observer_) observer_->observe(l, LinearInput::kAttnOut, attn_, n, q_dim);
    matmul(*lw.wo, attn_, q_dim, n, xn_, d, pool_);
    ref::add_inplace(x_, xn_, n * d);

    const auto* ffn_norm = static_cast<const float*>(lw.ffn_norm->data);
    for_tokens(n, d, [&](int64_t t) {
      ref::rms_norm(&x_[t * d], ffn_norm, &xn_[t * d], d, spec_.rms_eps);
    });
    if (observer_) observer_->observe(l, LinearInput::kFfnIn, xn_, n, d);
    const MatmulOutput gate_up[] = {{lw.w_gate, gate_, ff}, {lw.w_up, up_, ff}};
    matmul_many(gate_up, xn_, d, n, pool_);
    for_tokens(n, ff,
               [&](int64_t t) { silu_mul(&gate_[t * ff], &up_[t * ff], &gate_[t * ff], ff); });
    if (observer_) observer_->observe(l, LinearInput::kFfnDown, gate_, n, ff);
    matmul(*lw.w_down, gate_, ff, n, xn_, d, pool_);
    ref::add_inplace(x_, xn_, n * d);
  }

  // The final norm and the output projection only for the tokens that asked for logits.
  out_rows_.clear();
  for (int64_t t = 0; t < n; ++t) {
    if (b.want_logits[static_cast<size_t>(t)]) out_rows_.push_back(t);
  }
  n_outputs_ = static_cast<int>(out_rows_.size());
  const auto* out_norm = static_cast<const float*>(w.output_norm->data);
  for (size_t i = 0; i < out_rows_.size(); ++i) {
    ref::rms_norm(&x_[out_rows_[i] * d], out_norm, &xn_[static_cast<int64_t>(i) * d], d,
                  spec_.rms_eps);
  }
  logits_.resize(out_rows_.size() * static_cast<size_t>(spec_.n_vocab));
  if (!out_rows_.empty()) {
    if (observer_) observer_->observe(-1, LinearInput::kOutput, xn_, n_outputs_, d);
    const TensorView& output = streamer_ ? streamer_->begin_output() : *w.output;
    matmul(output, xn_, d, n_outputs_, logits_.data(), spec_.n_vocab, pool_);
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
