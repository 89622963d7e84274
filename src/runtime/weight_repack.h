// Load-time repacking of the resident weight matrices into the layout this CPU's kernels stream
// best (kernels/repack_x16.h, 16 rows interleaved: on AVX-512 Q4_0, Q8_0, our symmetric PQ4/PQ8
// types, Q4_K, F16 and BF16; on AVX2 Q4_0, Q8_0, PQ4 and Q4_K). The file does not change. Each
// matrix is copied into anonymous memory of the same size and its file pages are released from this
// process, so a repacked model costs what a mapped one does (plus one matrix while it is being
// repacked); page-cache pages stay the kernel's to reclaim.
//
// Only resident matrices are repacked: a streamed one (runtime/weight_streamer.h) is read from the
// file on every pass in the file's layout. The token embedding is never repacked (it is read a
// row at a time), nor an output matrix tied to it.
#pragma once

#include <cstdint>
#include <vector>

#include "model/model.h"
#include "runtime/residency_plan.h"
#include "runtime/weight_streamer.h"

namespace pocket {

struct RepackStats {
  int tensors = 0;
  uint64_t bytes = 0;
};

// The file types this CPU's kernels repack (none without SIMD kernels for their x16 layout).
std::vector<DType> repacked_types();

// plan null: every matrix is resident. n_threads: threads that repack (> 0).
RepackStats repack_weights(Model& model, const ResidencyPlan* plan, int n_threads,
                           const LoadProgress& progress = {});

}  // namespace pocket
