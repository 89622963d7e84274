// What the quantizer does to a tensor's values before quantizing them: value[r][c] is written as
// value[r][c] * col_scale[c] * row_scale[r] (empty vectors: 1). AWQ's per-channel scales become
// column scales of the matrices that read a channel and 1/s on whatever produced it (a norm
// weight, or the rows of ffn_up for ffn_down). importance: per-column weights of the squared
// error in the group scale search (E[x^2] of the inputs, in the scaled domain).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "quant/gptq.h"

namespace pocket::quant {

struct Transform {
  std::vector<float> col_scale;
  std::vector<float> row_scale;
  std::vector<float> importance;
  // GPTQ: the upper Cholesky factor of the inverse Hessian of the (scaled) inputs (gptq.h);
  // shared by the matrices that read the same input. Null: no GPTQ.
  std::shared_ptr<const GptqFactor> gptq;
};

using TransformMap = std::map<std::string, Transform>;

}  // namespace pocket::quant
