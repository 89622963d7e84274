// GGUF v3 writer. Metadata is serialized as it is added; tensor data is pulled only while the
// file is written (from a pointer or a callback), so a multi-gigabyte model never has to sit in
// memory at once. The file is written under `path + ".tmp"` and renamed at the end: a failed or
// interrupted write never leaves a half file under the final name.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "io/gguf_types.h"

namespace pocket {

class GgufWriter {
 public:
  // Receives one tensor's bytes, possibly in several pieces.
  using ByteSink = std::function<void(const void* data, size_t size)>;
  // Writes exactly the tensor's byte size into the sink (checked).
  using TensorFiller = std::function<void(const ByteSink& sink)>;

  // `alignment` (a power of two) is recorded as general.alignment unless it is the default 32.
  explicit GgufWriter(uint32_t alignment = kGgufDefaultAlignment);

  // Each key may be added once (Error(kInvalidArgument) otherwise), in the order of the calls.
  void add_uint8(std::string_view key, uint8_t value);
  void add_int8(std::string_view key, int8_t value);
  void add_uint16(std::string_view key, uint16_t value);
  void add_int16(std::string_view key, int16_t value);
  void add_uint32(std::string_view key, uint32_t value);
  void add_int32(std::string_view key, int32_t value);
  void add_uint64(std::string_view key, uint64_t value);
  void add_int64(std::string_view key, int64_t value);
  void add_float32(std::string_view key, float value);
  void add_float64(std::string_view key, double value);
  void add_bool(std::string_view key, bool value);
  void add_string(std::string_view key, std::string_view value);

  void add_string_array(std::string_view key, std::span<const std::string> values);
  void add_int32_array(std::string_view key, std::span<const int32_t> values);
  void add_uint32_array(std::string_view key, std::span<const uint32_t> values);
  void add_int64_array(std::string_view key, std::span<const int64_t> values);
  void add_float32_array(std::string_view key, std::span<const float> values);
  void add_bool_array(std::string_view key, std::span<const bool> values);

  // ne in GGML order (ne[0] = row length), 1..4 dims, each > 0, ne[0] a whole number of blocks.
  // `data` holds row_bytes(type, ne[0]) * rows bytes and must stay valid until write() returns.
  void add_tensor(std::string_view name, DType type, const std::vector<int64_t>& ne,
                  const void* data);
  void add_tensor(std::string_view name, DType type, const std::vector<int64_t>& ne,
                  TensorFiller fill);

  // Writes the file (see the top of this header); Error(kIo) when the disk refuses, and whatever a
  // filler throws, with the temporary file removed either way.
  void write(const std::string& path) const;
  // The same bytes in memory (tests, small files).
  std::vector<uint8_t> to_bytes() const;

 private:
  struct PendingTensor {
    std::string name;
    DType type;
    std::vector<int64_t> ne;
    uint64_t nbytes;
    uint64_t offset;  // within the data section
    TensorFiller fill;
  };
  void begin_key(std::string_view key, GgufValueType type);
  void begin_array(std::string_view key, GgufValueType element_type, uint64_t count);
  template <typename T>
  void put(const T& value);
  void put_string(std::string_view s);
  void serialize(const ByteSink& sink) const;

  uint32_t alignment_;
  std::vector<uint8_t> metadata_;  // serialized key/values
  uint64_t n_key_values_ = 0;
  std::set<std::string, std::less<>> keys_;
  std::vector<PendingTensor> tensors_;
  std::set<std::string, std::less<>> tensor_names_;
  uint64_t data_size_ = 0;  // data section size so far (aligned end of the last tensor)
};

}  // namespace pocket
