#include "model/weight_binding.h"

#include <vector>

#include "core/error.h"

namespace pocket {
namespace {

class Binder {
 public:
  Binder(Model& model, const TensorLookup& lookup, const std::string& origin,
         const NameDisplay& display)
      : model_(model), lookup_(lookup), origin_(origin), display_(display) {}

  // A 2-D weight matrix of ne = [cols, rows]; stays where it is (mapped).
  const TensorView* matrix(const std::string& name, int64_t cols, int64_t rows) {
    const TensorView* t = require(name);
    check_shape(*t, {cols, rows});
    check_computable(*t);
    return model_.add_tensor(*t);
  }

  // A 1-D vector (norm weight, bias); converted to f32 once.
  const TensorView* vector(const std::string& name, int64_t n, bool optional = false) {
    const TensorView* t = lookup_(name);
    if (!t) {
      if (optional) return nullptr;
      missing(name);
    }
    check_shape(*t, {n});
    check_computable(*t);
    return model_.add_f32_copy(*t);
  }

  const TensorView* find(const std::string& name) { return lookup_(name); }

 private:
  const TensorView* require(const std::string& name) {
    const TensorView* t = lookup_(name);
    if (!t) missing(name);
    return t;
  }

  [[noreturn]] void missing(const std::string& name) {
    fail(ErrorCode::kFormat, origin_, ": missing tensor '", display_ ? display_(name) : name, "' needed by ",
         arch_name(model_.spec().arch));
  }

  void check_shape(const TensorView& t, std::vector<int64_t> expected) {
    bool ok = t.n_dims == expected.size() ||
              (t.n_dims > expected.size() && t.ne[expected.size()] == 1);
    for (size_t i = 0; ok && i < expected.size(); ++i) ok = t.ne[i] == expected[i];
    // Every later dim must be 1 too, not just the first: [cols, rows, 1, 2] is not a matrix.
    for (size_t i = expected.size(); ok && i < t.ne.size(); ++i) ok = t.ne[i] == 1;
    if (!ok) {
      std::string want = "[";
      for (size_t i = 0; i < expected.size(); ++i) want += (i ? ", " : "") + std::to_string(expected[i]);
      fail(ErrorCode::kFormat, origin_, ": tensor '", t.name, "' has shape ", shape_string(t),
           ", expected ", want, "] (GGUF order: row length first)");
    }
  }

  void check_computable(const TensorView& t) {
    const DTypeInfo info = dtype_info(t.type);
    POCKET_CHECK(info.dequantizable, ErrorCode::kUnsupported, origin_, ": tensor '", t.name,
                 "' has type ", info.name, ", which this engine cannot compute with");
  }

  Model& model_;
  const TensorLookup& lookup_;
  const std::string& origin_;
  const NameDisplay& display_;
};

}  // namespace

void bind_weights(Model& model, const TensorLookup& lookup, const std::string& origin,
                  const NameDisplay& display_name) {
  const ModelSpec& s = model.spec();
  Binder b(model, lookup, origin, display_name);
  ModelWeights& w = model.mutable_weights();
  const int64_t q_dim = s.n_head * s.head_dim;
  const int64_t kv_dim = s.n_head_kv * s.head_dim;

  w.tok_embd = b.matrix("token_embd.weight", s.n_embd, s.n_vocab);
  w.output_norm = b.vector("output_norm.weight", s.n_embd);
  if (s.tied_output || !b.find("output.weight")) {
    w.output = w.tok_embd;  // llama.cpp also falls back to the embedding when output is absent
  } else {
    w.output = b.matrix("output.weight", s.n_embd, s.n_vocab);
  }
  // Grown layer by layer, not sized up front: a file claiming 2^31 layers must fail on its first
  // missing tensor, not allocate for all of them first.
  w.layers.clear();
  for (int64_t i = 0; i < s.n_layer; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    LayerWeights& l = w.layers.emplace_back();
    l.attn_norm = b.vector(p + "attn_norm.weight", s.n_embd);
    l.wq = b.matrix(p + "attn_q.weight", s.n_embd, q_dim);
    l.wk = b.matrix(p + "attn_k.weight", s.n_embd, kv_dim);
    l.wv = b.matrix(p + "attn_v.weight", s.n_embd, kv_dim);
    l.wo = b.matrix(p + "attn_output.weight", q_dim, s.n_embd);
    const bool need_bias = s.attn_qkv_bias;
    l.bq = b.vector(p + "attn_q.bias", q_dim, !need_bias);
    l.bk = b.vector(p + "attn_k.bias", kv_dim, !need_bias);
    l.bv = b.vector(p + "attn_v.bias", kv_dim, !need_bias);
    l.ffn_norm = b.vector(p + "ffn_norm.weight", s.n_embd);
    l.w_gate = b.matrix(p + "ffn_gate.weight", s.n_embd, s.n_ff);
    l.w_up = b.matrix(p + "ffn_up.weight", s.n_embd, s.n_ff);
    l.w_down = b.matrix(p + "ffn_down.weight", s.n_ff, s.n_embd);
  }
}

}  // namespace pocket
