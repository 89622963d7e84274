#include "core/dtype.h"

#include <array>
#include <cctype>
#include <string>

#include "core/checked_math.h"
#include "core/error.h"

namespace pocket {
namespace {

struct Entry {
  DType type;
  DTypeInfo info;
};

// Block sizes follow GGML's definitions (QK4_0 = 32, QK_K = 256, ...).
constexpr std::array kTable = {
    Entry{DType::kF32, {"F32", 1, 4, true}},
    Entry{DType::kF16, {"F16", 1, 2, true}},
    Entry{DType::kQ4_0, {"Q4_0", 32, 18, true}},
    Entry{DType::kQ4_1, {"Q4_1", 32, 20, true}},
    Entry{DType::kQ5_0, {"Q5_0", 32, 22, true}},
    Entry{DType::kQ5_1, {"Q5_1", 32, 24, true}},
    Entry{DType::kQ8_0, {"Q8_0", 32, 34, true}},
    Entry{DType::kQ8_1, {"Q8_1", 32, 36, false}},
    Entry{DType::kQ2_K, {"Q2_K", 256, 84, false}},
    Entry{DType::kQ3_K, {"Q3_K", 256, 110, false}},
    Entry{DType::kQ4_K, {"Q4_K", 256, 144, true}},
    Entry{DType::kQ5_K, {"Q5_K", 256, 176, true}},
    Entry{DType::kQ6_K, {"Q6_K", 256, 210, true}},
    Entry{DType::kQ8_K, {"Q8_K", 256, 292, false}},
    Entry{DType::kI8, {"I8", 1, 1, false}},
    Entry{DType::kI16, {"I16", 1, 2, false}},
    Entry{DType::kI32, {"I32", 1, 4, false}},
    Entry{DType::kI64, {"I64", 1, 8, false}},
    Entry{DType::kF64, {"F64", 1, 8, false}},
    Entry{DType::kBF16, {"BF16", 1, 2, true}},
    Entry{DType::kPQ8_G64, {"PQ8_G64", 64, 66, true}},
    Entry{DType::kPQ8_G128, {"PQ8_G128", 128, 130, true}},
    Entry{DType::kPQ4_G64, {"PQ4_G64", 64, 34, true}},
    Entry{DType::kPQ4_G128, {"PQ4_G128", 128, 66, true}},
    Entry{DType::kPQ4A_G64, {"PQ4A_G64", 64, 36, true}},
    Entry{DType::kPQ4A_G128, {"PQ4A_G128", 128, 68, true}},
    Entry{DType::kPFP8_G128, {"PFP8_G128", 128, 130, true}},
    Entry{DType::kQ4_0_X16, {"Q4_0_X16", 32, 18, false, true}},
    Entry{DType::kQ8_0_X16, {"Q8_0_X16", 32, 34, false, true}},
    Entry{DType::kPQ4_G64_X16, {"PQ4_G64_X16", 64, 34, false, true}},
    Entry{DType::kPQ4_G128_X16, {"PQ4_G128_X16", 128, 66, false, true}},
    Entry{DType::kPQ8_G64_X16, {"PQ8_G64_X16", 64, 66, false, true}},
    Entry{DType::kPQ8_G128_X16, {"PQ8_G128_X16", 128, 130, false, true}},
    Entry{DType::kF16_X16, {"F16_X16", 1, 2, false, true}},
    Entry{DType::kBF16_X16, {"BF16_X16", 1, 2, false, true}},
    Entry{DType::kQ4_K_X16, {"Q4_K_X16", 256, 144, false, true}},
};

}  // namespace

std::optional<DTypeInfo> dtype_info(uint32_t id) {
  for (const auto& e : kTable) {
    if (static_cast<uint32_t>(e.type) == id) return e.info;
  }
  return std::nullopt;
}

DTypeInfo dtype_info(DType t) {
  auto info = dtype_info(static_cast<uint32_t>(t));
  if (!info)
    fail(ErrorCode::kInternal, "dtype id ", static_cast<uint32_t>(t), " has no table entry");
  return *info;
}

std::string_view dtype_name(DType t) {
  return dtype_info(t).name;
}

std::optional<DType> dtype_from_name(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& e : kTable) {
    if (e.info.name == upper && !e.info.memory_only) return e.type;
  }
  return std::nullopt;
}

uint64_t row_bytes(DType t, uint64_t n) {
  const DTypeInfo info = dtype_info(t);
  if (n % info.block_elems != 0) {
    fail(ErrorCode::kFormat, "a row of ", n, " elements is not a whole number of ", info.name,
         " blocks of ", info.block_elems);
  }
  return checked_mul(n / info.block_elems, info.block_bytes, "row size");
}

}  // namespace pocket
