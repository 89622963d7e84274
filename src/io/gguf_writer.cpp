#include "io/gguf_writer.h"

#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

#include "core/checked_math.h"
#include "core/error.h"

namespace pocket {

namespace {

static_assert(std::endian::native == std::endian::little, "GGUF is written little-endian");

constexpr uint8_t kZeros[256] = {};

// Counts what passes through, so that serialize() knows where it stands.
class Output {
 public:
  explicit Output(const GgufWriter::ByteSink& sink) : sink_(sink) {}
  void write(const void* data, size_t size) {
    sink_(data, size);
    written_ += size;
  }
  uint64_t written() const { return written_; }

 private:
  const GgufWriter::ByteSink& sink_;
  uint64_t written_ = 0;
};

class FileOutput {
 public:
  explicit FileOutput(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) fail(ErrorCode::kIo, "cannot create '", path_, "': ", std::strerror(errno));
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  ~FileOutput() {
    if (file_) std::fclose(file_);
  }
  FileOutput(const FileOutput&) = delete;
  FileOutput& operator=(const FileOutput&) = delete;

  void write(const void* data, size_t size) {
    if (size != 0 && std::fwrite(data, 1, size, file_) != size) {
      fail(ErrorCode::kIo, "cannot write '", path_, "' at byte ", written_, ": ",
           std::strerror(errno));
    }
    written_ += size;
  }

  // Flushes to disk before the rename, so that the final name only ever points at whole data.
  void close() {
    const bool ok = std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
    const int err = errno;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || !closed) fail(ErrorCode::kIo, "cannot finish '", path_, "': ", std::strerror(err));
  }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  uint64_t written_ = 0;
};

void write_zeros(Output& out, uint64_t n) {
  while (n > 0) {
    const size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, sizeof(kZeros)));
    out.write(kZeros, chunk);
    n -= chunk;
  }
}

uint64_t align_up(uint64_t n, uint64_t alignment) {
  return checked_add(n, alignment - 1, "aligned offset") / alignment * alignment;
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  POCKET_CHECK(std::has_single_bit(alignment), ErrorCode::kInvalidArgument, "GGUF alignment ",
               alignment, " is not a power of two");
  if (alignment != kGgufDefaultAlignment) {
    // Written here rather than through add_uint32, which refuses the key: the layout must follow
    // the recorded value, so only the constructor may set it.
    keys_.emplace(kGgufAlignmentKey);
    ++n_key_values_;
    put_string(kGgufAlignmentKey);
    put(static_cast<uint32_t>(GgufValueType::kUint32));
    put(alignment);
  }
}

template <typename T>
void GgufWriter::put(const T& value) {
  const auto* p = reinterpret_cast<const uint8_t*>(&value);
  metadata_.insert(metadata_.end(), p, p + sizeof(T));
}

void GgufWriter::put_string(std::string_view s) {
  put(static_cast<uint64_t>(s.size()));
  metadata_.insert(metadata_.end(), s.begin(), s.end());
}

void GgufWriter::begin_key(std::string_view key, GgufValueType type) {
  POCKET_CHECK(!key.empty(), ErrorCode::kInvalidArgument, "empty GGUF key");
  POCKET_CHECK(key != kGgufAlignmentKey, ErrorCode::kInvalidArgument, "'", key,
               "' is set through the GgufWriter constructor");
  POCKET_CHECK(keys_.emplace(key).second, ErrorCode::kInvalidArgument, "GGUF key '", key,
               "' added twice");
  ++n_key_values_;
  put_string(key);
  put(static_cast<uint32_t>(type));
}

void GgufWriter::begin_array(std::string_view key, GgufValueType element_type, uint64_t count) {
  begin_key(key, GgufValueType::kArray);
  put(static_cast<uint32_t>(element_type));
  put(count);
}

void GgufWriter::add_uint8(std::string_view key, uint8_t value) {
  begin_key(key, GgufValueType::kUint8);
  put(value);
}
void GgufWriter::add_int8(std::string_view key, int8_t value) {
  begin_key(key, GgufValueType::kInt8);
  put(value);
}
void GgufWriter::add_uint16(std::string_view key, uint16_t value) {
  begin_key(key, GgufValueType::kUint16);
  put(value);
}
void GgufWriter::add_int16(std::string_view key, int16_t value) {
  begin_key(key, GgufValueType::kInt16);
  put(value);
}
void GgufWriter::add_uint32(std::string_view key, uint32_t value) {
  begin_key(key, GgufValueType::kUint32);
  put(value);
}
void GgufWriter::add_int32(std::string_view key, int32_t value) {
  begin_key(key, GgufValueType::kInt32);
  put(value);
}
void GgufWriter::add_uint64(std::string_view key, uint64_t value) {
  begin_key(key, GgufValueType::kUint64);
  put(value);
}
void GgufWriter::add_int64(std::string_view key, int64_t value) {
  begin_key(key, GgufValueType::kInt64);
  put(value);
}
void GgufWriter::add_float32(std::string_view key, float value) {
  begin_key(key, GgufValueType::kFloat32);
  put(value);
}
void GgufWriter::add_float64(std::string_view key, double value) {
  begin_key(key, GgufValueType::kFloat64);
  put(value);
}
void GgufWriter::add_bool(std::string_view key, bool value) {
  begin_key(key, GgufValueType::kBool);
  put(static_cast<uint8_t>(value ? 1 : 0));
}
void GgufWriter::add_string(std::string_view key, std::string_view value) {
  begin_key(key, GgufValueType::kString);
  put_string(value);
}

void GgufWriter::add_string_array(std::string_view key, std::span<const std::string> values) {
  begin_array(key, GgufValueType::kString, values.size());
  for (const std::string& s : values) put_string(s);
}
void GgufWriter::add_int32_array(std::string_view key, std::span<const int32_t> values) {
  begin_array(key, GgufValueType::kInt32, values.size());
  for (int32_t v : values) put(v);
}
void GgufWriter::add_uint32_array(std::string_view key, std::span<const uint32_t> values) {
  begin_array(key, GgufValueType::kUint32, values.size());
  for (uint32_t v : values) put(v);
}
void GgufWriter::add_int64_array(std::string_view key, std::span<const int64_t> values) {
  begin_array(key, GgufValueType::kInt64, values.size());
  for (int64_t v : values) put(v);
}
void GgufWriter::add_float32_array(std::string_view key, std::span<const float> values) {
  begin_array(key, GgufValueType::kFloat32, values.size());
  for (float v : values) put(v);
}
void GgufWriter::add_bool_array(std::string_view key, std::span<const bool> values) {
  begin_array(key, GgufValueType::kBool, values.size());
  for (bool v : values) put(static_cast<uint8_t>(v ? 1 : 0));
}

void GgufWriter::add_tensor(std::string_view name, DType type, const std::vector<int64_t>& ne,
                            const void* data) {
  POCKET_CHECK(data != nullptr, ErrorCode::kInvalidArgument, "tensor '", name, "' has no data");
  add_tensor(name, type, ne, [data, type, ne](const ByteSink& sink) {
    uint64_t rows = 1;
    for (size_t d = 1; d < ne.size(); ++d) rows *= static_cast<uint64_t>(ne[d]);
    sink(data, static_cast<size_t>(row_bytes(type, static_cast<uint64_t>(ne[0])) * rows));
  });
}

void GgufWriter::add_tensor(std::string_view name, DType type, const std::vector<int64_t>& ne,
                            TensorFiller fill) {
  POCKET_CHECK(!name.empty(), ErrorCode::kInvalidArgument, "empty tensor name");
  POCKET_CHECK(!tensor_names_.contains(name), ErrorCode::kInvalidArgument, "tensor '", name,
               "' added twice");
  POCKET_CHECK(ne.size() >= 1 && ne.size() <= 4, ErrorCode::kInvalidArgument, "tensor '", name,
               "' has ", ne.size(), " dims (1..4 allowed)");
  uint64_t rows = 1;
  for (size_t d = 0; d < ne.size(); ++d) {
    POCKET_CHECK(ne[d] > 0, ErrorCode::kInvalidArgument, "tensor '", name, "' dim ", d, " is ",
                 ne[d]);
    if (d > 0) rows = checked_mul(rows, static_cast<uint64_t>(ne[d]), "tensor rows");
  }
  const std::optional<DTypeInfo> info = dtype_info(static_cast<uint32_t>(type));
  POCKET_CHECK(info.has_value() && !info->memory_only, ErrorCode::kInvalidArgument, "tensor '",
               name, "' has unknown type id ", static_cast<uint32_t>(type));
  POCKET_CHECK(ne[0] % info->block_elems == 0, ErrorCode::kInvalidArgument, "tensor '", name,
               "': row length ", ne[0], " is not a multiple of the ", info->name, " block size ",
               info->block_elems);
  const uint64_t nbytes =
      checked_mul(row_bytes(type, static_cast<uint64_t>(ne[0])), rows, "tensor size");
  const uint64_t offset = data_size_;
  data_size_ = align_up(checked_add(offset, nbytes, "data section size"), alignment_);
  tensor_names_.emplace(name);
  tensors_.push_back({std::string(name), type, ne, nbytes, offset, std::move(fill)});
}

void GgufWriter::serialize(const ByteSink& sink) const {
  Output out(sink);
  auto put = [&out](const auto& value) { out.write(&value, sizeof(value)); };
  auto put_string = [&](std::string_view s) {
    put(static_cast<uint64_t>(s.size()));
    out.write(s.data(), s.size());
  };
  put(kGgufMagic);
  put(kGgufVersion);
  put(static_cast<uint64_t>(tensors_.size()));
  put(n_key_values_);
  out.write(metadata_.data(), metadata_.size());
  for (const PendingTensor& t : tensors_) {
    put_string(t.name);
    put(static_cast<uint32_t>(t.ne.size()));
    for (int64_t n : t.ne) put(static_cast<uint64_t>(n));
    put(static_cast<uint32_t>(t.type));
    put(t.offset);
  }
  const uint64_t data_start = align_up(out.written(), alignment_);
  write_zeros(out, data_start - out.written());
  for (const PendingTensor& t : tensors_) {
    write_zeros(out, data_start + t.offset - out.written());
    uint64_t received = 0;
    const ByteSink tensor_sink = [&](const void* data, size_t size) {
      POCKET_CHECK(size <= t.nbytes - received, ErrorCode::kInvalidArgument, "tensor '", t.name,
                   "': the filler wrote more than its ", t.nbytes, " bytes");
      out.write(data, size);
      received += size;
    };
    t.fill(tensor_sink);
    POCKET_CHECK(received == t.nbytes, ErrorCode::kInvalidArgument, "tensor '", t.name,
                 "': the filler wrote ", received, " of its ", t.nbytes, " bytes");
  }
  write_zeros(out, data_start + data_size_ - out.written());
}

std::vector<uint8_t> GgufWriter::to_bytes() const {
  std::vector<uint8_t> bytes;
  serialize([&bytes](const void* data, size_t size) {
    const auto* p = static_cast<const uint8_t*>(data);
    bytes.insert(bytes.end(), p, p + size);
  });
  return bytes;
}

void GgufWriter::write(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  try {
    FileOutput out(tmp);
    serialize([&out](const void* data, size_t size) { out.write(data, size); });
    out.close();
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    std::remove(tmp.c_str());
    fail(ErrorCode::kIo, "cannot rename '", tmp, "' to '", path, "': ", std::strerror(err));
  }
}

}  // namespace pocket
