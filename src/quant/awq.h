// Activation-aware scaling (AWQ, Lin et al. 2023): channels with large activations matter more,
// so their weight columns are scaled up by s = mean|x|^alpha before quantization (finer steps
// for them) and the activations divided by s (folded into the preceding RMSNorm weight, or the
// rows of ffn_up for ffn_down). alpha is searched per block and input on a grid 0, 0.1, .. 1,
// minimizing the output error || X W^T - X Q(W diag(s))^T diag(1/s) ||^2 on calibration rows;
// q/k/v (one norm) and gate/up (one norm) are searched jointly. alpha = 0 is "no scaling", so
// the search never does worse than plain quantization on those rows.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/thread_pool.h"
#include "quant/calibration.h"
#include "quant/model_tensors.h"
#include "quant/transform.h"

namespace pocket::quant {

struct AwqStep {
  std::string what;  // "blk.3 attn_in"
  float alpha = 0;
  double err_plain = 0;  // output error without scaling (alpha 0)
  double err_best = 0;
};

using TypeOf = std::function<DType(const ModelTensor&)>;
// The GPTQ factor of a linear input's unscaled calibration rows (gptq.h), or null.
using GptqOf = std::function<const GptqFactor*(int64_t layer, LinearInput input)>;

// Adds the scales it chooses to `transforms` (by tensor name) and returns one step per search.
// gptq_of (may be empty): when it gives a factor for an input, the matrices will be written with
// GPTQ, so each alpha is judged by what GPTQ leaves: (w - q)^T H_s (w - q) summed over up to 128
// rows per matrix, with the factor scaled for that alpha (scale_factor), instead of the
// round-to-nearest output error on 1024 calibration rows.
std::vector<AwqStep> awq_search(const std::vector<ModelTensor>& tensors, const TypeOf& type_of,
                                const CalibrationStats& stats, ThreadPool& pool,
                                TransformMap& transforms, const GptqOf& gptq_of = {});

// Reads a tensor's rows as f32 with its transform applied (rows x cols, row-major).
std::vector<float> transformed_rows(const ModelTensor& t, const Transform* tr, int64_t r0,
                                    int64_t r1);

}  // namespace pocket::quant
