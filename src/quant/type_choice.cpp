#include "quant/type_choice.h"

#include <array>

#include "core/error.h"
#include "kernels/ref/group_format.h"

namespace pocket::quant {
namespace {

// Each kind of type at groups 128, 64, 32 (DType::kF32 where the kind has no such group).
struct Kind {
  std::array<DType, 3> by_group;
};

constexpr std::array kKinds = {
    Kind{{DType::kPQ8_G128, DType::kPQ8_G64, DType::kQ8_0}},
    Kind{{DType::kPQ4_G128, DType::kPQ4_G64, DType::kQ4_0}},
    Kind{{DType::kPQ4A_G128, DType::kPQ4A_G64, DType::kQ4_1}},
    Kind{{DType::kPFP8_G128, DType::kF32, DType::kF32}},
};

}  // namespace

void validate_group_size(int64_t group) {
  POCKET_CHECK(group > 0 && (group & (group - 1)) == 0, ErrorCode::kInvalidArgument,
               "--group-size ", group, " is not a power of two (use 32, 64 or 128)");
  POCKET_CHECK(group >= 32 && group <= 128, ErrorCode::kInvalidArgument, "--group-size ", group,
               " is not supported (use 32, 64 or 128)");
}

DType group_type(int bits, int group, Scheme scheme, bool fp8) {
  validate_group_size(group);
  const size_t gi = group == 128 ? 0 : group == 64 ? 1 : 2;
  if (fp8) {
    POCKET_CHECK(group == 128, ErrorCode::kInvalidArgument,
                 "FP8 E4M3 is stored with group 128 only (PFP8_G128), not ", group);
    return DType::kPFP8_G128;
  }
  POCKET_CHECK(bits == 4 || bits == 8, ErrorCode::kInvalidArgument, "--bits must be 4 or 8, not ",
               bits);
  if (bits == 8) {
    POCKET_CHECK(scheme == Scheme::kSym, ErrorCode::kInvalidArgument,
                 "8-bit quantization is symmetric only (--scheme sym)");
    return kKinds[0].by_group[gi];
  }
  return kKinds[scheme == Scheme::kSym ? 1 : 2].by_group[gi];
}

Fit fit_row(DType wanted, int64_t cols) {
  const auto info = dtype_info(wanted);
  if (cols % info.block_elems == 0) return {wanted, ""};
  for (const Kind& kind : kKinds) {
    bool seen = false;
    for (DType t : kind.by_group) {
      if (t == wanted) seen = true;
      if (!seen || t == DType::kF32) continue;
      if (cols % dtype_info(t).block_elems == 0) {
        return {t, "rows of " + std::to_string(cols) + " are not a multiple of " +
                       std::to_string(info.block_elems) + "; " + std::string(dtype_name(t)) +
                       " fits"};
      }
    }
  }
  return {DType::kF16, "rows of " + std::to_string(cols) + " are not a multiple of " +
                           std::to_string(info.block_elems) +
                           " (nor of a smaller group of the same kind); kept as F16"};
}

double bits_per_weight(DType type) {
  const auto info = dtype_info(type);
  return 8.0 * info.block_bytes / info.block_elems;
}

}  // namespace pocket::quant
