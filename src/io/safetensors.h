// Safetensors reader. A file is a u64 little-endian header length N, N bytes of JSON mapping each
// tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets relative to the data section
// that follows the header; "__metadata__" holds free-form strings and is skipped), then the data.
//
// Shapes become GGML order (ne[0] = the last, fastest-moving safetensors dim). Tensor data is
// read in place from the mapping (no copy); note that safetensors does not promise alignment, so
// TensorView::data may be unaligned for its element type. Errors are pocket::Error naming the
// file and tensor: kFormat for malformed files, kUnsupported for dtypes other than F32/F16/BF16
// and for more than 4 dims.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapped_file.h"
#include "core/tensor.h"

namespace pocket {

class SafetensorsFile {
 public:
  // Headers beyond this are refused before anything is allocated for them.
  static constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

  static SafetensorsFile open(const std::string& path);
  // Parses bytes owned by the caller, which must outlive this object (tests, fuzzers).
  static SafetensorsFile parse(std::span<const uint8_t> bytes, std::string name);

  const std::string& name() const { return name_; }
  // Sorted by position in the file.
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find_tensor(std::string_view name) const;
  // Absolute file offset of the data section (8 + header length).
  uint64_t data_offset() const { return data_offset_; }

 private:
  std::shared_ptr<const MappedFile> mapping_;  // null when parsing borrowed bytes
  std::string name_;
  std::vector<TensorView> tensors_;
  std::map<std::string, size_t, std::less<>> index_;
  uint64_t data_offset_ = 0;
};

}  // namespace pocket
