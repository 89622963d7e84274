#include "io/safetensors.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "core/checked_math.h"
#include "core/error.h"
#include "io/byte_cursor.h"
#include "io/json_guard.h"

namespace pocket {
namespace {

constexpr size_t kMaxDims = 4;

struct Placed {
  TensorView view;
  uint64_t begin;  // data_offsets, relative to the data section
  uint64_t end;
};

std::optional<DType> dtype_from_safetensors(std::string_view name) {
  if (name == "F32") return DType::kF32;
  if (name == "F16") return DType::kF16;
  if (name == "BF16") return DType::kBF16;
  return std::nullopt;
}

// A JSON number that is a non-negative integer (not 3.0, not -1).
uint64_t json_index(const nlohmann::json& v, std::string_view what) {
  POCKET_CHECK(v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0),
               ErrorCode::kFormat, what, " is ", v.dump(), ", not a non-negative integer");
  return v.get<uint64_t>();
}

Placed parse_entry(const std::string& name, const nlohmann::json& entry, uint64_t data_size) {
  POCKET_CHECK(entry.is_object(), ErrorCode::kFormat, "entry is not an object");
  const auto dtype_it = entry.find("dtype");
  const auto shape_it = entry.find("shape");
  const auto offsets_it = entry.find("data_offsets");
  POCKET_CHECK(dtype_it != entry.end() && dtype_it->is_string(), ErrorCode::kFormat,
               "missing or non-string \"dtype\"");
  POCKET_CHECK(shape_it != entry.end() && shape_it->is_array(), ErrorCode::kFormat,
               "missing or non-array \"shape\"");
  POCKET_CHECK(offsets_it != entry.end() && offsets_it->is_array() && offsets_it->size() == 2,
               ErrorCode::kFormat, "\"data_offsets\" is not an array of 2 numbers");

  const auto& dtype_name_json = dtype_it->get_ref<const std::string&>();
  const std::optional<DType> type = dtype_from_safetensors(dtype_name_json);
  POCKET_CHECK(type.has_value(), ErrorCode::kUnsupported, "dtype '", dtype_name_json,
               "' is not supported (only F32, F16, BF16)");
  const auto& shape = *shape_it;
  POCKET_CHECK(shape.size() <= kMaxDims, ErrorCode::kUnsupported, shape.size(), " dims (at most ",
               kMaxDims, " supported)");

  Placed p{};
  p.view.name = name;
  p.view.type = *type;
  p.view.n_dims = static_cast<uint32_t>(std::max<size_t>(shape.size(), 1));
  uint64_t n_elements = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const uint64_t dim = json_index(shape[i], "a shape dim");
    n_elements = checked_mul(n_elements, dim, "element count");
    POCKET_CHECK(n_elements <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()),
                 ErrorCode::kFormat, "element count is too large");
    p.view.ne[shape.size() - 1 - i] = static_cast<int64_t>(dim);  // reversed: GGML order
  }
  p.view.nbytes = checked_mul(n_elements, dtype_info(*type).block_bytes, "tensor size");
  p.begin = json_index((*offsets_it)[0], "data_offsets[0]");
  p.end = json_index((*offsets_it)[1], "data_offsets[1]");
  POCKET_CHECK(p.begin <= p.end && p.end <= data_size, ErrorCode::kFormat, "data_offsets [",
               p.begin, ", ", p.end, "] are not inside the data section of ", data_size, " bytes");
  POCKET_CHECK(p.end - p.begin == p.view.nbytes, ErrorCode::kFormat, "data_offsets [", p.begin,
               ", ", p.end, "] hold ", p.end - p.begin, " bytes but shape ", shape_string(p.view),
               " of ", dtype_name_json, " needs ", p.view.nbytes);
  return p;
}

}  // namespace

SafetensorsFile SafetensorsFile::parse(std::span<const uint8_t> bytes, std::string name) {
  SafetensorsFile file;
  file.name_ = std::move(name);
  const std::string origin = cat("safetensors '", file.name_, "'");
  ByteCursor c(bytes);
  uint64_t header_size = 0;
  try {
    header_size = c.read<uint64_t>("header length");
  } catch (const Error& e) {
    fail(e.code(), origin, ": ", e.what());
  }
  POCKET_CHECK(header_size <= c.remaining(), ErrorCode::kFormat, origin, ": header length ",
               header_size, " exceeds the ", c.remaining(), " bytes after it");
  POCKET_CHECK(header_size <= kMaxHeaderBytes, ErrorCode::kFormat, origin, ": header length ",
               header_size, " exceeds the limit of ", kMaxHeaderBytes);
  const std::string_view text = c.take_string(header_size, "header");
  file.data_offset_ = c.offset();
  const uint64_t data_size = c.remaining();

  const nlohmann::json header = parse_untrusted_json(text, origin);
  POCKET_CHECK(header.is_object(), ErrorCode::kFormat, origin, ": the header is not a JSON object");
  std::vector<Placed> placed;
  placed.reserve(header.size());
  for (const auto& [key, entry] : header.items()) {
    if (key == "__metadata__") continue;
    try {
      placed.push_back(parse_entry(key, entry, data_size));
    } catch (const Error& e) {
      fail(e.code(), origin, ": tensor '", key, "': ", e.what());
    }
  }
  // nlohmann keeps object keys unique, so names cannot repeat; the data of two tensors must not
  // overlap either (a writer bug or a crafted file).
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  const Placed* previous = nullptr;
  for (const Placed& p : placed) {
    if (p.begin == p.end) continue;
    POCKET_CHECK(!previous || previous->end <= p.begin, ErrorCode::kFormat, origin,
                 ": the data of tensors '", previous ? previous->view.name : "", "' and '",
                 p.view.name, "' overlap");
    previous = &p;
  }
  file.tensors_.reserve(placed.size());
  for (Placed& p : placed) {
    p.view.data = bytes.data() + file.data_offset_ + p.begin;
    file.index_.emplace(p.view.name, file.tensors_.size());
    file.tensors_.push_back(std::move(p.view));
  }
  return file;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  auto mapping = std::make_shared<const MappedFile>(path);
  SafetensorsFile file = parse(mapping->bytes(), path);
  file.mapping_ = std::move(mapping);
  return file;
}

const TensorView* SafetensorsFile::find_tensor(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace pocket
