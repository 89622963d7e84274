// Runs a model under a memory budget (runtime/residency_plan.h). The context asks it for each
// block's weights (and the output matrix's) as the pass reaches them: resident units are the
// mapped weights themselves; a streamed unit is read with pread() from its file into one reusable
// window buffer (the size of the largest streamed unit), and the pass reads that copy. The file's
// pages never enter this process's resident set, so peak memory is the resident weights plus
// the window, whatever the page cache holds. While a unit computes, the kernel is asked to read
// the next streamed unit ahead (POSIX_FADV_WILLNEED), for files that are not in the page cache.
//
// Why pread and not mapping the unit in and dropping it (MADV_DONTNEED) after use: measured on
// this project's test machine (a VM), the first read of freshly mapped pages costs ~0.25 s per GB
// on top of the mapping, every time a unit is mapped in again; pread into a buffer that stays
// mapped costs one copy (~9 GB/s). Tensors not in a file mapping (in-memory test models) are
// copied with memcpy.
//
// Also the load-time population of resident weights, in chunks.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "model/model.h"
#include "runtime/residency_plan.h"

namespace pocket {

class WeightStreamer {
 public:
  WeightStreamer(const Model& model, ResidencyPlan plan);
  ~WeightStreamer();
  WeightStreamer(const WeightStreamer&) = delete;
  WeightStreamer& operator=(const WeightStreamer&) = delete;

  const ResidencyPlan& plan() const { return plan_; }

  // Block l's weights for this pass; valid until the next begin_*() call.
  const LayerWeights& begin_layer(int64_t l);
  // The output matrix for this pass; valid until the next begin_*() call.
  const TensorView& begin_output();

 private:
  struct Piece {
    TensorView view;  // the mapped tensor, its data pointing into the window
    const uint8_t* mapped = nullptr;
    int fd = -1;  // -1: not file-backed, memcpy from `mapped`
    uint64_t file_offset = 0;
    uint64_t window_offset = 0;
    const TensorView** slot = nullptr;  // where the unit's weights point at this piece
  };
  struct Unit {
    bool streamed = false;
    std::vector<Piece> pieces;
    LayerWeights layer;                  // blocks: the mapped or window views
    const TensorView* output = nullptr;  // the output unit
  };
  void add_piece(Unit& unit, const TensorView** slot, uint64_t& window_used);
  void read_in(Unit& unit);
  void read_ahead(size_t after);

  ResidencyPlan plan_;
  std::vector<Unit> units_;  // blocks, then the output
  std::vector<int> fds_;     // files opened for pread, closed at destruction
  std::vector<std::string> fd_paths_;
  struct FreeDeleter {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, FreeDeleter> window_;
  size_t loaded_ = SIZE_MAX;  // the unit now in the window
};

// Called with (bytes done, bytes total) after each chunk.
using LoadProgress = std::function<void(uint64_t, uint64_t)>;

// Maps the resident weights into memory before the first token (reading them from the file when
// they are not in the page cache), at most chunk_bytes at a time so progress can be shown and a
// cold read is spread evenly. plan null: every weight. Weights not in a file mapping (repacked
// ones, in-memory models) are skipped. Returns the bytes populated.
uint64_t populate_weights(const Model& model, const ResidencyPlan* plan, uint64_t chunk_bytes,
                          const LoadProgress& progress = {});

}  // namespace pocket
