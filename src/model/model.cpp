#include "model/model.h"

#include <set>

#include "core/error.h"
#include "kernels/ref/dequant.h"

namespace pocket {

const TensorView* Model::add_tensor(TensorView view) {
  tensors_.push_back(std::move(view));
  return &tensors_.back();
}

const TensorView* Model::add_f32_copy(const TensorView& view) {
  auto& buf = owned_.emplace_back(static_cast<size_t>(view.n_elements()));
  const int64_t row = view.ne[0];
  for (int64_t r = 0; r < view.n_rows(); ++r) {
    dequantize_row(view.type, view.row(r), buf.data() + r * row, row);
  }
  TensorView copy = view;
  copy.type = DType::kF32;
  copy.data = buf.data();
  copy.nbytes = buf.size() * sizeof(float);
  return add_tensor(std::move(copy));
}

void Model::replace_tensor_data(const TensorView* t, DType type, const void* data,
                                std::shared_ptr<const void> storage) {
  for (TensorView& v : tensors_) {
    if (&v != t) continue;
    v.type = type;
    v.data = data;
    v.nbytes = v.row_nbytes() * static_cast<uint64_t>(v.n_rows());
    keep_alive(std::move(storage));
    return;
  }
  fail(ErrorCode::kInternal, "tensor '", t->name, "' is not one of this model's");
}

uint64_t Model::n_params() const {
  std::set<const TensorView*> seen;  // a tied output is counted once
  uint64_t n = 0;
  auto count = [&](const TensorView* t) {
    if (t && seen.insert(t).second) n += static_cast<uint64_t>(t->n_elements());
  };
  count(weights_.tok_embd);
  count(weights_.output_norm);
  count(weights_.output);
  for (const auto& l : weights_.layers) {
    for (const TensorView* t : {l.attn_norm, l.wq, l.wk, l.wv, l.wo, l.bq, l.bk, l.bv, l.ffn_norm,
                                l.w_gate, l.w_up, l.w_down}) {
      count(t);
    }
  }
  return n;
}

uint64_t Model::weight_bytes() const {
  uint64_t n = 0;
  for (const auto& t : tensors_) n += t.nbytes;
  return n;
}

}  // namespace pocket
