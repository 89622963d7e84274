#include "kernels/ref/group_format.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/half.h"
#include "kernels/ref/fp8_e4m3.h"
#include "kernels/ref/row_checks.h"

namespace pocket {
namespace {

constexpr int kSubBlock = 32;  // 4-bit codes are packed per 32 values (Q4_0's order)

GroupFormat make(int group, GroupCode code, bool has_min) {
  GroupFormat f;
  f.group = group;
  f.code = code;
  f.has_min = has_min;
  f.header_bytes = has_min ? 4 : 2;
  f.block_bytes = f.header_bytes + (code == GroupCode::kUint4 ? group / 2 : group);
  return f;
}

// Round to nearest, ties to even, after clamping to [lo, hi] (NaN gives lo). The magic-number
// rounding is exact for |v| < 2^22 and, unlike std::nearbyint, is not a library call: this runs
// for every weight of every candidate scale.
int nearest_clamped(float v, int lo, int hi) {
  if (!(v > static_cast<float>(lo))) return lo;  // also catches NaN
  if (v > static_cast<float>(hi)) return hi;
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  return static_cast<int>((v + kMagic) - kMagic);
}

}  // namespace

float GroupFormat::code_value(uint8_t c) const {
  switch (code) {
    case GroupCode::kInt8:
      return static_cast<float>(static_cast<int8_t>(c));
    case GroupCode::kUint4:
      return static_cast<float>(has_min ? c : c - 8);
    case GroupCode::kFp8:
      return e4m3_to_f32(c);
  }
  return 0.0f;
}

std::optional<GroupFormat> group_format(DType type) {
  switch (type) {
    case DType::kQ8_0:
      return make(32, GroupCode::kInt8, false);
    case DType::kQ4_0:
      return make(32, GroupCode::kUint4, false);
    case DType::kQ4_1:
      return make(32, GroupCode::kUint4, true);
    case DType::kPQ8_G64:
      return make(64, GroupCode::kInt8, false);
    case DType::kPQ8_G128:
      return make(128, GroupCode::kInt8, false);
    case DType::kPQ4_G64:
      return make(64, GroupCode::kUint4, false);
    case DType::kPQ4_G128:
      return make(128, GroupCode::kUint4, false);
    case DType::kPQ4A_G64:
      return make(64, GroupCode::kUint4, true);
    case DType::kPQ4A_G128:
      return make(128, GroupCode::kUint4, true);
    case DType::kPFP8_G128:
      return make(128, GroupCode::kFp8, false);
    default:
      return std::nullopt;
  }
}

void encode_group_value(const GroupFormat& f, float x, float d, float m, uint8_t* code) {
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  switch (f.code) {
    case GroupCode::kInt8:
      *code = static_cast<uint8_t>(static_cast<int8_t>(nearest_clamped(x * id, -127, 127)));
      break;
    case GroupCode::kUint4:
      *code = static_cast<uint8_t>(f.has_min ? nearest_clamped((x - m) * id, 0, 15)
                                             : nearest_clamped(x * id + 8.0f, 0, 15));
      break;
    case GroupCode::kFp8:
      *code = f32_to_e4m3(x * id);
      break;
  }
}

void encode_group(const GroupFormat& f, const float* x, float d, float m, uint8_t* codes) {
  for (int i = 0; i < f.group; ++i) encode_group_value(f, x[i], d, m, &codes[i]);
}

void pack_group(const GroupFormat& f, float d, float m, const uint8_t* codes, uint8_t* block) {
  const uint16_t dh = fp32_to_fp16(d);
  std::memcpy(block, &dh, 2);
  if (f.has_min) {
    const uint16_t mh = fp32_to_fp16(m);
    std::memcpy(block + 2, &mh, 2);
  }
  uint8_t* q = block + f.header_bytes;
  if (f.code != GroupCode::kUint4) {
    std::memcpy(q, codes, static_cast<size_t>(f.group));
    return;
  }
  for (int s = 0; s < f.group / kSubBlock; ++s) {
    const uint8_t* c = codes + s * kSubBlock;
    for (int j = 0; j < kSubBlock / 2; ++j) {
      q[s * 16 + j] = static_cast<uint8_t>((c[j] & 0x0f) | ((c[j + 16] & 0x0f) << 4));
    }
  }
}

void unpack_group(const GroupFormat& f, const uint8_t* block, float* d, float* m, uint8_t* codes) {
  uint16_t h;
  std::memcpy(&h, block, 2);
  *d = fp16_to_fp32(h);
  *m = 0.0f;
  if (f.has_min) {
    std::memcpy(&h, block + 2, 2);
    *m = fp16_to_fp32(h);
  }
  const uint8_t* q = block + f.header_bytes;
  if (f.code != GroupCode::kUint4) {
    std::memcpy(codes, q, static_cast<size_t>(f.group));
    return;
  }
  for (int s = 0; s < f.group / kSubBlock; ++s) {
    for (int j = 0; j < kSubBlock / 2; ++j) {
      codes[s * kSubBlock + j] = q[s * 16 + j] & 0x0f;
      codes[s * kSubBlock + j + 16] = q[s * 16 + j] >> 4;
    }
  }
}

void dequantize_groups(const GroupFormat& f, const uint8_t* src, float* dst, int64_t n_blocks) {
  uint8_t codes[256];
  for (int64_t b = 0; b < n_blocks; ++b, src += f.block_bytes, dst += f.group) {
    float d, m;
    unpack_group(f, src, &d, &m, codes);
    for (int i = 0; i < f.group; ++i) dst[i] = d * f.code_value(codes[i]) + m;
  }
}

void quantize_row_group(DType type, const GroupFormat& f, const float* src, void* dst, int64_t n) {
  const int64_t n_blocks = detail::whole_blocks(type, n, f.group);
  auto* out = static_cast<uint8_t*>(dst);
  uint8_t codes[256];
  for (int64_t b = 0; b < n_blocks; ++b) {
    const float* x = src + b * f.group;
    float d = 0.0f, m = 0.0f;
    if (f.code == GroupCode::kUint4 && f.has_min) {
      const float lo = *std::min_element(x, x + f.group);
      const float hi = *std::max_element(x, x + f.group);
      d = (hi - lo) / 15.0f;
      m = lo;
    } else if (f.code == GroupCode::kUint4) {
      float best = 0.0f;
      for (int i = 0; i < f.group; ++i) {
        if (std::fabs(x[i]) > std::fabs(best)) best = x[i];
      }
      d = best / -8.0f;
    } else {
      float amax = 0.0f;
      for (int i = 0; i < f.group; ++i) amax = std::max(amax, std::fabs(x[i]));
      d = amax / (f.code == GroupCode::kInt8 ? 127.0f : kE4M3Max);
    }
    d = fp16_to_fp32(fp32_to_fp16(d));
    m = fp16_to_fp32(fp32_to_fp16(m));
    encode_group(f, x, d, m, codes);
    pack_group(f, d, m, codes, out + b * f.block_bytes);
  }
}

}  // namespace pocket
