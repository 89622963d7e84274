// Load-time repacking of the resident weight matrices into the layout this CPU's kernels stream
// best (kernels/repack_x16.h, 16 rows interleaved: on AVX-512 Q4_0, Q8_0, our symmetric PQ4/PQ8
// types, Q4_K, F16 and BF16; on AVX2 Q4_0, Q8_0, PQ4 and Q4_K). The file does not change. Each
// matrix is copied into anonymous memory of the same size and its file pages are released from this
// process, so a repacked model costs what a mapped one does (plus one matrix while it is being
// repacked); page-cache pages stay the kernel's to reclaim.
//
// Where this CPU repacks anything (x86 with AVX2 or AVX-512), the resident matrices it reads in
// the file's layout from a file mapping (Q6_K, the output matrix of llama.cpp's Q4_0 and Q4_K_M
// files; not an in-memory model's, which would then be held twice) are moved into
// the same huge-page arena as they are: a kernel that streams a matrix every token then takes a TLB
// miss per 2 MB instead of per 4 KB (the file mapping has 2 MB folios for only part of a file).
// Measured: docs/MEMORY.md. ARM64 repacks nothing yet and keeps every matrix in the file mapping
// (the move is unmeasured there).
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
  int tensors = 0;  // repacked into the x16 layout
  uint64_t bytes = 0;
  int moved_tensors = 0;  // moved as they are
  uint64_t moved_bytes = 0;
};

// The file types this CPU's kernels repack (none without SIMD kernels for their x16 layout).
std::vector<DType> repacked_types();

// plan null: every matrix is resident. n_threads: threads that repack (> 0).
RepackStats repack_weights(Model& model, const ResidencyPlan* plan, int n_threads,
                           const LoadProgress& progress = {});

}  // namespace pocket
