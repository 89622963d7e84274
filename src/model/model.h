// A loaded model: its spec and views of its weights, which stay in the mapped file(s) where they
// can; small 1-D tensors (norms, biases) are converted to f32 copies owned here.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "model/model_spec.h"

namespace pocket {

struct LayerWeights {
  const TensorView* attn_norm = nullptr;
  const TensorView* wq = nullptr;
  const TensorView* wk = nullptr;
  const TensorView* wv = nullptr;
  const TensorView* wo = nullptr;
  const TensorView* bq = nullptr;  // biases: qwen2 only
  const TensorView* bk = nullptr;
  const TensorView* bv = nullptr;
  const TensorView* ffn_norm = nullptr;
  const TensorView* w_gate = nullptr;
  const TensorView* w_up = nullptr;
  const TensorView* w_down = nullptr;
};

struct ModelWeights {
  const TensorView* tok_embd = nullptr;
  const TensorView* output_norm = nullptr;
  const TensorView* output = nullptr;  // == tok_embd when tied
  std::vector<LayerWeights> layers;
};

enum class ModelFormat { kGguf, kHuggingFace };

class Model {
 public:
  Model(ModelSpec spec, ModelFormat format, std::string source)
      : spec_(std::move(spec)), format_(format), source_(std::move(source)) {}

  const ModelSpec& spec() const { return spec_; }
  const ModelWeights& weights() const { return weights_; }
  ModelFormat format() const { return format_; }
  const std::string& source() const { return source_; }
  uint64_t n_params() const;
  uint64_t weight_bytes() const;  // bytes of weight data as stored (what decode streams)

  // --- used by the loaders ---
  // Keeps an object (a mapped file, a parsed header) alive as long as the model.
  void keep_alive(std::shared_ptr<const void> storage) { storage_.push_back(std::move(storage)); }
  // Registers a tensor view; returns a pointer stable for the model's lifetime.
  const TensorView* add_tensor(TensorView view);
  // Registers an f32 copy of a small tensor (any dequantizable type).
  const TensorView* add_f32_copy(const TensorView& view);
  ModelWeights& mutable_weights() { return weights_; }
  // Points a registered tensor at other bytes of another type (a load-time repacked copy, or a
  // test's quantized one), same shape, kept alive by `storage`; its nbytes follows the new type.
  // Every pointer to the view stays valid.
  void replace_tensor_data(const TensorView* t, DType type, const void* data,
                           std::shared_ptr<const void> storage);

 private:
  ModelSpec spec_;
  ModelFormat format_;
  std::string source_;
  ModelWeights weights_;
  std::deque<TensorView> tensors_;
  std::deque<std::vector<float>> owned_;
  std::vector<std::shared_ptr<const void>> storage_;
};

}  // namespace pocket
