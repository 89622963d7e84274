#include "quant/model_tensors.h"

#include "core/error.h"
#include "kernels/ref/dequant.h"

namespace pocket::quant {

std::vector<int64_t> ModelTensor::shape() const {
  std::vector<int64_t> ne;
  for (uint32_t i = 0; i < view->n_dims; ++i) ne.push_back(view->ne[i]);
  return ne;
}

std::vector<ModelTensor> list_model_tensors(const Model& model) {
  const ModelWeights& w = model.weights();
  const ModelSpec& s = model.spec();
  const bool permute = model.format() == ModelFormat::kHuggingFace && s.arch == Arch::kLlama;
  std::vector<ModelTensor> out;
  auto add = [&](std::string name, const TensorView* v, TensorRole role, int64_t layer,
                 LinearInput in, int64_t heads = 0) {
    if (!v) return;
    POCKET_CHECK(v->type == DType::kF32 || v->type == DType::kF16 || v->type == DType::kBF16,
                 ErrorCode::kUnsupported, "tensor '", name, "' is ", dtype_name(v->type),
                 ": the quantizer reads F32, F16 or BF16 models only");
    out.push_back({std::move(name), v, role, layer, in, permute ? heads : 0});
  };
  add("token_embd.weight", w.tok_embd, TensorRole::kEmbedding, -1, LinearInput::kOutput);
  add("output_norm.weight", w.output_norm, TensorRole::kVector, -1, LinearInput::kOutput);
  if (!s.tied_output) add("output.weight", w.output, TensorRole::kMatrix, -1, LinearInput::kOutput);
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const LayerWeights& L = w.layers[l];
    const std::string p = "blk." + std::to_string(l) + ".";
    const auto li = static_cast<int64_t>(l);
    const auto M = TensorRole::kMatrix;
    const auto V = TensorRole::kVector;
    add(p + "attn_norm.weight", L.attn_norm, V, li, LinearInput::kAttnIn);
    add(p + "attn_q.weight", L.wq, M, li, LinearInput::kAttnIn, s.n_head);
    add(p + "attn_k.weight", L.wk, M, li, LinearInput::kAttnIn, s.n_head_kv);
    add(p + "attn_v.weight", L.wv, M, li, LinearInput::kAttnIn);
    add(p + "attn_q.bias", L.bq, V, li, LinearInput::kAttnIn, s.n_head);
    add(p + "attn_k.bias", L.bk, V, li, LinearInput::kAttnIn, s.n_head_kv);
    add(p + "attn_v.bias", L.bv, V, li, LinearInput::kAttnIn);
    add(p + "attn_output.weight", L.wo, M, li, LinearInput::kAttnOut);
    add(p + "ffn_norm.weight", L.ffn_norm, V, li, LinearInput::kFfnIn);
    add(p + "ffn_gate.weight", L.w_gate, M, li, LinearInput::kFfnIn);
    add(p + "ffn_up.weight", L.w_up, M, li, LinearInput::kFfnIn);
    add(p + "ffn_down.weight", L.w_down, M, li, LinearInput::kFfnDown);
  }
  return out;
}

void read_row_f32(const ModelTensor& t, int64_t r, float* out) {
  int64_t src = r;
  if (t.permute_heads > 0) {
    // GGUF row h*hd + 2i + j holds Hugging Face row h*hd + j*hd/2 + i (biases: element-wise).
    const int64_t n = t.view->n_dims == 1 ? t.cols() : t.rows();
    const int64_t hd = n / t.permute_heads;
    const int64_t h = r / hd, within = r % hd;
    src = h * hd + (within % 2) * (hd / 2) + within / 2;
  }
  dequantize_row(t.view->type, t.view->row(src), out, t.cols());
}

}  // namespace pocket::quant
