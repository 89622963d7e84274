// Parsing and validation of a GGUF header (layout in gguf_types.h). Nothing is trusted: every
// count is checked against the bytes that could hold it before anything is reserved, every length
// against the bytes left, every size product and offset sum for overflow.
#include <bit>
#include <limits>
#include <utility>

#include "core/checked_math.h"
#include "core/error.h"
#include "io/byte_cursor.h"
#include "io/gguf.h"
#include "io/gguf_values.h"

namespace pocket {
namespace {

// The fewest bytes a key/value can take (u64 key length, one key byte, u32 type, a 1-byte value)
// and a tensor info (u64 name length, one name byte, u32 n_dims, one u64 dim, u32 type, u64
// offset): a count beyond remaining / these cannot be genuine.
constexpr uint64_t kMinKeyValueBytes = 8 + 1 + 4 + 1;
constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;
constexpr uint64_t kMaxKeyBytes = 65535;  // the GGUF spec's limit on key length
constexpr uint32_t kMaxDims = 4;

// Adds where an error happened in front of its message and throws it again with the same code.
[[noreturn]] void rethrow_in(const Error& e, const std::string& where) {
  throw Error(e.code(), cat(where, ": ", e.what()));
}

std::string_view read_string(ByteCursor& c, std::string_view what) {
  const uint64_t length = c.read<uint64_t>(what);
  return c.take_string(length, what);
}

std::string hex_bytes(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (uint8_t b : bytes) {
    if (!s.empty()) s += ' ';
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

bool is_known_value_type(uint32_t id) {
  return id <= static_cast<uint32_t>(GgufValueType::kFloat64);
}

void check_bools(std::span<const uint8_t> bytes, uint64_t offset) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    POCKET_CHECK(bytes[i] <= 1, ErrorCode::kFormat, "bool value ", static_cast<int>(bytes[i]),
                 " at byte ", offset + i, " is neither 0 nor 1");
  }
}

}  // namespace

class GgufFile::Parser {
 public:
  Parser(GgufFile& out, std::span<const uint8_t> bytes) : out_(out), bytes_(bytes), c_(bytes) {}

  void run() {
    read_preamble();
    read_key_values();
    read_alignment();
    read_tensor_infos();
    place_tensors();
  }

 private:
  void read_preamble() {
    const auto magic = c_.take(4, "magic");
    if (magic[0] != 'G' || magic[1] != 'G' || magic[2] != 'U' || magic[3] != 'F') {
      fail(ErrorCode::kFormat, "not a GGUF file: the first 4 bytes are ", hex_bytes(magic),
           " instead of \"GGUF\"");
    }
    const uint32_t version = c_.read<uint32_t>("version");
    if (version == 1) {
      fail(ErrorCode::kUnsupported,
           "GGUF version 1 is not supported (it used 32-bit counts); convert the model again with "
           "a current llama.cpp");
    }
    const uint32_t swapped = __builtin_bswap32(version);
    if (swapped >= 1 && swapped <= 3) {
      fail(ErrorCode::kUnsupported, "big-endian GGUF (version field ", version,
           ") is not supported");
    }
    if (version != 2 && version != 3) {
      fail(ErrorCode::kUnsupported, "GGUF version ", version, " is not supported (only 2 and 3)");
    }
    out_.version_ = version;
    n_tensors_ = c_.read<uint64_t>("tensor count");
    n_key_values_ = c_.read<uint64_t>("key/value count");
    const uint64_t left = c_.remaining();
    POCKET_CHECK(n_tensors_ <= left / kMinTensorInfoBytes, ErrorCode::kFormat, "tensor count ",
                 n_tensors_, " cannot fit in the ", left, " bytes after the preamble");
    POCKET_CHECK(n_key_values_ <= left / kMinKeyValueBytes, ErrorCode::kFormat, "key/value count ",
                 n_key_values_, " cannot fit in the ", left, " bytes after the preamble");
    POCKET_CHECK(n_tensors_ * kMinTensorInfoBytes + n_key_values_ * kMinKeyValueBytes <= left,
                 ErrorCode::kFormat, n_tensors_, " tensors and ", n_key_values_,
                 " key/values cannot fit in the ", left, " bytes after the preamble");
  }

  void read_key_values() {
    out_.entries_.reserve(n_key_values_);
    for (uint64_t i = 0; i < n_key_values_; ++i) {
      const uint64_t start = c_.offset();
      // The error context is built only from what was read whole. (A string_view assigned in
      // the try block and read in the handler was seen holding a half-published value under
      // GCC 12 -O2, so the handler uses this string instead.)
      std::string where = cat("key/value #", i, " at byte ", start);
      try {
        const std::string_view key = read_string(c_, "key");
        POCKET_CHECK(!key.empty() && key.size() <= kMaxKeyBytes, ErrorCode::kFormat, "key length ",
                     key.size(), " is not in 1..", kMaxKeyBytes);
        where = cat("key '", key, "' at byte ", start);
        const uint32_t type = c_.read<uint32_t>("value type");
        Value value = read_value(type);
        const bool inserted = out_.index_.emplace(key, out_.entries_.size()).second;
        POCKET_CHECK(inserted, ErrorCode::kFormat, "duplicate key");
        out_.entries_.push_back({key, std::move(value)});
      } catch (const Error& e) {
        rethrow_in(e, where);
      }
    }
  }

  Value read_value(uint32_t type_id) {
    POCKET_CHECK(is_known_value_type(type_id), ErrorCode::kFormat, "unknown value type ", type_id);
    Value v;
    v.type = static_cast<GgufValueType>(type_id);
    v.offset = c_.offset();
    if (v.type == GgufValueType::kString) {
      v.text = read_string(c_, "string value");
    } else if (v.type == GgufValueType::kArray) {
      read_array(v);
    } else {
      v.raw = c_.take(*gguf_fixed_size(v.type), "value");
      if (v.type == GgufValueType::kBool) check_bools(v.raw, v.offset);
    }
    return v;
  }

  void read_array(Value& v) {
    const uint32_t element_id = c_.read<uint32_t>("array element type");
    POCKET_CHECK(is_known_value_type(element_id), ErrorCode::kFormat, "unknown array element type ",
                 element_id);
    v.element_type = static_cast<GgufValueType>(element_id);
    // No model file needs arrays of arrays; refusing them keeps parsing non-recursive.
    POCKET_CHECK(v.element_type != GgufValueType::kArray, ErrorCode::kUnsupported,
                 "arrays of arrays are not supported");
    v.count = c_.read<uint64_t>("array length");
    if (v.element_type == GgufValueType::kString) {
      POCKET_CHECK(v.count <= c_.remaining() / 8, ErrorCode::kFormat, "array of ", v.count,
                   " strings cannot fit in the ", c_.remaining(), " bytes left");
      v.strings.reserve(v.count);
      for (uint64_t i = 0; i < v.count; ++i) v.strings.push_back(read_string(c_, "array string"));
      return;
    }
    const uint64_t element_size = *gguf_fixed_size(v.element_type);
    const uint64_t size = checked_mul(v.count, element_size, "array size");
    v.raw = c_.take(size, "array elements");
    if (v.element_type == GgufValueType::kBool) check_bools(v.raw, v.offset + 12);
  }

  void read_alignment() {
    if (!out_.has(kGgufAlignmentKey)) return;
    const Value& v = out_.entries_[out_.index_.find(kGgufAlignmentKey)->second].value;
    POCKET_CHECK(gguf_is_integer(v.type), ErrorCode::kFormat, "key '", kGgufAlignmentKey,
                 "' has type ", gguf_type_name(v.type), ", not an integer");
    const std::optional<int64_t> alignment = gguf_decode_int(v.type, v.raw.data());
    POCKET_CHECK(
        alignment && *alignment > 0 && std::has_single_bit(static_cast<uint64_t>(*alignment)),
        ErrorCode::kFormat, "key '", kGgufAlignmentKey, "' at byte ", v.offset,
        " is not a power of two");
    out_.alignment_ = static_cast<size_t>(*alignment);
  }

  void read_tensor_infos() {
    out_.tensors_.reserve(n_tensors_);
    offsets_.reserve(n_tensors_);
    for (uint64_t i = 0; i < n_tensors_; ++i) {
      const uint64_t start = c_.offset();
      std::string where = cat("tensor #", i, " at byte ", start);  // see read_key_values
      try {
        const std::string_view name = read_string(c_, "tensor name");
        POCKET_CHECK(!name.empty(), ErrorCode::kFormat, "empty tensor name");
        where = cat("tensor '", name, "' at byte ", start);
        read_tensor_info(name);
      } catch (const Error& e) {
        rethrow_in(e, where);
      }
    }
  }

  void read_tensor_info(std::string_view name) {
    TensorView t;
    t.name = std::string(name);
    t.n_dims = c_.read<uint32_t>("n_dims");
    POCKET_CHECK(t.n_dims >= 1 && t.n_dims <= kMaxDims, ErrorCode::kFormat, "n_dims ", t.n_dims,
                 " is not in 1..", kMaxDims);
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < t.n_dims; ++d) {
      const uint64_t ne = c_.read<uint64_t>("dimension");
      POCKET_CHECK(ne >= 1 && ne <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                   ErrorCode::kFormat, "dimension ", d, " is ", ne);
      n_elements = checked_mul(n_elements, ne, "element count");
      t.ne[d] = static_cast<int64_t>(ne);
    }
    POCKET_CHECK(n_elements <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                 ErrorCode::kFormat, "element count ", n_elements, " is too large");
    const uint32_t type_id = c_.read<uint32_t>("type id");
    const std::optional<DTypeInfo> info = dtype_info(type_id);
    POCKET_CHECK(info.has_value() && !info->memory_only, ErrorCode::kUnsupported,
                 "unknown tensor type id ", type_id);
    t.type = static_cast<DType>(type_id);
    POCKET_CHECK(static_cast<uint64_t>(t.ne[0]) % info->block_elems == 0, ErrorCode::kFormat,
                 "row length ", t.ne[0], " is not a multiple of the ", info->name, " block size ",
                 info->block_elems);
    const uint64_t row_size = checked_mul(static_cast<uint64_t>(t.ne[0]) / info->block_elems,
                                          info->block_bytes, "row size");
    t.nbytes = checked_mul(row_size, n_elements / static_cast<uint64_t>(t.ne[0]), "tensor size");
    const uint64_t offset = c_.read<uint64_t>("data offset");
    POCKET_CHECK(offset % out_.alignment_ == 0, ErrorCode::kFormat, "data offset ", offset,
                 " is not a multiple of the alignment ", out_.alignment_);
    const bool inserted = out_.tensor_index_.emplace(name, out_.tensors_.size()).second;
    POCKET_CHECK(inserted, ErrorCode::kFormat, "duplicate tensor name");
    out_.tensors_.push_back(std::move(t));
    offsets_.push_back(offset);
  }

  // The data section starts at the first aligned byte after the header; every tensor must lie
  // inside the file.
  void place_tensors() {
    const uint64_t header_end = c_.offset();
    const uint64_t padded = checked_add(header_end, out_.alignment_ - 1, "data section offset");
    out_.data_offset_ = padded / out_.alignment_ * out_.alignment_;
    for (size_t i = 0; i < out_.tensors_.size(); ++i) {
      TensorView& t = out_.tensors_[i];
      try {
        const uint64_t begin = checked_add(out_.data_offset_, offsets_[i], "tensor data offset");
        const uint64_t end = checked_add(begin, t.nbytes, "tensor data end");
        POCKET_CHECK(end <= bytes_.size(), ErrorCode::kFormat, "data [", begin, ", ", end, ") of ",
                     shape_string(t), " ", dtype_name(t.type),
                     " extends beyond the end of the file (", bytes_.size(), " bytes)");
        t.data = bytes_.data() + begin;
      } catch (const Error& e) {
        rethrow_in(e, cat("tensor '", t.name, "'"));
      }
    }
  }

  GgufFile& out_;
  std::span<const uint8_t> bytes_;
  ByteCursor c_;
  uint64_t n_tensors_ = 0;
  uint64_t n_key_values_ = 0;
  std::vector<uint64_t> offsets_;  // tensor data offsets relative to the data section
};

GgufFile GgufFile::parse(std::span<const uint8_t> bytes, std::string name) {
  GgufFile file;
  file.name_ = std::move(name);
  try {
    Parser(file, bytes).run();
  } catch (const Error& e) {
    rethrow_in(e, cat("gguf '", file.name_, "'"));
  }
  return file;
}

GgufFile GgufFile::open(const std::string& path) {
  auto mapping = std::make_shared<const MappedFile>(path);
  GgufFile file = parse(mapping->bytes(), path);
  file.mapping_ = std::move(mapping);
  return file;
}

}  // namespace pocket
