// A hook that sees the input of every linear layer during decode(): the calibration pass of the
// quantizer collects per-channel activation statistics through it. Null (the default) costs a
// branch per layer.
#pragma once

#include <cstdint>

namespace pocket {

// Which linear layers read the rows passed to observe().
enum class LinearInput {
  kAttnIn,   // wq, wk, wv (after the attention RMSNorm)
  kAttnOut,  // wo (the attention output)
  kFfnIn,    // w_gate, w_up (after the FFN RMSNorm)
  kFfnDown,  // w_down (silu(gate) * up)
  kOutput,   // the output projection (after the final norm), logit rows only
};

class ActivationObserver {
 public:
  virtual ~ActivationObserver() = default;
  // rows: n_rows rows of `width` floats, contiguous. layer is -1 for kOutput.
  virtual void observe(int64_t layer, LinearInput which, const float* rows, int64_t n_rows,
                       int64_t width) = 0;
};

}  // namespace pocket
