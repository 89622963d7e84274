// GGUF reader (versions 2 and 3). The whole header is validated when the file is opened, so that
// nothing later can read outside the file: counts, string and array lengths, tensor shapes, type
// ids, offsets and sizes. Tensor data is never copied: TensorView::data points into the mapping.
//
// Errors are pocket::Error: kFormat for malformed files, kUnsupported for well-formed things we do
// not read (GGUF v1, big-endian files, unknown tensor type ids, nested arrays), kIo when the file
// cannot be opened. Messages name the file, the key or tensor, and the byte offset.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/mapped_file.h"
#include "core/tensor.h"
#include "io/gguf_types.h"

namespace pocket {

class GgufFile {
 public:
  // Maps the file at `path` and parses it.
  static GgufFile open(const std::string& path);
  // Parses bytes owned by the caller, which must outlive this object and its copies (tests,
  // fuzzers). `name` stands for the file in error messages.
  static GgufFile parse(std::span<const uint8_t> bytes, std::string name);

  uint32_t version() const { return version_; }
  const std::string& name() const { return name_; }

  // --- metadata ---
  bool has(std::string_view key) const { return index_.contains(key); }
  std::vector<std::string> keys() const;  // in file order
  // Throws Error(kInvalidArgument) when the key is absent.
  GgufValueType type_of(std::string_view key) const;

  // Scalar getters: nothing when the key is absent, Error(kFormat) naming the key and both types
  // when it holds another type.
  std::optional<std::string> get_string(std::string_view key) const;
  // Any integer type; a uint64 above INT64_MAX is Error(kOutOfRange).
  std::optional<int64_t> get_int(std::string_view key) const;
  // float32 or float64 (integers are converted too).
  std::optional<double> get_float(std::string_view key) const;
  std::optional<bool> get_bool(std::string_view key) const;

  // Array getters: empty when the key is absent; Error(kFormat) when it is not an array of a
  // fitting element type.
  std::vector<std::string> get_string_array(std::string_view key) const;
  std::vector<float> get_float_array(std::string_view key) const;  // float or integer elements
  std::vector<int64_t> get_int_array(std::string_view key) const;  // integer elements
  // Zero-copy string array: views into the file's bytes, alive as long as this object (or a copy).
  // Empty when absent. This is what a tokenizer should use for a 150k-entry vocabulary.
  std::span<const std::string_view> string_array_view(std::string_view key) const;
  // Throws Error(kInvalidArgument) when absent, Error(kFormat) when not an array.
  GgufValueType array_element_type(std::string_view key) const;

  // --- tensors (file order) ---
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find_tensor(std::string_view name) const;

  // Start of the data section (absolute file offset) and its alignment.
  uint64_t data_offset() const { return data_offset_; }
  size_t alignment() const { return alignment_; }

 private:
  struct Value {
    GgufValueType type = GgufValueType::kUint8;
    uint64_t offset = 0;           // where the value starts in the file (for messages)
    std::span<const uint8_t> raw;  // a fixed-size scalar, or the elements of a fixed-size array
    std::string_view text;         // kString
    GgufValueType element_type = GgufValueType::kUint8;  // kArray
    uint64_t count = 0;                                  // kArray: number of elements
    std::vector<std::string_view> strings;               // kArray of kString
  };
  struct Entry {
    std::string_view key;  // views into the file's bytes
    Value value;
  };
  class Parser;

  const Value* find_value(std::string_view key) const;
  const Value& require_array(std::string_view key, std::string_view wanted) const;
  [[noreturn]] void fail_type(std::string_view key, const Value& value,
                              std::string_view wanted) const;

  std::shared_ptr<const MappedFile> mapping_;  // null when parsing borrowed bytes
  std::string name_;
  uint32_t version_ = 0;
  std::vector<Entry> entries_;
  std::map<std::string_view, size_t, std::less<>> index_;
  std::vector<TensorView> tensors_;
  std::map<std::string_view, size_t, std::less<>> tensor_index_;
  uint64_t data_offset_ = 0;
  size_t alignment_ = kGgufDefaultAlignment;
};

}  // namespace pocket
