// The tensors of a loaded model as the quantizer sees them: GGUF names, which linear input feeds
// each matrix (for calibration statistics), and rows read back as f32 in GGUF order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"
#include "runtime/activation_observer.h"

namespace pocket::quant {

enum class TensorRole { kEmbedding, kMatrix, kVector };

struct ModelTensor {
  std::string name;  // GGUF name ("blk.3.attn_q.weight")
  const TensorView* view = nullptr;
  TensorRole role = TensorRole::kVector;
  int64_t layer = -1;                        // -1: not in a block
  LinearInput input = LinearInput::kOutput;  // matrices: the activations they multiply
  // Hugging Face llama checkpoints keep Q/K rows in rotate-half order; GGUF llama files use the
  // interleaved order, so rows are permuted on the way out (as llama.cpp's converter does).
  int64_t permute_heads = 0;  // > 0: permute rows for this many heads

  int64_t cols() const { return view->ne[0]; }
  int64_t rows() const { return view->n_rows(); }
  // GGUF ne of the output tensor.
  std::vector<int64_t> shape() const;
};

// Every tensor the model uses, in the order the writer emits them (llama.cpp's order).
std::vector<ModelTensor> list_model_tensors(const Model& model);

// Row r (in GGUF order) of t as f32 (cols() values). Sources may be F32, F16 or BF16.
void read_row_f32(const ModelTensor& t, int64_t r, float* out);

}  // namespace pocket::quant
