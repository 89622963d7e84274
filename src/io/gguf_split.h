// The GGUF file(s) of one model: a single file, or every part of a split model as llama.cpp's
// gguf-split writes them.
//
// A split model is PREFIX-00001-of-0000N.gguf .. PREFIX-0000N-of-0000N.gguf (5 digits, 1-based).
// Each part is a complete GGUF file holding some of the tensors (their data in that part's own
// data section) and the keys split.no (uint16, 0-based), split.count (uint16, N) and
// split.tensors.count (int32, the tensors of all parts together). Part 1 carries all the model's
// metadata (architecture, hyper-parameters, tokenizer); the others usually only the split.* keys.
// A file without split.count, or with split.count 0 or 1, is an ordinary single file.
//
// GgufModelFiles::open(part 1) opens (maps and validates the header of) every part and checks the
// set before anything reads tensor data; each failure is a pocket::Error naming the file:
//   - the path is a part other than the first       kInvalidArgument, names part 1's path
//   - part 1's name does not follow the pattern       kInvalidArgument (the parts cannot be found)
//   - a part is missing                               kIo, names the expected path
//   - a part lacks split.no / split.count /
//     split.tensors.count, or has values out of range kFormat
//   - a part's split.no is not its place in the set   kFormat
//   - a part's split.count or split.tensors.count
//     differs from part 1's                           kFormat
//   - a part's general.architecture (if it has one)
//     differs from part 1's                           kFormat
//   - a tensor name is in two parts                   kFormat, names both files
//   - the parts' tensors do not add up to
//     split.tensors.count                             kFormat
// Together these catch a part of another model put in the set (a stale or foreign file).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "io/gguf.h"

namespace pocket {

inline constexpr std::string_view kGgufSplitNoKey = "split.no";
inline constexpr std::string_view kGgufSplitCountKey = "split.count";
inline constexpr std::string_view kGgufSplitTensorsCountKey = "split.tensors.count";

// The path of part `split_no` (0-based) of `split_count`: "PREFIX-00002-of-00003.gguf" for
// (PREFIX, 1, 3), as llama.cpp's llama_split_path.
std::string gguf_split_path(std::string_view prefix, int split_no, int split_count);

// The PREFIX of a path named for part `split_no` (0-based) of `split_count`, or nothing when the
// name does not end in that part's "-0000K-of-0000N.gguf" (or nothing precedes it).
std::optional<std::string> gguf_split_prefix(std::string_view path, int split_no, int split_count);

// The split.* keys of one file.
struct GgufSplitInfo {
  int split_no = 0;           // 0-based
  int split_count = 1;        // number of parts
  int64_t tensors_count = 0;  // tensors over all parts
};

// Nothing for an ordinary file (no split.count, or split.count 0 or 1); otherwise the three keys,
// checked for presence and range (Error(kFormat) naming the file and key).
std::optional<GgufSplitInfo> gguf_split_info(const GgufFile& file);

// Error(kInvalidArgument) naming part 1's path when `file` is a part of a split model other than
// the first (for readers that only need part 1's metadata, like the tokenizer loader).
void require_first_split_part(const GgufFile& file);

class GgufModelFiles {
 public:
  // Opens `path`: an ordinary GGUF file, or part 1 of a split model with all its other parts.
  // See the top of this header for the checks and errors.
  static GgufModelFiles open(const std::string& path);
  // One already parsed ordinary file (a split part is refused, see require_first_split_part and
  // the split checks: Error(kInvalidArgument) for any part of a split model of more than one part).
  static GgufModelFiles single(std::shared_ptr<const GgufFile> file);

  // The model's metadata: part 1 (or the single file).
  const GgufFile& metadata() const { return *parts_.front(); }
  // Part 1's (the single file's) path; what errors and Model::source() call the model.
  const std::string& name() const { return parts_.front()->name(); }
  bool is_split() const { return parts_.size() > 1; }
  // In order: parts()[k] is part k+1.
  const std::vector<std::shared_ptr<const GgufFile>>& parts() const { return parts_; }

  // The tensor of that name in whichever part holds it, or nullptr. Its data points into that
  // part's mapping, alive as long as this object (or a copy) lives.
  const TensorView* find_tensor(std::string_view name) const;
  // The part (0-based) holding the tensor, or -1.
  int part_of(std::string_view name) const;
  size_t n_tensors() const;

 private:
  void add_part(std::shared_ptr<const GgufFile> part);

  std::vector<std::shared_ptr<const GgufFile>> parts_;
  // Split models only: tensor name -> (part, tensor). Single files use the file's own index.
  struct Where {
    int part;
    const TensorView* tensor;
  };
  std::map<std::string, Where, std::less<>> index_;
};

}  // namespace pocket
