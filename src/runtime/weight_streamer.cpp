#include "runtime/weight_streamer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.h"
#include "core/file_region.h"
#include "core/page_advice.h"

namespace pocket {
namespace {

constexpr uint64_t kAlign = 64;

uint64_t aligned(uint64_t n) {
  return (n + kAlign - 1) / kAlign * kAlign;
}

// Matrices below this size are f32 copies on the heap (norms, biases): never streamed.
bool is_weight_matrix(const TensorView* t) {
  return t && t->nbytes >= 4096;
}

}  // namespace

void WeightStreamer::FreeDeleter::operator()(uint8_t* p) const {
  std::free(p);
}

WeightStreamer::WeightStreamer(const Model& model, ResidencyPlan plan) : plan_(std::move(plan)) {
  const ModelWeights& w = model.weights();
  const size_t n_units = w.layers.size() + 1;
  POCKET_CHECK(plan_.streamed.size() == n_units, ErrorCode::kInternal, "residency plan has ",
               plan_.streamed.size(), " units, the model ", n_units);
  units_.resize(n_units);
  uint64_t window = 0;
  for (size_t u = 0; u < n_units; ++u) {
    Unit& unit = units_[u];
    unit.streamed = plan_.streamed[u];
    uint64_t used = 0;
    if (u < w.layers.size()) {
      unit.layer = w.layers[u];
      if (unit.streamed) {
        LayerWeights& lw = unit.layer;
        for (const TensorView** slot :
             {&lw.wq, &lw.wk, &lw.wv, &lw.wo, &lw.w_gate, &lw.w_up, &lw.w_down}) {
          add_piece(unit, slot, used);
        }
      }
    } else {
      unit.output = w.output;
      if (unit.streamed) add_piece(unit, &unit.output, used);
    }
    window = std::max(window, used);
  }
  if (window > 0) {
    window_.reset(static_cast<uint8_t*>(std::aligned_alloc(kAlign, aligned(window))));
    POCKET_CHECK(window_ != nullptr, ErrorCode::kIo, "cannot allocate the ", window,
                 "-byte window for streamed weights");
  }
  // Now that the window exists and no vector grows any more: each streamed slot points at its
  // piece's view, whose data is in the window.
  for (Unit& unit : units_) {
    for (Piece& p : unit.pieces) {
      p.view.data = window_.get() + p.window_offset;
      *p.slot = &p.view;
    }
  }
}

WeightStreamer::~WeightStreamer() {
  for (int fd : fds_) ::close(fd);
}

void WeightStreamer::add_piece(Unit& unit, const TensorView** slot, uint64_t& window_used) {
  const TensorView* mapped = *slot;
  if (!is_weight_matrix(mapped)) return;
  Piece p;
  p.view = *mapped;
  p.mapped = static_cast<const uint8_t*>(mapped->data);
  p.slot = slot;
  p.window_offset = window_used;
  window_used += aligned(mapped->nbytes);
  if (const auto region = find_file_region(p.mapped);
      region && region->available >= mapped->nbytes) {
    auto it = std::find(fd_paths_.begin(), fd_paths_.end(), region->path);
    if (it == fd_paths_.end()) {
      const int fd = ::open(region->path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        fds_.push_back(fd);
        fd_paths_.push_back(region->path);
        it = fd_paths_.end() - 1;
      }
    }
    if (it != fd_paths_.end()) {
      p.fd = fds_[static_cast<size_t>(it - fd_paths_.begin())];
      p.file_offset = region->offset;
    }
  }
  unit.pieces.push_back(std::move(p));
}

void WeightStreamer::read_in(Unit& unit) {
  for (Piece& p : unit.pieces) {
    uint8_t* dst = window_.get() + p.window_offset;
    if (p.fd < 0) {
      std::memcpy(dst, p.mapped, p.view.nbytes);
      continue;
    }
    uint64_t done = 0;
    while (done < p.view.nbytes) {
      const ssize_t got =
          ::pread(p.fd, dst + done, p.view.nbytes - done, static_cast<off_t>(p.file_offset + done));
      if (got < 0 && errno == EINTR) continue;
      POCKET_CHECK(got > 0, ErrorCode::kIo, "reading tensor '", p.view.name, "' (", p.view.nbytes,
                   " bytes at file offset ", p.file_offset, ") for the memory budget failed: ",
                   got < 0 ? std::strerror(errno) : "the file is shorter than its header says");
      done += static_cast<uint64_t>(got);
    }
  }
}

// Asks the kernel to read the next streamed unit's file bytes into the page cache.
void WeightStreamer::read_ahead(size_t after) {
  for (size_t j = 1; j < units_.size(); ++j) {
    const Unit& next = units_[(after + j) % units_.size()];
    if (!next.streamed) continue;
    for (const Piece& p : next.pieces) {
      if (p.fd >= 0) {
        ::posix_fadvise(p.fd, static_cast<off_t>(p.file_offset), static_cast<off_t>(p.view.nbytes),
                        POSIX_FADV_WILLNEED);
      }
    }
    return;
  }
}

const LayerWeights& WeightStreamer::begin_layer(int64_t l) {
  const auto u = static_cast<size_t>(l);
  Unit& unit = units_[u];
  if (unit.streamed && loaded_ != u) {
    read_in(unit);
    loaded_ = u;
  }
  read_ahead(u);
  return unit.layer;
}

const TensorView& WeightStreamer::begin_output() {
  const size_t u = units_.size() - 1;
  Unit& unit = units_[u];
  if (unit.streamed && loaded_ != u) {
    read_in(unit);
    loaded_ = u;
  }
  read_ahead(u);
  return *unit.output;
}

uint64_t populate_weights(const Model& model, const ResidencyPlan* plan, uint64_t chunk_bytes,
                          const LoadProgress& progress) {
  POCKET_CHECK(chunk_bytes > 0, ErrorCode::kInvalidArgument, "chunk size must be positive");
  const std::vector<WeightUnit> units = weight_units(model);
  std::vector<std::span<const uint8_t>> todo;
  uint64_t total = 0;
  for (size_t i = 0; i < units.size(); ++i) {
    if (plan && plan->streamed[i]) continue;
    for (const auto& t : units[i].tensors) {
      // Only file pages need mapping in: a matrix repacked at load (runtime/weight_repack.h) is in
      // anonymous memory its repack already wrote.
      if (!find_file_region(t.data())) continue;
      todo.push_back(t);
      total += t.size();
    }
  }
  // The token embedding is left out: it is read a row at a time and faults in what it needs.
  std::sort(todo.begin(), todo.end(),
            [](const auto& a, const auto& b) { return a.data() < b.data(); });
  uint64_t done = 0;
  for (const auto& t : todo) {
    for (uint64_t off = 0; off < t.size(); off += chunk_bytes) {
      const uint64_t n = std::min<uint64_t>(chunk_bytes, t.size() - off);
      populate_pages(t.data() + off, n);
      done += n;
      if (progress) progress(done, total);
    }
  }
  return done;
}

}  // namespace pocket
