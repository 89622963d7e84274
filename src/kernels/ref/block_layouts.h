// Byte layouts of GGML's quantized blocks, as stored in GGUF files. Every struct here is the exact
// on-disk image of one block (little-endian, no padding); the static_asserts pin the sizes to the
// block_bytes of core/dtype.cpp. Half-precision scales are kept as raw uint16_t bits.
//
// "Legacy" formats quantize 32 consecutive values with one scale (and for _1 types one offset):
//   Q8_0  value = d * q                  q: int8
//   Q4_0  value = d * (q - 8)            q: 4 bits
//   Q4_1  value = d * q + m              q: 4 bits
//   Q5_0  value = d * (q - 16)           q: 5 bits (4 in a nibble + 1 in qh)
//   Q5_1  value = d * q + m              q: 5 bits
// The 4-bit types pair values j and j + 16 in one byte: value j in the low nibble, value j + 16 in
// the high nibble. The fifth bit of value j (Q5) is bit j of the 32-bit little-endian word qh.
//
// "K" formats group 256 values into a super-block with an f16 super-scale; sub-blocks have small
// integer scales that the super-scale multiplies. See the comments on each struct.
#pragma once

#include <bit>
#include <cstdint>

namespace pocket {

static_assert(std::endian::native == std::endian::little,
              "block layouts are read by memcpy; a big-endian host would need byte swaps");

inline constexpr int kLegacyBlock = 32;  // values per block of Q4_0..Q8_0
inline constexpr int kSuperBlock = 256;  // values per block of the K formats

struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};

struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[16];
};

struct BlockQ4_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qs[16];
};

struct BlockQ5_0 {
  uint16_t d;
  uint8_t qh[4];
  uint8_t qs[16];
};

struct BlockQ5_1 {
  uint16_t d;
  uint16_t m;
  uint8_t qh[4];
  uint8_t qs[16];
};

// Q4_K: 8 sub-blocks of 32 values, each with a 6-bit scale and a 6-bit min:
//   value = d * scale[s] * q - dmin * min[s],   q: 4 bits.
// The 16 six-bit numbers are packed into 12 bytes (see unpack_k_scale_min in dequant_kquants.cpp):
//   bytes 0..3:  low 6 bits = scale[0..3], top 2 bits = high bits of scale[4..7]
//   bytes 4..7:  low 6 bits = min[0..3],   top 2 bits = high bits of min[4..7]
//   bytes 8..11: low nibble = low 4 bits of scale[4..7], high nibble = low 4 bits of min[4..7]
// The quants come in 4 chunks of 32 bytes; chunk c holds sub-block 2c in its low nibbles and
// sub-block 2c + 1 in its high nibbles (byte l of the chunk: value l of each).
struct BlockQ4_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qs[128];
};

// Q5_K: Q4_K plus a fifth bit per value: value l of sub-block s has its high bit in bit s of
// qh[l] (l = 0..31). value = d * scale[s] * q - dmin * min[s], q: 5 bits.
struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[32];
  uint8_t qs[128];
};

// Q6_K: 16 sub-blocks of 16 values with signed 8-bit scales: value = d * scales[s] * (q - 32),
// q: 6 bits = 4 low bits in ql + 2 high bits in qh. The block is two halves of 128 values; half h
// uses ql[64h .. 64h+63], qh[32h .. 32h+31] and scales[8h .. 8h+7]. Within a half, value
// 32 * k + l (k = 0..3, l = 0..31) takes:
//   low bits   k = 0: low nibble of ql[l]       k = 1: low nibble of ql[l + 32]
//              k = 2: high nibble of ql[l]      k = 3: high nibble of ql[l + 32]
//   high bits  bits 2k and 2k + 1 of qh[l]
//   scale      scales[l / 16 + 2k]
struct BlockQ6_K {
  uint8_t ql[128];
  uint8_t qh[64];
  int8_t scales[16];
  uint16_t d;
};

static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);

}  // namespace pocket
